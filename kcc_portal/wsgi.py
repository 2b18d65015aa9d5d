"""WSGI entry point (gunicorn kcc_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcc_portal.settings.dev")
application = get_wsgi_application()

from core.warmup import warm  # noqa: E402 - needs the settings get_wsgi_application set up

warm()
