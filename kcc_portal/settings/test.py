"""Settings for the test suite: PostgreSQL when DATABASE_URL is set, a SQLite file otherwise.

The SQLite test database is a file (not in memory) so that the live server, browser
tests and a real Celery worker thread all see the same data.
"""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, SQLITE_ENGINE, VAR_DIR, env
from .files import LOCAL_MEDIA_STORAGES

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "accounts.sms.OutboxBackend"
SMS_OUTBOX_KEEPS_TEXT = True
# Files in the local folder; tests/core/test_object_storage.py switches to an S3 endpoint.
STORAGES = {
    **LOCAL_MEDIA_STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "citizen": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cz"},
}

if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    # One file per test process, so parallel runs never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    # Threads in concurrency tests each hold a connection; keep the pool generous.
    DATABASES["default"].setdefault("OPTIONS", {})
    if "pool" in DATABASES["default"]["OPTIONS"]:
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 80, "timeout": 30}

# Tasks go to a real broker; tests that need them run a real worker. Each test process
# has its own queue (and broker folder), so parallel runs never take each other's tasks.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default=f"kcc-test-{os.getpid()}")
# One queue per test process: the gateway and PDF tasks go to it too (the worker thread of
# tests/conftest.py consumes only that queue). base.CELERY_TASK_ROUTES is tested on its own.
CELERY_GATEWAY_QUEUE = CELERY_PDF_QUEUE = CELERY_SMS_QUEUE = CELERY_TASK_DEFAULT_QUEUE
CELERY_TASK_ROUTES = {}
# A server a test starts in a child process names the test's queue and broker folder
# (CELERY_QUEUE, TEST_BROKER_DIR), so the test's worker takes the tasks it publishes.
TEST_BROKER_DIR = Path(
    env.str("TEST_BROKER_DIR", default=str(VAR_DIR / f"test-broker-{os.getpid()}"))
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(TEST_BROKER_DIR / "out"),
        "data_folder_out": str(TEST_BROKER_DIR / "out"),
        "processed_folder": str(TEST_BROKER_DIR / "processed"),
        "control_folder": str(TEST_BROKER_DIR / "control"),
        "store_processed": False,
        # The test worker looks for tasks (and for its stop) every 0.1 s, not every second.
        "polling_interval": 0.1,
    }
    if not env.str("REDIS_URL", default="")
    else {"visibility_timeout": 3600}
)
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
for _sub in ("out", "processed", "control"):
    (TEST_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
