"""Settings for benchmarks: the embedded defaults (or DATABASE_URL), plus a bare view."""

from kcc_portal.settings.dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
SMS_BACKEND = "accounts.sms.OutboxBackend"
QUICK_PAY_LOOKUPS = 10**9  # bench/pages.py looks the same holding up from one address
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
