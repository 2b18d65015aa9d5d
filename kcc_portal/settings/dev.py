"""Embedded defaults for development and `make run`: nothing needs configuring."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env
from .files import MEDIA_STORAGES

DEBUG = env.bool("DEBUG", default=True)
STORAGES = {
    **MEDIA_STORAGES,  # the local folder unless FILE_STORAGE=s3
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
