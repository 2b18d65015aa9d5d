"""Demo e-bikes (seed_demo): a fleet of a few hundred over every ward — most licensed for
this fiscal year with an RFID card, some expired (not renewed), some suspended, one whose
lost card was replaced (its UID blacklisted) —, two scan devices at crossings with a few
days of sightings (unknown and expired cards among them), and through the services one by
one:

- the demo citizen's two e-bikes: one licensed this year with a card and a driver, one whose
  licence of last year expired (the owner's page offers the renewal);
- an application from home waiting for the e-bike officer (its application fee billed).

The fleet is written set-based (one statement a table, numbers taken from the same counters
the services use), so the demo stays quick. Deterministic (a fixed random seed) and
idempotent: what exists is left alone."""

from __future__ import annotations

import datetime
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from core.fiscal import fiscal_year, next_fiscal_year, previous_fiscal_year

from .defaults import ensure_schedule
from .models import (
    CardLookup,
    Licence,
    LicenceStatusChange,
    NumberCounter,
    Owner,
    RfidCard,
    ScanDevice,
    Sighting,
    Vehicle,
    VehicleType,
)
from .numbers import licence_number, plate_number

FLEET = 300
EXPIRED, SUSPENDED = 30, 20  # of the fleet; the rest active
CHASSIS_PREFIX = "DEMO"
NAMES = [
    ("আব্দুল করিম", "Abdul Karim"),
    ("মোহাম্মদ আলী", "Mohammad Ali"),
    ("রফিকুল ইসলাম", "Rafiqul Islam"),
    ("জাহিদ হাসান", "Zahid Hasan"),
    ("নাসির উদ্দিন", "Nasir Uddin"),
    ("শফিকুল আলম", "Shafiqul Alam"),
    ("মনিরুজ্জামান", "Moniruzzaman"),
    ("সাইফুল ইসলাম", "Saiful Islam"),
]
DEVICES = [("শিববাড়ি মোড় গেট", "শিববাড়ি মোড়"), ("ডাকবাংলা হ্যান্ডহেল্ড", "ডাকবাংলা মোড়")]
SUSPENDED_WHY = "ফিটনেস সনদ নেই।"
EXPIRED_WHY = "নবায়নের শেষ তারিখের মধ্যে নবায়ন হয়নি।"


def _png(name: str) -> SimpleUploadedFile:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(data, format="PNG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


def _pdf(name: str) -> SimpleUploadedFile:
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _take(key: str, n: int) -> int:
    """Take `n` numbers of the counter `key` at once: the first of them."""
    counter, _created = NumberCounter.objects.select_for_update().get_or_create(fiscal_year=key)
    first = counter.last + 1
    counter.last += n
    counter.save(update_fields=["last"])
    return first


@transaction.atomic
def _fleet(rng: random.Random, today: datetime.date) -> list[Vehicle]:
    from core.models import Ward

    fy = fiscal_year(today)
    wards = list(Ward.objects.order_by("number"))
    valid_until = ensure_schedule(next_fiscal_year(fy)).renewal_deadline
    two_back = previous_fiscal_year(previous_fiscal_year(fy))
    expired_until = ensure_schedule(previous_fiscal_year(fy)).renewal_deadline
    plan: list[dict[str, Any]] = []
    for i in range(FLEET):
        ward = wards[i % len(wards)]
        kind = VehicleType.GOODS if i % 7 == 3 else VehicleType.PASSENGER
        state = "expired" if i < EXPIRED else "suspended" if i < EXPIRED + SUSPENDED else "active"
        plan.append({"i": i, "ward": ward, "kind": kind, "state": state})
    owners = Owner.objects.bulk_create(
        [
            Owner(
                nid=f"{2600000000 + p['i']}",
                name_bn=NAMES[p["i"] % len(NAMES)][0],
                name_en=NAMES[p["i"] % len(NAMES)][1],
                mobile=f"0191{p['i']:07d}",
                nid_address=f"ওয়ার্ড {p['ward'].number}, খুলনা",
                nid_ward=p["ward"],
            )
            for p in plan
        ]
    )
    first_licence = _take("licence", len(plan))
    serials: dict[tuple[str, int], int] = {}
    for p in plan:
        key = (p["kind"], p["ward"].number)
        serials[key] = serials.get(key, 0) + 1
        p["serial_offset"] = serials[key]
    starts = {key: _take(f"plate-{key[0]}-{key[1]}", count) - 1 for key, count in serials.items()}
    vehicles = Vehicle.objects.bulk_create(
        [
            Vehicle(
                owner=owner,
                vehicle_type=p["kind"],
                ward=p["ward"],
                chassis_no=f"{CHASSIS_PREFIX}{p['i']:05d}",
                motor_no=f"DMOT{p['i']:05d}",
                battery_count=rng.choice((4, 4, 5, 6)),
                licence_no=licence_number(first_licence + p["i"]),
                plate_no=plate_number(
                    vehicle_type=p["kind"],
                    ward=p["ward"].number,
                    serial=starts[(p["kind"], p["ward"].number)] + p["serial_offset"],
                ),
                verify_code=f"{rng.getrandbits(64):016x}",
            )
            for p, owner in zip(plan, owners, strict=True)
        ]
    )
    licences = Licence.objects.bulk_create(
        [
            Licence(
                vehicle=v,
                fiscal_year=two_back if p["state"] == "expired" else fy,
                kind=Licence.Kind.NEW,
                status=p["state"],
                valid_until=expired_until if p["state"] == "expired" else valid_until,
            )
            for p, v in zip(plan, vehicles, strict=True)
        ]
    )
    history = []
    for p, lic in zip(plan, licences, strict=True):
        moves = [("", "applied", ""), ("applied", "approved", ""), ("approved", "active", "")]
        if p["state"] == "expired":
            moves.append(("active", "expired", EXPIRED_WHY))
        elif p["state"] == "suspended":
            moves.append(("active", "suspended", SUSPENDED_WHY))
        history += [
            LicenceStatusChange(licence=lic, from_status=a, to_status=b, reason=why)
            for a, b, why in moves
        ]
    LicenceStatusChange.objects.bulk_create(history)
    # Cards: every e-bike but the expired; the first active one's card was lost and replaced.
    carded = [(p, v) for p, v in zip(plan, vehicles, strict=True) if p["state"] != "expired"]
    cards = RfidCard.objects.bulk_create(
        [RfidCard(uid=f"{0xD0000000 + p['i']:08X}", vehicle=v) for p, v in carded]
    )
    lost = RfidCard.objects.create(
        uid="D0FFFFFF",
        vehicle=carded[-1][1],
        status=RfidCard.Status.BLACKLISTED,
        blacklisted_at=timezone.now(),
        blacklist_reason="হারিয়ে গেছে।",
        replaced_by=cards[-1],
    )
    scan = {"active": "valid", "suspended": "suspended"}
    CardLookup.objects.bulk_create(
        [
            CardLookup(
                uid=card.uid,
                status=scan[p["state"]],
                plate=v.plate_no or "",
                vehicle_type=v.vehicle_type,
                ward=v.ward.number,
                valid_until=valid_until if p["state"] == "active" else None,
            )
            for (p, v), card in zip(carded, cards, strict=True)
        ]
        + [
            CardLookup(
                uid=lost.uid,
                status="blacklisted",
                plate=carded[-1][1].plate_no or "",
                vehicle_type=carded[-1][1].vehicle_type,
                ward=carded[-1][1].ward.number,
            )
        ],
        ignore_conflicts=True,
    )
    return vehicles


def _sightings(rng: random.Random, now: datetime.datetime) -> None:
    """Three days of reads at the two demo devices: most of licensed cards, some of cards
    not in the register, of expired e-bikes' old cards and of the blacklisted card."""
    devices = []
    for name, place in DEVICES:
        device = ScanDevice.objects.filter(name=name).first()
        if device is None:
            from .services import device_register

            device, _token = device_register(name=name, place=place)
        devices.append(device)
    if Sighting.objects.filter(device__in=devices).exists():
        return
    lookups = dict(CardLookup.objects.values_list("uid", "status"))
    known = sorted(lookups)
    rows = []
    for seq in range(1, 401):
        device = devices[seq % 2]
        roll = rng.random()
        if roll < 0.1:
            uid = f"{rng.getrandbits(32):08X}"
        elif roll < 0.13:
            uid = "D0FFFFFF"
        else:
            uid = rng.choice(known)
        read_at = now - datetime.timedelta(minutes=rng.randrange(1, 3 * 24 * 60))
        rows.append(
            Sighting(
                device=device,
                place=device.place,
                uid=uid,
                read_at=read_at,
                seq=seq,
                status=lookups.get(uid, "unknown"),
                received_at=read_at,
            )
        )
    Sighting.objects.bulk_create(rows)


def _citizens_e_bikes(citizen, officer) -> None:
    """The demo citizen's two e-bikes, through the services."""
    from .services import (
        card_bind,
        driver_assign,
        driver_register,
        licence_apply,
        licence_approve,
        licence_set_status,
        owner_register,
        vehicle_register,
    )

    if Vehicle.objects.filter(chassis_no="DEMOCITIZEN1").exists():
        return
    fy = fiscal_year(timezone.localdate())
    owner = Owner.objects.filter(nid="1234567890").first() or owner_register(
        nid="1234567890",
        name_bn=citizen.name_bn,
        name_en=citizen.name_en,
        nid_ward=1,
        nid_address="১২ কেডিএ এভিনিউ, খুলনা",
        mobile=citizen.mobile,
        user=citizen,
        actor=officer,
    )
    licensed = vehicle_register(
        owner=owner, chassis_no="DEMOCITIZEN1", motor_no="DEMOMOTOR1", battery_count=4
    )
    driver = driver_register(
        nid="1975000001", driving_licence_no="KH0012345", name_bn="সেলিম মিয়া", actor=officer
    )
    driver_assign(driver=driver, vehicle=licensed, actor=officer)
    lapsed = vehicle_register(
        owner=owner,
        vehicle_type=VehicleType.GOODS,
        chassis_no="DEMOCITIZEN2",
        motor_no="DEMOMOTOR2",
        battery_count=5,
    )
    for vehicle, year in ((licensed, fy), (lapsed, previous_fiscal_year(fy))):
        licence = licence_apply(vehicle=vehicle, fiscal_year=year, actor=officer)
        licence_approve(licence=licence, actor=officer)
        licence_set_status(licence=licence, to=Licence.Status.ACTIVE, actor=officer)
    card_bind(vehicle=licensed, uid="0C17E2B1", actor=officer)
    licence_set_status(
        licence=lapsed.licences.get(), to=Licence.Status.EXPIRED, reason=EXPIRED_WHY, actor=officer
    )


def _waiting_application() -> None:
    """An application from home in the e-bike officer's queue."""
    from accounts.models import User

    from .services.applications import application_submit

    if Vehicle.objects.filter(chassis_no="DEMOAPPLIED1").exists():
        return
    applicant = User.objects.filter(mobile="01919000001").first() or User.objects.create_user(
        mobile="01919000001", name_bn="হাবিবুর রহমান", mobile_verified=True
    )
    application_submit(
        owner={
            "nid": "1985000001",
            "name_bn": "হাবিবুর রহমান",
            "mobile": "01919000001",
            "ward": 5,
            "address": "খালিশপুর, খুলনা",
            "photo": _png("owner.png"),
        },
        vehicle={
            "vehicle_type": VehicleType.PASSENGER,
            "chassis_no": "DEMOAPPLIED1",
            "motor_no": "DEMOAPPMOTOR1",
            "battery_count": 4,
        },
        drivers=[
            {
                "nid": "1975000002",
                "driving_licence_no": "KH0067890",
                "name_bn": "হাবিবুর রহমান",
                "photo": _png("driver.png"),
            }
        ],
        documents={"vehicle_photo": _png("ebike.png"), "ownership": _pdf("receipt.pdf")},
        applicant=applicant,
        actor=applicant,
    )


def seed() -> list[tuple[str, str, str]]:
    from accounts.demo import CITIZEN_MOBILE, DEMO_STAFF
    from accounts.models import User
    from core.roles import Role

    rng = random.Random(2025)
    today = timezone.localdate()
    if not Vehicle.objects.filter(chassis_no__startswith=CHASSIS_PREFIX + "0").exists():
        _fleet(rng, today)
    officer_mobile = next(m for r, m, *_ in DEMO_STAFF if r == Role.EBIKE_OFFICER)
    officer = User.objects.filter(mobile=officer_mobile).first()
    citizen = User.objects.filter(mobile=CITIZEN_MOBILE).first()
    if citizen is not None and officer is not None:
        _citizens_e_bikes(citizen, officer)
    _waiting_application()
    _sightings(rng, timezone.now())
    return []
