"""Settings of the processes `make scale-check` starts (bench/scale_check.py): the embedded
defaults without debug, with everything that decides where data lives (the database, the
replica, PgBouncer, Redis, the S3 endpoint, the address of the site) from the environment
the check sets — as a node of a production deployment reads it. The gateway is the
project's simulator (production settings never enable it), served by the nodes."""

from kcc_portal.settings.dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
SMS_BACKEND = "accounts.sms.OutboxBackend"
# The benchmarks' own billing service (bench/portal.py): the check's payments bill under it.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The worker's "Task …[id] succeeded" lines: the check counts its tasks by them.
    "loggers": {
        "celery.app.trace": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
