"""Stored documents: a printed document (receipt, certificate, …) rendered once, kept in the
media storage behind a model's FileField (never served by the web server: the app's view
checks who asks and sends the bytes), served from there, and rendered again when the stored
file is missing, damaged or no longer current.

Each app declares its document once, next to the function that renders it::

    RECEIPT_PDF = StoredDocument(
        field="pdf",                       # the model's FileField
        render=render_receipt_pdf,         # instance -> bytes
        stored_name=_stored_name,          # instance -> where the file lives now
        is_current=lambda receipt, name: name == _stored_name(receipt),  # optional
    )
    RECEIPT_PDF.store(receipt)   # the worker: render and store; the stored name
    RECEIPT_PDF.read(receipt)    # the download: stored bytes, or rendered and stored now

Storing is idempotent: the file is saved under the same name every time (an earlier file of
that name, and the one the row named before, are deleted first), so no "_abc123" copies
pile up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.db.models.fields.files import FieldFile

M = TypeVar("M", bound=models.Model)

#: What every PDF starts with: a stored file without it is damaged (or half written).
PDF_MAGIC = b"%PDF"


def replace_file(name: str, data: bytes, *, storage: Storage | None = None) -> str:
    """Save `data` under `name`, replacing any earlier file of that name; the stored name."""
    storage = storage if storage is not None else default_storage
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def _any_name(instance: models.Model, name: str) -> bool:
    return True


@dataclass(frozen=True)
class StoredDocument(Generic[M]):
    """One kind of stored document: which FileField holds it, how it is rendered, where it is
    stored, and (optionally) whether a stored file is still the current one — e.g. a receipt
    printed before its payment was voided is not: it is rendered again, with the VOID mark,
    under another name."""

    field: str
    render: Callable[[M], bytes]
    stored_name: Callable[[M], str]
    is_current: Callable[[M, str], bool] = _any_name
    magic: bytes = PDF_MAGIC

    def _file(self, instance: M) -> FieldFile:
        file: FieldFile = getattr(instance, self.field)
        return file

    def _saved_name(self, instance: M) -> str:
        """The name the row holds now (not the instance's copy, which may be stale)."""
        return (
            type(instance)
            ._default_manager.filter(pk=instance.pk)
            .values_list(self.field, flat=True)
            .first()
            or ""
        )

    def save(self, instance: M, data: bytes) -> str:
        """Store `data` as the instance's file, replacing the earlier one; the stored name."""
        file = self._file(instance)
        storage = file.storage
        name = self.stored_name(instance)
        old = self._saved_name(instance)
        for stale in sorted({old, name} - {""}):
            if storage.exists(stale):
                storage.delete(stale)
        stored = storage.save(name, ContentFile(data))
        type(instance)._default_manager.filter(pk=instance.pk).update(**{self.field: stored})
        file.name = stored
        return stored

    def store(self, instance: M) -> str:
        """Render the document and store it (what the worker does); the stored name."""
        return self.save(instance, self.render(instance))

    def read(self, instance: M) -> bytes:
        """The stored document, or (worker still busy, file lost or damaged, stored copy no
        longer current) a fresh rendering, stored now so the next one is served from
        storage."""
        name = self._saved_name(instance)
        if name and self.is_current(instance, name):
            try:
                with self._file(instance).storage.open(name, "rb") as fh:
                    data: bytes = fh.read()
            except OSError:
                data = b""
            if data.startswith(self.magic):
                return data
        data = self.render(instance)
        self.save(instance, data)
        return data
