"""Private file storage, never served by the web server: uploaded documents (licence
applications, deeds, NID scans, photos) and the images printed on documents (officers'
signatures, the seal). Views stream a file only to those allowed to see it.

Where the files live is settings' STORAGES["private"] (kcc_portal/settings/files.py): the
local folder MEDIA_ROOT/private by default, or an S3-compatible bucket under the key prefix
private/ with FILE_STORAGE=s3. Code reads and writes them through the storage API only
(``open``, ``save``, ``exists``, ``size``, ``delete``), never through a local path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, following MEDIA_ROOT when it changes (tests move it)."""

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / "private")


if TYPE_CHECKING:
    from django.http import FileResponse

    _LazyStorage = LazyObject[Storage]
else:
    _LazyStorage = LazyObject


class ConfiguredPrivateStorage(_LazyStorage):
    """The storage STORAGES["private"] configures, looked up on first use and again after
    the STORAGES setting changes: model fields take the storage once, when their class is
    defined, and this keeps them following the setting (as Django's default_storage does).
    Without a "private" entry, the local folder."""

    def _setup(self) -> None:
        try:
            self._wrapped = storages["private"]
        except InvalidStorageError:
            self._wrapped = PrivateStorage(base_url="/private-not-served/")


_PRIVATE = ConfiguredPrivateStorage()


@receiver(setting_changed)
def _private_storage_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _PRIVATE._wrapped = cast(Storage, empty)


def private_storage() -> Storage:
    """The storage for private files (a callable, as FileField(storage=...) takes it; the
    migrations name it): the configured one, the local folder or the bucket."""
    return cast(Storage, _PRIVATE)


def stream_file(
    file: Any,
    *,
    content_type: str = "",
    filename: str = "",
    as_attachment: bool = False,
) -> FileResponse:
    """A stored file (a FieldFile) streamed to a browser after the caller's permission
    check: 404 when there is none or the storage no longer has it (never a 500), never
    cached by the browser or a proxy, its type not sniffed."""
    from django.http import FileResponse, Http404

    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=content_type or None,
        filename=filename,
        as_attachment=as_attachment,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
