"""A web process loads only what its pages need: the libraries that take most memory are
imported by the few paths that use them (PDFs: WeasyPrint; XLSX: openpyxl; sealed bids:
cryptography), not with the URLs. Every gunicorn worker and every streamed report carries
what the URLs import (docs/performance.md, "Reports that stream")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("weasyprint", "openpyxl", "cryptography", "pydyf", "fontTools")

PROBE = """
import json, sys
import django
django.setup()
from django.urls import resolve
resolve("/")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_the_urls_do_not_import_the_heavy_libraries():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["DJANGO_SETTINGS_MODULE"] = "kcc_portal.settings.dev"
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "django" in loaded and "holdings" in loaded  # the probe did load the portal
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
