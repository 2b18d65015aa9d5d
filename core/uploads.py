"""Checks on uploaded documents (any service: trade licence papers, water connection papers):
size, type by content (magic bytes), name agreeing with the content. Pure: takes bytes, returns
what the file is or raises ValidationError."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.digits import file_size

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: {".pdf"}, JPEG: {".jpg", ".jpeg"}, PNG: {".png"}}
STORED_EXTENSION = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
IMAGE_ONLY_KINDS = {"photo", "inspection_photo"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (PDF, JPEG or PNG), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _image_is_whole(data: bytes) -> bool:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with WeasyPrint
        return True
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return True
    except Exception:  # noqa: BLE001 - any decoding failure means a broken image
        return False


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def check_document(
    data: bytes,
    *,
    name: str,
    kind: str,
    size: int | None = None,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> CheckedFile:
    """Refuse (ValidationError) an empty or oversized file, a type other than PDF, JPEG or
    PNG (photos: JPEG or PNG only), a file whose content is not what its name says (a
    "PDF" that does not start with %PDF- or has no end-of-file marker), a broken image."""
    size = max(len(data), size or 0)  # `size`: the whole upload's, when `data` is cut short
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty_file")
    if size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(max)s.")
            % {"size": file_size(size), "max": file_size(max_bytes)},
            code="file_too_large",
        )
    ext = _extension(name)
    content_type = sniff(data)
    claimed = next((ct for ct, exts in EXTENSIONS.items() if ext in exts), None)
    if claimed == PDF and content_type != PDF:
        raise ValidationError(
            _(
                "“%(name)s” is not a real PDF file. Save or scan the document "
                "again as PDF, or upload a JPEG or PNG photo of it."
            )
            % {"name": name},
            code="fake_pdf",
        )
    if content_type is None or claimed is None:
        raise ValidationError(_("Upload a PDF, JPEG or PNG file."), code="wrong_type")
    if claimed != content_type:
        raise ValidationError(
            _(
                "“%(name)s” is named as one kind of file but is another. "
                "Upload a PDF, JPEG or PNG file with its proper name."
            )
            % {"name": name},
            code="type_mismatch",
        )
    if kind in IMAGE_ONLY_KINDS and content_type == PDF:
        raise ValidationError(_("A photo must be a JPEG or PNG image."), code="photo_not_image")
    if content_type == PDF and b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            _("“%(name)s” is not a complete PDF file.") % {"name": name}, code="fake_pdf"
        )
    if content_type in (JPEG, PNG) and not _image_is_whole(data):
        raise ValidationError(
            _("“%(name)s” is not a readable image.") % {"name": name}, code="broken_image"
        )
    return CheckedFile(
        content_type, STORED_EXTENSION[content_type], len(data), hashlib.sha256(data).hexdigest()
    )
