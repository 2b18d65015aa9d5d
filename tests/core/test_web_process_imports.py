"""A web process is warm before its first request (kcc_portal.wsgi, core.warmup) and loads
only what its pages need: the libraries that take most memory are
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


WARM_PROBE = (
    f"HEAVY = {HEAVY!r}\n"
    + """
import json, sys
import kcc_portal.wsgi
from django.urls import get_resolver
from django.utils.translation import trans_real
from kcc_portal.celery import app
print(json.dumps({
    "urls": get_resolver()._populated,
    "tasks": app.finalized and "payments.tasks.settle_ipn" in app.tasks,
    "catalogues": sorted(trans_real._translations),
    "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY)),
}))
"""
)


def test_a_web_process_is_warm_before_its_first_request_and_still_light():
    """gunicorn imports the WSGI module in each worker before it accepts a connection: the
    URLs (both ways), the task registry and both languages' catalogues are loaded then."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["DJANGO_SETTINGS_MODULE"] = "kcc_portal.settings.dev"
    done = subprocess.run(
        [sys.executable, "-c", WARM_PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state == {"urls": True, "tasks": True, "catalogues": ["bn", "en"], "heavy": []}
