"""Settings shared by every runtime mode, read from the environment (django-environ).

With no environment variables at all the portal runs on the embedded defaults:
SQLite under var/, Celery on kombu's filesystem broker under var/, SMS and e-mail
to the console, the SSLCommerz simulator as the gateway.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("KCC_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    REDIS_URL=(str, ""),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str(
    "SECRET_KEY", default="insecure-dev-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
# How many reverse proxies of our own (load balancer, nginx) stand in front of the app.
# 0: X-Forwarded-For is ignored and REMOTE_ADDR is the client (audit log, rate limits);
# N > 0: the client is the N-th X-Forwarded-For entry from the right.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "allauth",
    "allauth.account",
    "core",
    "accounts",
    "payments",
    "payments.simulator",
    "holdings",
    "trade_licenses",
    "water_billing",
    "market_leases",
    "ezbike",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # HTML compressed here, not at a proxy: the app runs with or without one. Django's
    # GZipMiddleware pads each response with random bytes (the BREACH mitigation of
    # Django 4.2+); static files come compressed from whitenoise.
    "django.middleware.gzip.GZipMiddleware",
    "core.security.ContentSecurityPolicyMiddleware",  # no inline script; see the module
    "core.middleware.RejectMalformedInputMiddleware",  # NUL bytes: a plain 400
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.db.PrimaryAfterWriteMiddleware",  # a user who just wrote reads the primary
    "accounts.middleware.StaffSessionExpiryMiddleware",  # staff: ends after idle hours
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.RequestContextMiddleware",
    # Busy database or unavailable cache → 503 "try again in a moment", never a 500.
    "core.busy.BusyMiddleware",
]

ROOT_URLCONF = "kcc_portal.urls"
WSGI_APPLICATION = "kcc_portal.wsgi.application"
ASGI_APPLICATION = "kcc_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
            "builtins": ["core.templatetags.bn"],
        },
    }
]

# --- Database -------------------------------------------------------------------------
SQLITE_OPTIONS = {
    # WAL lets the web server and the worker read while one writes; IMMEDIATE takes the
    # write lock at BEGIN so two writers queue on the busy timeout instead of failing
    # with "database is locked" half-way through a transaction.
    "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


# PostgreSQL limits for every connection (milliseconds; 0 = none), and the longer ones
# core.db.long_running() sets for one transaction of a bulk job (demand generation) or a
# report. Migrations of big tables may need DATABASE_STATEMENT_TIMEOUT_MS=0 for the run.
DATABASE_LOCK_TIMEOUT_MS = env.int("DATABASE_LOCK_TIMEOUT_MS", default=5000)
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=15000)
DATABASE_LONG_LOCK_TIMEOUT_MS = env.int("DATABASE_LONG_LOCK_TIMEOUT_MS", default=60000)
DATABASE_LONG_STATEMENT_TIMEOUT_MS = env.int("DATABASE_LONG_STATEMENT_TIMEOUT_MS", default=0)
DATABASE_REPORT_STATEMENT_TIMEOUT_MS = env.int(
    "DATABASE_REPORT_STATEMENT_TIMEOUT_MS", default=120000
)


def behind_pgbouncer(db: dict) -> dict:
    """PostgreSQL through PgBouncer in transaction mode (DATABASE_PGBOUNCER=true): the
    pooler holds the server connections, so no pool here and no connection kept between
    requests; no server-side cursors (QuerySet.iterator() reads in chunks instead) and no
    prepared statements, which both outlive a transaction; and no startup options, which
    PgBouncer refuses — the time limits are set by PgBouncer's connect_query on each server
    connection instead (docs/operations.md). Advisory locks are all transaction-level here,
    so they work through the pooler."""
    db["CONN_MAX_AGE"] = 0
    db["DISABLE_SERVER_SIDE_CURSORS"] = True
    db["OPTIONS"]["prepare_threshold"] = None
    return db


# Django's, reading computed sums of money with their decimal places (core/sqlite/base.py).
SQLITE_ENGINE = "core.sqlite"


def database_from_env(default_sqlite: Path) -> dict:
    """The default database: DATABASE_URL (PostgreSQL with a pool) or a SQLite file."""
    url = env.str("DATABASE_URL", default="")
    if not url:
        return {
            "ENGINE": SQLITE_ENGINE,
            "NAME": str(default_sqlite),
            "OPTIONS": dict(SQLITE_OPTIONS),
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    db = env.db_url_config(url)
    if db["ENGINE"] in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
        db["ENGINE"] = "django.db.backends.postgresql"
        db.setdefault("OPTIONS", {})
        if env.bool("DATABASE_PGBOUNCER", default=False):
            return behind_pgbouncer(db)
        if env.bool("DATABASE_POOL", default=True):
            db["OPTIONS"]["pool"] = {"min_size": 1, "max_size": env.int("DATABASE_POOL_MAX", 10)}
            db["CONN_MAX_AGE"] = 0
        else:
            db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        # Behind PgBouncer in transaction mode named cursors (QuerySet.iterator()) break.
        db["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
        # A request gives up instead of queueing behind a lock or a runaway query (core.busy
        # answers 503 "busy, try again"); bulk jobs and reports lengthen both for their own
        # transaction with core.db.long_running(). 0 turns a limit off — sent as such, so it
        # also lifts a limit the server or the role sets by default (docker-compose.yml's
        # PostgreSQL starts with the web's limits, for the connections through PgBouncer).
        timeouts = (
            f"-c lock_timeout={DATABASE_LOCK_TIMEOUT_MS} "
            f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
        )
        db["OPTIONS"]["options"] = f"{db['OPTIONS'].get('options', '')} {timeouts}".strip()
    elif db["ENGINE"] == "django.db.backends.sqlite3":
        db["ENGINE"] = SQLITE_ENGINE
        db["OPTIONS"] = dict(SQLITE_OPTIONS)
    return db


DATABASES = {"default": database_from_env(VAR_DIR / "db.sqlite3")}
# A PostgreSQL streaming replica for report and export reads (core.db: ReplicaRouter,
# replica_reads, PrimaryAfterWriteMiddleware); unset, everything reads the primary.
if env.str("DATABASE_REPLICA_URL", default="") and DATABASES["default"]["ENGINE"].endswith(
    "postgresql"
):
    DATABASES["replica"] = {
        **DATABASES["default"],
        **{k: v for k, v in env.db_url_config(env.str("DATABASE_REPLICA_URL")).items()
           if k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")},
        "TEST": {"MIRROR": "default"},
    }  # fmt: skip
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
# After a write, a user's reads stay on the primary this long (the replica may lag).
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=15)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, throttles) ---------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kcc",
            # A dead or unreachable Redis must not hold request threads: give up quickly
            # (rate limits, throttles and /healthz then degrade, see core.ratelimit).
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
else:
    # Shared by the web server and the worker processes in the embedded mode.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# A citizen's cached figures (core.citizen_cache) in a store of their own: many entries, so
# they never push out the rate limits' and sign-in lockouts' (a file cache culls a third of
# its files when full).
CACHES["citizen"] = (
    {**CACHES["default"], "KEY_PREFIX": "kcc-cz"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache-citizen"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
)

# --- Health (GET /healthz; see core.views.healthz) -------------------------------------
# Who sees each dependency's state besides loopback: networks (CIDR) and/or a token sent
# in an X-Healthz-Token header. Everyone else sees only {"status": "ok" | "unavailable"}.
HEALTHZ_INTERNAL_NETWORKS = env.list("HEALTHZ_INTERNAL_NETWORKS", default=[])
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
HEALTHZ_HEARTBEAT_STALE_SECONDS = 180  # beat sends one a minute
HEALTHZ_WORKER_REQUIRED = env.bool("HEALTHZ_WORKER_REQUIRED", default=False)
# A long run (demand generation, bulk bills) whose heartbeat is older than this is taken
# for dead: marked failed so that it can be started again (core.runs).
RUN_HEARTBEAT_STALE_SECONDS = env.int("RUN_HEARTBEAT_STALE_SECONDS", default=300)

# --- Identity ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A citizen's dashboard and "what I owe" figures are cached until a write they are worked
# out from commits (core.citizen_cache); each entry lives at most this long. 0: no cache.
CITIZEN_CACHE_SECONDS = env.int("CITIZEN_CACHE_SECONDS", default=300)
# Quick pay (no account): look-ups of a holding per IP address in 10 minutes.
QUICK_PAY_LOOKUPS = env.int("QUICK_PAY_LOOKUPS", default=30)

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = 3
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 10 * 60
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = 3
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# Everyone signs in with a code sent to their mobile; accounts with a password (staff) are
# asked for it after the code (accounts.stages). A password never signs in alone.
ACCOUNT_LOGIN_BY_CODE_REQUIRED = {"password"}
# One answer for every number: "if this number has an account, we sent a code".
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    # Per number: accounts.lockout (per number and address, a growing wait).
    "request_login_code": "20/m/ip",
    "verify_phone": "1/30s/key,5/10m/ip",
    "signup": "10/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
}
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "request_login_code": "accounts.forms.RequestLoginCodeForm",
    "confirm_login_code": "accounts.forms.ConfirmLoginCodeForm",
    "verify_phone": "accounts.forms.VerifyPhoneForm",
}
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
# Sign-in back-off per mobile number and client address (accounts.lockout): this many
# code requests or wrong staff passwords, then waits of 1, 2, 4 … minutes for that address.
SIGNIN_FREE_CODE_REQUESTS = 3
SIGNIN_FREE_PASSWORD_FAILURES = 5
# The safety net over all addresses: code requests for one number in an hour.
SIGNIN_CODE_REQUESTS_PER_NUMBER_HOUR = 20
# Staff sessions end after this long without a request (shared counter machines);
# citizens keep SESSION_COOKIE_AGE (two weeks).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=4 * 3600)

# --- SMS -----------------------------------------------------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", default="accounts.sms.ConsoleBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_API_KEY = env.str("SMS_GATEWAY_API_KEY", default="")
SMS_GATEWAY_SENDER_ID = env.str("SMS_GATEWAY_SENDER_ID", default="KCC")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
# Whether the outbox keeps message text (one-time codes included). Off in production.
SMS_OUTBOX_KEEPS_TEXT = env.bool("SMS_OUTBOX_KEEPS_TEXT", default=True)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@kcc.example")

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "bn"
LANGUAGES = [("bn", _("Bengali")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Dhaka"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kcc_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's throttles, failing open when the cache is down (never a 500).
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min", "token": "10/min"},
    # Throttles identify anonymous callers as core.audit.client_ip does.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "City corporation citizen-services API",
    "DESCRIPTION": "Bills, payments, receipts and services of the city corporation portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery --------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _sub in ("out", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="kcc")
# Calls to the payment gateway (IPN validation, reconciliation) wait on the network: their
# own queue, for a worker with a thread pool (`-P threads`). Receipt PDFs are CPU work with
# no hurry: their own queue too, so neither waits behind the other. Calls to the SMS
# provider (accounts.tasks.deliver_sms) wait on the network as well, but a sign-in code
# must not queue behind a rush of validations: a queue of their own, which the gateway
# worker reads beside its own.
CELERY_GATEWAY_QUEUE = env.str(
    "CELERY_GATEWAY_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}-gateway"
)
CELERY_PDF_QUEUE = env.str("CELERY_PDF_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}-pdf")
CELERY_SMS_QUEUE = env.str("CELERY_SMS_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}-sms")
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {
    "payments.tasks.settle_ipn": {"queue": CELERY_GATEWAY_QUEUE},
    "payments.tasks.reconcile_payment": {"queue": CELERY_GATEWAY_QUEUE},
    "payments.tasks.reconcile_pending_payments": {"queue": CELERY_GATEWAY_QUEUE},
    "accounts.tasks.deliver_sms": {"queue": CELERY_SMS_QUEUE},
    "payments.tasks.render_receipt_pdf": {"queue": CELERY_PDF_QUEUE},
    "payments.tasks.render_pending_receipts": {"queue": CELERY_PDF_QUEUE},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "purge-expired-sms-codes": {
        "task": "accounts.tasks.prune_sms_outbox",
        "schedule": crontab(hour=3, minute=15),
    },
    "render-pending-receipts": {
        "task": "payments.tasks.render_pending_receipts",
        "schedule": timedelta(minutes=1),
    },
    # The revenue officer's collection figures read these (payments/rollups.py).
    "refresh-collection-rollups": {
        "task": "payments.tasks.refresh_rollups",
        "schedule": timedelta(minutes=1),
    },
    "reconcile-pending-payments": {
        "task": "payments.tasks.reconcile_pending_payments",
        "schedule": timedelta(minutes=10),
        "kwargs": {"older_than_minutes": 15},
    },
    "trade-licence-late-bills": {
        "task": "trade_licenses.tasks.refresh_late_renewal_bills",
        "schedule": crontab(hour=0, minute=30),
    },
    "reminders": {  # every service's declared reminders (trade licence renewals, …)
        "task": "core.tasks.send_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    "heartbeat": {
        "task": "core.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
    },
    "holdings-fail-stale-demand-runs": {
        "task": "holdings.tasks.fail_stale_demand_runs",
        "schedule": timedelta(minutes=2),
    },
    "holdings-fail-stale-imports": {
        "task": "holdings.tasks.fail_stale_holding_imports",
        "schedule": timedelta(minutes=2),
    },
    "water-fail-stale-billing-runs": {
        "task": "water_billing.tasks.fail_stale_billing_runs",
        "schedule": timedelta(minutes=2),
    },
    "markets-fail-stale-rent-runs": {
        "task": "market_leases.tasks.fail_stale_rent_runs",
        "schedule": timedelta(minutes=2),
    },
    "markets-expire-agreements": {
        "task": "market_leases.tasks.expire_agreements",
        "schedule": timedelta(hours=6),
    },
    "markets-lapse-ijara-offers": {  # an ijara balance unpaid past its due date: forfeit
        "task": "market_leases.tasks.lapse_ijara_offers",
        "schedule": timedelta(hours=6),
    },
    "ezbike-expire-licences": {  # past the renewal deadline: expired; the waiting list moves
        "task": "ezbike.tasks.expire_licences",
        "schedule": crontab(hour=0, minute=20),
    },
}

# --- Security defaults (production tightens) -------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Payments gateway ----------------------------------------------------------------
SSLCOMMERZ_SIMULATOR_PATH = "/gateway-simulator"
SSLCOMMERZ_BASE_URL = env.str("SSLCOMMERZ_BASE_URL", default=SITE_URL + SSLCOMMERZ_SIMULATOR_PATH)
SSLCOMMERZ_STORE_ID = env.str("SSLCOMMERZ_STORE_ID", default="kccdemo")
SSLCOMMERZ_STORE_PASSWORD = env.str("SSLCOMMERZ_STORE_PASSWORD", default="kccdemo@ssl")
SSLCOMMERZ_SIMULATOR_ENABLED = True
# The simulator answers its validation API after this delay (benchmarks: the gateway's
# round trip); 0 in the demo and tests.
SSLCOMMERZ_SIMULATOR_LATENCY_MS = env.int("SSLCOMMERZ_SIMULATOR_LATENCY_MS", default=0)
# An HTTP(S) proxy for calls to the gateway, when the servers reach it only through one
# (the client ignores the environment's proxy variables: read once here, not per call).
SSLCOMMERZ_PROXY = env.str("SSLCOMMERZ_PROXY", default="")
# The public gateway callback URLs (IPN, success, fail, cancel): the largest body or query
# string accepted (a real IPN is ~2 KB), and requests allowed per client address in the
# window (the gateway sends every IPN from a few addresses: keep this well above its peak).
PAYMENTS_CALLBACK_MAX_BYTES = env.int("PAYMENTS_CALLBACK_MAX_BYTES", default=32 * 1024)
PAYMENTS_CALLBACK_RATE_LIMIT = env.int("PAYMENTS_CALLBACK_RATE_LIMIT", default=600)
PAYMENTS_CALLBACK_RATE_WINDOW = env.int("PAYMENTS_CALLBACK_RATE_WINDOW", default=60)
# The gateway's notification servers (its published IPN source addresses): never limited.
PAYMENTS_CALLBACK_TRUSTED_IPS = env.list("PAYMENTS_CALLBACK_TRUSTED_IPS", default=[])

# --- Holding register import (holdings/importer) ---------------------------------------
# Refused before an .xlsx is opened: more uncompressed bytes than this in the workbook, or
# a member compressed more than HOLDINGS_IMPORT_MAX_RATIO : 1 (a zip bomb).
HOLDINGS_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int(
    "HOLDINGS_IMPORT_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024
)
HOLDINGS_IMPORT_MAX_RATIO = env.int("HOLDINGS_IMPORT_MAX_RATIO", default=100)
# While reading: rows of holdings, characters in one cell (longer: a row error).
HOLDINGS_IMPORT_MAX_ROWS = env.int("HOLDINGS_IMPORT_MAX_ROWS", default=100_000)
HOLDINGS_IMPORT_MAX_CELL_CHARS = env.int("HOLDINGS_IMPORT_MAX_CELL_CHARS", default=1000)
# How long a payer is asked to wait while someone else's payment for the same dues is at
# the gateway (the reconciliation task asks the gateway about it after this long).
PAYMENT_IN_PROGRESS_MINUTES = 15
# Paper receipts of the transition year (payments.services.paper): a receipt back-entered
# more than this many days after it was written is flagged for the revenue officer.
PAPER_RECEIPT_ENTRY_DAYS = env.int("PAPER_RECEIPT_ENTRY_DAYS", default=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The filesystem broker has no host; kombu says so on every publish.
        "kombu.connection": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
