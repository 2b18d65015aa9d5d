"""What a web process loads before its first request: each gunicorn worker imports the
WSGI module before it accepts connections, so the first citizens after a start or a
deploy do not wait while it imports the views, builds the table {% url %} reads, imports
the apps' tasks and finalises the Celery app (otherwise done by the first task queued) and
reads the Bengali and English message catalogues. The heavy libraries stay out
(tests/core/test_web_process_imports.py)."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_resolver, reverse
from django.utils import translation


def warm() -> None:
    get_resolver().resolve("/")  # imports every URL module and the views they name
    reverse("home")  # builds the reverse table every {% url %} reads
    from celery import current_app as app  # the project's (made with its settings)

    app.loader.import_default_modules()  # every app's tasks, as a worker imports them
    app.finalize(auto=True)  # the registry, built otherwise when the first task is queued
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            pass  # activating a language loads its catalogue
