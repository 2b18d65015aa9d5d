"""Documents: uploads checked (uploads.check_document) and stored privately under a
random name, attached to an editable application or, as inspection photos, to a visit."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.uploads import MAX_DOCUMENT_BYTES, check_document

from ..models import Application, ApplicationDocument, DocumentKind, Inspection
from ._common import INSPECT, S, _has, _lock, _require_filer


def _read(file) -> tuple[bytes, str, int]:
    """The bytes (at most one more than the limit), the file's name and its full size."""
    if isinstance(file, (bytes, bytearray)):
        return bytes(file), "", len(file)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_DOCUMENT_BYTES + 1)
    size = max(len(data), int(getattr(file, "size", 0) or 0))
    return data, getattr(file, "name", "") or "", size


@transaction.atomic
def document_add(
    *,
    application: Application,
    kind: str,
    file,
    actor,
    name: str = "",
    inspection: Inspection | None = None,
) -> ApplicationDocument:
    """Attach a checked document (uploads.check_document: PDF, JPEG or PNG by content, at
    most 5 MB) to an editable application, or an inspection photo by the inspector. The
    file is stored privately under a random name."""
    locked = _lock(application)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Unknown kind of document."), code="bad_kind")
    if kind == DocumentKind.INSPECTION_PHOTO:
        if not _has(actor, (INSPECT,)):
            raise ValidationError(
                _("Only a licence inspector adds inspection photos."), code="forbidden"
            )
        if locked.status != S.INSPECTION:
            raise ValidationError(
                _("Inspection photos are added during the inspection."), code="not_in_inspection"
            )
    else:
        _require_filer(actor, locked.business)
        if locked.status not in Application.EDITABLE:
            raise ValidationError(
                _(
                    "Documents can be added only to a draft or to an "
                    "application returned for correction."
                ),
                code="not_editable",
            )
    data, name, checked = _checked(file, name=name, kind=kind)
    return _store_document(
        locked, kind=kind, data=data, name=name, checked=checked, actor=actor, inspection=inspection
    )


def _checked(file, *, name: str = "", kind: str):
    """Read and check an upload (uploads.check_document) without storing anything:
    (bytes, the name to keep, the check's result)."""
    data, file_name, size = _read(file)
    name = (name or file_name or "document").rsplit("/", 1)[-1][:200]
    return data, name, check_document(data, name=name, kind=kind, size=size)


def _store_document(
    application: Application,
    *,
    kind: str,
    data: bytes,
    name: str,
    checked,
    actor,
    inspection: Inspection | None = None,
) -> ApplicationDocument:
    """Store a checked file privately under a random name and record it (the caller holds
    the application's row lock); the file is deleted again if recording fails."""
    document = ApplicationDocument(
        application=application,
        inspection=inspection,
        kind=kind,
        original_name=name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    document.file.save(f"{uuid.uuid4().hex}{checked.extension}", ContentFile(data), save=False)
    stored = document.file.name
    try:
        with transaction.atomic():
            document.save()
            audit.record(
                action="trade_licence.document_added",
                obj=application,
                actor=actor,
                after={
                    "document": document.pk,
                    "kind": kind,
                    "name": name,
                    "size": checked.size,
                    "sha256": checked.sha256,
                },
            )
    except Exception:
        if stored:
            document.file.storage.delete(stored)
        raise
    return document


@transaction.atomic
def document_remove(*, document: ApplicationDocument, actor) -> None:
    """Remove a document from an editable application (the file goes after the commit)."""
    locked = _lock(document.application)
    _require_filer(actor, locked.business)
    if locked.status not in Application.EDITABLE or document.inspection_id:
        raise ValidationError(_("This document can no longer be removed."), code="not_editable")
    storage, name = document.file.storage, document.file.name
    audit.record(
        action="trade_licence.document_removed",
        obj=locked,
        actor=actor,
        before={
            "document": document.pk,
            "kind": document.kind,
            "name": document.original_name,
            "sha256": document.sha256,
        },
    )
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def document_record_download(*, document: ApplicationDocument, actor, request=None) -> None:
    """Every download of a trader's papers is on record: who, when, from which address
    (the caller has checked selectors.documents_visible_to)."""
    audit.record(
        action="trade_licence.document_downloaded",
        obj=document,
        actor=actor,
        request=request,
        after={
            "application": document.application_id,
            "kind": document.kind,
            "name": document.original_name,
        },
    )
