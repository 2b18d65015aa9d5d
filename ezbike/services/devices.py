"""Scan devices: registered with a scan-only token (only its SHA-256 kept), revoked by an
e-bike officer."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ScanDevice
from ._common import record

#: Every scan token starts so; the rest is 32 random bytes (URL-safe base64).
TOKEN_PREFIX = "ezs_"  # noqa: S105 - a prefix, not a secret


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def device_register(*, name: str, place: str, actor=None) -> tuple[ScanDevice, str]:
    """Register a reader at a place; returns it with its token, shown this once."""
    name, place = (name or "").strip(), (place or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Name the device.")
    if not place:
        errors["place"] = _("Say where the device reads cards.")
    if errors:
        raise ValidationError(errors)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = ScanDevice.objects.create(
        name=name[:100], place=place[:200], token_hash=token_hash(token), created_by=actor
    )
    record("device_register", device, actor=actor, after={"name": name, "place": place})
    return device, token


@transaction.atomic
def device_revoke(*, device: ScanDevice, actor=None, reason: str = "") -> ScanDevice:
    """Revoke a device's token: from now on its requests are refused."""
    row = ScanDevice.objects.select_for_update().get(pk=device.pk)
    if row.active:
        row.active = False
        row.revoked_at = timezone.now()
        row.revoked_by = actor
        row.save(update_fields=["active", "revoked_at", "revoked_by"])
        record("device_revoke", row, actor=actor, reason=reason, after={"active": False})
    device.active, device.revoked_at = row.active, row.revoked_at
    return device


def active_device(digest: str) -> ScanDevice | None:
    """The active device whose token has this SHA-256 (the scan endpoint's one query for
    it: the fields the scans need, without the ORM's row building)."""
    if connection.vendor != "postgresql":
        return ScanDevice.objects.filter(token_hash=digest, active=True).first()
    table = ScanDevice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, name, place, last_contact_at FROM {table} "  # noqa: S608
            "WHERE token_hash = %s AND active",
            [digest],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    pk, name, place, last_contact_at = row
    return ScanDevice(
        pk=pk, name=name, place=place, last_contact_at=last_contact_at, token_hash=digest
    )
