"""The e-bike officer's pages: scan devices (register — the token shown once —, revoke) and
RFID cards (find by plate, bind, replace)."""

from __future__ import annotations

import json
import re

import pytest

from ezbike.models import RfidCard, ScanDevice

pytestmark = pytest.mark.django_db


def test_register_a_device_see_its_token_once_and_revoke_it(client, officer):
    client.force_login(officer)
    page = client.post("/ezbike/devices/", {"name": "Gate 3", "place": "Boyra"})
    assert page.status_code == 200
    token = re.search(r'<code id="device-token">([^<]+)</code>', page.content.decode()).group(1)
    device = ScanDevice.objects.get(name="Gate 3")
    listing = client.get("/ezbike/devices/").content.decode()
    assert "Gate 3" in listing and token not in listing
    reads = {"reads": [{"uid": "0A0B0C00", "read_at": "2026-12-10T10:00:00+06:00", "seq": 1}]}
    scan = {"content_type": "application/json", "HTTP_AUTHORIZATION": f"Device {token}"}
    assert client.post("/api/ezbike/scans/", json.dumps(reads), **scan).status_code == 200
    response = client.post(f"/ezbike/devices/{device.pk}/revoke/", follow=True)
    assert "is revoked" in response.content.decode()
    device.refresh_from_db()
    assert not device.active and device.revoked_by == officer
    assert client.post("/api/ezbike/scans/", json.dumps(reads), **scan).status_code == 401
    form = client.post("/ezbike/devices/", {"name": "", "place": ""})
    assert form.status_code == 200 and ScanDevice.objects.count() == 1


def test_bind_and_replace_a_card_from_the_page(client, officer, licensed):
    client.force_login(officer)
    page = client.get("/ezbike/cards/", {"plate": "kcc p 07 0001"}).content.decode()
    assert "E-bike KCC-P-07-0001" in page and "Bind a card to the plate" in page
    assert (
        "No e-bike has this plate"
        in client.get("/ezbike/cards/", {"plate": "KCC-P-07-0999"}).content.decode()
    )
    bad = client.post("/ezbike/cards/", {"plate": "KCC-P-07-0001", "action": "bind", "uid": "zz"})
    assert "hexadecimal" in bad.content.decode() and not RfidCard.objects.exists()
    done = client.post(
        "/ezbike/cards/",
        {"plate": "KCC-P-07-0001", "action": "bind", "uid": "04a21b3c"},
        follow=True,
    )
    text = done.content.decode()
    assert "The card is bound" in text and "Replace the card" in text and "Valid" in text
    replaced = client.post(
        "/ezbike/cards/",
        {"plate": "KCC-P-07-0001", "action": "replace", "uid": "04A21B3D", "reason": "Lost"},
        follow=True,
    )
    assert "The card replacement fee ৳500.00 is billed to the owner" in replaced.content.decode()
    assert dict(RfidCard.objects.values_list("uid", "status")) == {
        "04A21B3C": "blacklisted",
        "04A21B3D": "in_use",
    }


def test_traffic_staff_check_a_plate_on_the_page(client, make_user, licensed, officer):
    from core.roles import Role
    from ezbike.services import card_bind

    card_bind(vehicle=licensed, uid="04A21B3C", actor=officer)
    client.force_login(make_user(Role.TRAFFIC_STAFF))
    page = client.get("/ezbike/plates/", {"plate": "kcc-p-07-0001"}).content.decode()
    assert "E-bike KCC-P-07-0001" in page and "Valid" in page and "04A21B3C" in page
    assert "Karim" not in page and "1990000000" not in page
    missing = client.get("/ezbike/plates/", {"plate": "KCC-P-07-0999"}).content.decode()
    assert "No e-bike has this plate number." in missing
    assert (
        "Enter a plate number such as"
        in client.get("/ezbike/plates/", {"plate": "?"}).content.decode()
    )
