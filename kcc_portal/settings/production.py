"""Production settings: refuses to start without SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
the gateway credentials (SSLCOMMERZ_STORE_ID, SSLCOMMERZ_STORE_PASSWORD) and SITE_URL (an
https:// URL: every QR code on a receipt or certificate, and the gateway's callbacks,
embed it — base.py's development default would put http://127.0.0.1:8000 on paper).

The gateway simulator can never be enabled here, and the demo store credentials that
base.py falls back to are never accepted.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

for _name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(
            f"{_name} must be set in the environment for production settings."
        )

from .base import *  # noqa: E402,F403
from .base import SITE_URL, SSLCOMMERZ_SIMULATOR_PATH, STORAGES, env  # noqa: E402
from .files import MEDIA_STORAGES  # noqa: E402

DEBUG = False
# Files: the local folder, or an S3-compatible bucket with FILE_STORAGE=s3 (files.py).
STORAGES = {**STORAGES, **MEDIA_STORAGES}
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long and random.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

SMS_BACKEND = env.str("SMS_BACKEND", default="accounts.sms.HttpGatewayBackend")
SMS_OUTBOX_KEEPS_TEXT = env.bool("SMS_OUTBOX_KEEPS_TEXT", default=False)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

SSLCOMMERZ_SIMULATOR_ENABLED = False
SSLCOMMERZ_BASE_URL = env.str("SSLCOMMERZ_BASE_URL", default="https://securepay.sslcommerz.com")
if SSLCOMMERZ_SIMULATOR_PATH in SSLCOMMERZ_BASE_URL:
    raise ImproperlyConfigured("The gateway simulator cannot be used with production settings.")
# Never the demo store that base.py falls back to: real credentials or no start at all.
for _name in ("SSLCOMMERZ_STORE_ID", "SSLCOMMERZ_STORE_PASSWORD"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(
            f"{_name} must be set in the environment for production settings."
        )
SSLCOMMERZ_STORE_ID = env.str("SSLCOMMERZ_STORE_ID")
SSLCOMMERZ_STORE_PASSWORD = env.str("SSLCOMMERZ_STORE_PASSWORD")

# The absolute base printed in every QR code and sent to the gateway for its callbacks:
# never base.py's development default, and always https.
if not os.environ.get("SITE_URL"):
    raise ImproperlyConfigured("SITE_URL must be set in the environment for production settings.")
_site = urlsplit(SITE_URL)  # base.py's value, trailing slash removed
if _site.scheme != "https" or not _site.hostname or _site.query or _site.fragment:
    raise ImproperlyConfigured(
        "SITE_URL must be an https:// URL such as https://portal.example.gov.bd "
        f"(got {SITE_URL!r})."
    )
