"""Images printed on official documents: officers' signatures and the corporation's seal.

An administrator uploads them in the admin. They are checked to be real PNG or JPEG images
(decoded by Pillow, not trusted by name), kept in private storage (MEDIA_ROOT/private, never
served by the web server) under a random name, and embedded in the PDFs as data URIs, so
the printed documents never fetch anything.
"""

from __future__ import annotations

import base64
import contextlib
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.digits import file_size, localize_digits
from core.storage import private_storage  # noqa: F401 - named by core's migration 0004

#: The largest signature or seal image accepted.
MAX_PRINT_IMAGE_BYTES = 1024 * 1024
#: The largest width or height, in pixels (a scan at 600 dpi of a 15 cm seal fits).
MAX_PRINT_IMAGE_PIXELS = 4000
PRINT_IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}

NOT_AN_IMAGE = _(
    "This file is not a PNG or JPEG image. Upload a scan of the signature or seal saved "
    "as PNG or JPEG."
)


def _random_name(folder: str, filename: str) -> str:
    """A stored name that never carries the uploader's file name."""
    ext = Path(filename).suffix.lower()
    ext = ext if ext in (".png", ".jpg", ".jpeg") else ".img"
    return f"{folder}/{uuid.uuid4().hex}{ext}"


def signature_upload_to(instance: Any, filename: str) -> str:
    return _random_name("signatures", filename)


def seal_upload_to(instance: Any, filename: str) -> str:
    return _random_name("city", filename)


def _image_format(file: Any) -> str | None:
    """The image format Pillow reads in `file` ("PNG", "JPEG", …), None when it is no
    readable image. The file is read from its start and left at its start."""
    from PIL import Image, UnidentifiedImageError

    try:
        file.seek(0)
        with Image.open(file) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    finally:
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    if width > MAX_PRINT_IMAGE_PIXELS or height > MAX_PRINT_IMAGE_PIXELS:
        raise ValidationError(
            _("The image is %(width)s × %(height)s pixels; at most %(max)s on each side.")
            % {
                "width": localize_digits(width),
                "height": localize_digits(height),
                "max": localize_digits(MAX_PRINT_IMAGE_PIXELS),
            },
            code="image_too_large",
        )
    return fmt


def validate_print_image(file: Any) -> None:
    """Refuse (ValidationError) an upload that is not a whole PNG or JPEG image, or is too
    large to print: a signature or seal must be a real image, whatever its name says."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_PRINT_IMAGE_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the largest accepted is %(max)s.")
            % {"size": file_size(size), "max": file_size(MAX_PRINT_IMAGE_BYTES)},
            code="image_too_large",
        )
    if _image_format(file) not in PRINT_IMAGE_FORMATS:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")


def image_data_uri(file: Any) -> str:
    """A stored image (an ImageField's file) as a data URI, or "" when there is none or it
    cannot be read (a document prints without it rather than failing)."""
    if not file:
        return ""
    try:
        with file.open("rb") as fh:
            data = fh.read()
    except (OSError, ValueError):
        return ""
    try:
        fmt = _image_format(BytesIO(data))
    except ValidationError:
        return ""
    mime = PRINT_IMAGE_FORMATS.get(fmt or "")
    if mime is None:
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
