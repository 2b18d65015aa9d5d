"""Private file storage: MEDIA_ROOT/private, never served by the web server. Uploaded
documents (licence applications, deeds) and the images printed on documents (officers'
signatures, the seal) live here; views stream a file only to those allowed to see it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, following MEDIA_ROOT when it changes (tests move it)."""

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / "private")


def private_storage() -> FileSystemStorage:
    """The storage for private files (a callable, as FileField(storage=...) takes it)."""
    return PrivateStorage(base_url="/private-not-served/")
