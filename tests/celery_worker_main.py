"""A real Celery worker in a child process, for tests that need a worker pool other than
the solo pool of the in-process worker thread (tests/conftest.py `celery_worker_process`).

Run as `python tests/celery_worker_main.py <celery worker arguments>` with the test's
environment (its database, queue and broker, see `child_process_env`); it declares the
test services the test process declares, so their bills settle here as they would there.
"""

import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path[:0] = [str(TESTS.parent), str(TESTS)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcc_portal.settings.test")

import django  # noqa: E402

django.setup()

from conftest import TEST_SERVICES, test_service_spec  # noqa: E402

from core.portal import register  # noqa: E402
from kcc_portal.celery import app  # noqa: E402

for key in TEST_SERVICES:
    register(test_service_spec(key))

app.worker_main(["worker", *sys.argv[1:]])
