"""A reader's batch of card reads: checked as a whole (one malformed read refuses the batch
and stores nothing), answered with one SELECT of the card lookup, stored with one INSERT
(a device's sequence number counts once: a batch sent again counts nothing twice), and the
device's last contact written at most once a minute.

The statuses: "valid" (an active licence, before its renewal deadline on the day of the
read), "expired" (the deadline passed without a renewal), "suspended" (suspended or seized),
"blacklisted" (a replaced or lost card) and "unknown" (a UID not in the register). Never
personal data: the plate, the vehicle type and the ward only."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.digits import localize_digits

from ..models import CardLookup, ScanDevice, Sighting
from ..numbers import uid_or_none

MAX_READS = 500
MAX_SEQ = 2**63 - 1
#: A device's last contact is written at most this often.
CONTACT_EVERY = datetime.timedelta(seconds=60)

STATUSES = ("valid", "expired", "suspended", "blacklisted", "unknown")

Row = tuple[str, str, str, int | None, datetime.date | None]  # status, plate, type, ward, until


class BatchRefused(Exception):
    """A malformed batch: `errors` is the answer's body (nothing was stored)."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__("malformed batch")
        self.errors = errors


def _clock_skew() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "EZBIKE_SCAN_CLOCK_SKEW_SECONDS", 300))


def _read_at(value: object, latest: datetime.datetime) -> tuple[datetime.datetime | None, str]:
    if not isinstance(value, str) or not value or len(value) > 40:
        return None, _("Give the time of the read as ISO 8601, such as 2026-12-05T14:03:21+06:00.")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None, _("Give the time of the read as ISO 8601, such as 2026-12-05T14:03:21+06:00.")
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    if moment > latest:
        return None, _("The time of the read is in the future: check the reader's clock.")
    return moment, ""


def parse_batch(
    data: object, *, now: datetime.datetime
) -> list[tuple[str, datetime.datetime, int]]:
    """The batch's reads as (uid, read_at, seq), or BatchRefused with an error per item
    (its index, and per field the messages) or for the batch as a whole."""
    reads = data.get("reads") if isinstance(data, dict) else None
    if not isinstance(reads, list) or not reads:
        raise BatchRefused({"reads": [_('Send the reads as a list: {"reads": [...]}.')]})
    if len(reads) > MAX_READS:
        raise BatchRefused(
            {
                "reads": [
                    _("At most %(max)s reads in a batch; this one has %(count)s.")
                    % {"max": localize_digits(MAX_READS), "count": localize_digits(len(reads))}
                ]
            }
        )
    latest = now + _clock_skew()
    parsed: list[tuple[str, datetime.datetime, int]] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(reads):
        if not isinstance(item, dict):
            errors.append({"index": index, "errors": {"": [_("Each read is an object.")]}})
            continue
        problems: dict[str, list[str]] = {}
        uid = uid_or_none(item.get("uid"))
        if uid is None:
            problems["uid"] = [_("The card's UID is 8 to 20 hexadecimal digits (0-9, A-F).")]
        moment, message = _read_at(item.get("read_at"), latest)
        if message:
            problems["read_at"] = [message]
        seq = item.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_SEQ:
            problems["seq"] = [_("Give the read's sequence number: a whole number from 0.")]
        if problems:
            errors.append(
                {"index": index, "uid": str(item.get("uid", ""))[:40], "errors": problems}
            )
        elif not errors:
            parsed.append((uid, moment, seq))  # type: ignore[arg-type]
    if errors:
        raise BatchRefused(
            {
                "reads": [_("No read was stored: correct these and send the batch again.")],
                "items": errors,
            }
        )
    return parsed


def lookup(uids: Sequence[str]) -> dict[str, Row]:
    """The lookup rows of these UIDs, in one SELECT."""
    table = CardLookup._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT uid, status, plate, vehicle_type, ward, valid_until FROM {table} "  # noqa: S608
                "WHERE uid = ANY(%s)",
                [list(uids)],
            )
        else:
            marks = ", ".join(["%s"] * len(uids))
            cursor.execute(
                f"SELECT uid, status, plate, vehicle_type, ward, valid_until FROM {table} "  # noqa: S608
                f"WHERE uid IN ({marks})",
                list(uids),
            )
        rows = cursor.fetchall()
    return {
        uid: (status, plate, vehicle_type, ward, _as_date(until))
        for uid, status, plate, vehicle_type, ward, until in rows
    }


def _as_date(value: object) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value  # type: ignore[return-value]
    return datetime.date.fromisoformat(str(value))  # SQLite gives text


def answer(uid: str, row: Row | None, day: datetime.date) -> dict[str, Any]:
    """What a reader is told about `uid` on `day`."""
    if row is None:
        return {"uid": uid, "status": "unknown", "plate": "", "vehicle_type": "", "ward": None}
    status, plate, vehicle_type, ward, valid_until = row
    if status == "valid" and (valid_until is None or day > valid_until):
        status = "expired"
    return {
        "uid": uid,
        "status": status,
        "plate": plate,
        "vehicle_type": vehicle_type,
        "ward": ward,
    }


def scan_batch(
    *, device: ScanDevice, data: object, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """Answer and store a device's batch: {"accepted", "duplicates", "results"}; a
    malformed batch raises BatchRefused and stores nothing."""
    now = now or timezone.now()
    reads = parse_batch(data, now=now)
    rows = lookup(list({uid for uid, _at, _seq in reads}))
    tz = timezone.get_current_timezone()
    results = [answer(uid, rows.get(uid), at.astimezone(tz).date()) for uid, at, _seq in reads]
    accepted = _store(device, reads, results, now)
    _touch(device, now)
    return {"accepted": accepted, "duplicates": len(reads) - accepted, "results": results}


def _store(device: ScanDevice, reads, results, now: datetime.datetime) -> int:
    """One INSERT of every read; a (device, seq) already stored is skipped. Returns how
    many were new. On PostgreSQL the reads go as four arrays (the statement's text is the
    same for every batch, so the driver parses it once); elsewhere as rows of values."""
    table = Sighting._meta.db_table
    columns = "(device_id, place, uid, read_at, seq, status, received_at)"
    conflict = "ON CONFLICT (device_id, seq) DO NOTHING RETURNING seq"
    statuses = [result["status"] for result in results]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} {columns} "  # noqa: S608
                "SELECT %s, %s, r.uid, r.read_at, r.seq, r.status, %s "
                "FROM unnest(%s::varchar[], %s::timestamptz[], %s::bigint[], %s::varchar[]) "
                f"AS r(uid, read_at, seq, status) {conflict}",
                [
                    device.pk,
                    device.place,
                    now,
                    [uid for uid, _at, _seq in reads],
                    [at for _uid, at, _seq in reads],
                    [seq for _uid, _at, seq in reads],
                    statuses,
                ],
            )
        else:
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(reads))
            params: list[Any] = []
            # Moments as Django stores them there (SQLite: UTC, no offset), not the driver's
            # text of an aware datetime, which its date functions would read as UTC.
            moment = connection.ops.adapt_datetimefield_value
            for (uid, at, seq), status in zip(reads, statuses, strict=True):
                params += [device.pk, device.place, uid, moment(at), seq, status, moment(now)]
            cursor.execute(
                f"INSERT INTO {table} {columns} VALUES {values} {conflict}",  # noqa: S608
                params,
            )
        return len(cursor.fetchall())


def _touch(device: ScanDevice, now: datetime.datetime) -> None:
    """The device's last contact, written when it is over a minute old."""
    last = device.last_contact_at
    if last is not None and now - last < CONTACT_EVERY:
        return
    ScanDevice.objects.filter(pk=device.pk).exclude(
        last_contact_at__gte=now - CONTACT_EVERY
    ).update(last_contact_at=now)
    device.last_contact_at = now


def plate_status(plate: str, *, day: datetime.date | None = None) -> dict[str, Any] | None:
    """What traffic staff are told about a plate (the same answer as a reader's, with the
    UID of the card in use, "" for none); None for a plate not in the register."""
    from ..models import Licence, RfidCard, Vehicle
    from .cards import SCAN_STATUS

    vehicle = Vehicle.objects.select_related("ward").filter(plate_no=plate).first()
    if vehicle is None:
        return None
    licence = (
        Licence.objects.filter(vehicle=vehicle, status__in=Licence.ISSUED)
        .order_by("-fiscal_year")
        .first()
    )
    status = SCAN_STATUS.get(licence.status, "expired") if licence else "expired"
    card = vehicle.cards.filter(status=RfidCard.Status.IN_USE).values_list("uid", flat=True).first()
    row: Row = (
        status,
        vehicle.plate_no or "",
        vehicle.vehicle_type,
        vehicle.ward.number,
        licence.valid_until if licence else None,
    )
    return answer(card or "", row, day or timezone.localdate())
