"""Settings for benchmarks: the embedded defaults (or DATABASE_URL), plus a bare view."""

from kcc_portal.settings.dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405 - its portal.py declares the "bench" service
SMS_BACKEND = "accounts.sms.OutboxBackend"
QUICK_PAY_LOOKUPS = 10**9  # bench/pages.py looks the same holding up from one address
# …and one citizen loads /api/bills/ hundreds of times a second: the API's per-user
# throttle (600 a minute) would answer 429 on a quiet machine.
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        "anon": "1000000/min",
        "user": "1000000/min",
    },
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
