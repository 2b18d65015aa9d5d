"""The enforcement API: a registered reader's batch of scans answered in order (every
status), stored as sightings once (a replayed batch counts nothing twice), a malformed
batch refused whole with per-item errors and nothing stored; the scan-only token opens
nothing else; traffic staff check a plate."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role
from ezbike.models import ScanDevice, Sighting
from ezbike.services import (
    card_bind,
    card_replace,
    device_register,
    device_revoke,
    licence_set_status,
)

pytestmark = pytest.mark.django_db

SCANS = "/api/ezbike/scans/"
NOW = "2026-12-10T10:30:00+06:00"


@pytest.fixture
def device():
    return device_register(name="Gate 1", place="Shibbari crossing")


def post(client, token, reads, **extra):
    return client.post(
        SCANS,
        data=json.dumps({"reads": reads}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {token}",
        **extra,
    )


@pytest.fixture
def fleet(make_vehicle, license_vehicle, officer):
    """UIDs in every state: valid, suspended, expired, blacklisted (and its valid
    replacement)."""
    uids = {}
    for n, state in enumerate(["valid", "suspended", "expired", "replaced"]):
        vehicle = make_vehicle(n)
        license_vehicle(vehicle)
        uid = f"0A0B0C{n:02d}"
        card = card_bind(vehicle=vehicle, uid=uid, actor=officer)
        licence = vehicle.licences.get()
        if state == "suspended":
            licence_set_status(licence=licence, to="suspended", reason="x", actor=officer)
        if state == "expired":
            licence_set_status(licence=licence, to="expired", actor=officer)
        if state == "replaced":
            card_replace(card=card, new_uid="0A0B0CFF", reason="Lost", actor=officer)
        uids[state] = uid
    return uids


def test_a_batch_is_answered_in_order_with_every_status(client, device, fleet):
    dev, token = device
    reads = [
        {"uid": fleet["valid"], "read_at": NOW, "seq": 1},
        {"uid": fleet["suspended"].lower(), "read_at": NOW, "seq": 2},
        {"uid": fleet["expired"], "read_at": NOW, "seq": 3},
        {"uid": fleet["replaced"], "read_at": NOW, "seq": 4},
        {"uid": "DEADBEEF", "read_at": NOW, "seq": 5},
        {"uid": "0a:0b:0c:ff", "read_at": "2026-12-10T04:30:00Z", "seq": 6},
    ]
    response = post(client, token, reads)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (6, 0)
    assert [(r["uid"], r["status"]) for r in body["results"]] == [
        ("0A0B0C00", "valid"),
        ("0A0B0C01", "suspended"),
        ("0A0B0C02", "expired"),
        ("0A0B0C03", "blacklisted"),
        ("DEADBEEF", "unknown"),
        ("0A0B0CFF", "valid"),
    ]
    assert body["results"][0] == {
        "uid": "0A0B0C00",
        "status": "valid",
        "plate": "KCC-P-07-0001",
        "vehicle_type": "passenger",
        "ward": 7,
    }
    assert body["results"][4] == {
        "uid": "DEADBEEF",
        "status": "unknown",
        "plate": "",
        "vehicle_type": "",
        "ward": None,
    }
    # No personal data anywhere in the answer.
    text = response.content.decode()
    for personal in ("Karim", "করিম", "1990000000", "01712345678", "CH000000"):
        assert personal not in text
    sightings = list(Sighting.objects.order_by("seq").values_list("seq", "uid", "status", "place"))
    assert sightings[0] == (1, "0A0B0C00", "valid", "Shibbari crossing")
    assert [s[2] for s in sightings] == [
        "valid",
        "suspended",
        "expired",
        "blacklisted",
        "unknown",
        "valid",
    ]
    dev.refresh_from_db()
    assert dev.last_contact_at is not None


def test_a_read_after_the_deadline_is_expired(client, device, fleet):
    _dev, token = device
    body = post(
        client, token, [{"uid": fleet["valid"], "read_at": "2027-10-01T08:00:00+06:00", "seq": 1}]
    )
    # A read dated next October is "in the future" today: answered 400.
    assert body.status_code == 400
    import time_machine

    with time_machine.travel("2027-10-01 09:00 +0600"):
        body = post(
            client,
            token,
            [{"uid": fleet["valid"], "read_at": "2027-10-01T08:00:00+06:00", "seq": 1}],
        ).json()
    assert body["results"][0]["status"] == "expired"


def test_a_replayed_batch_counts_nothing_twice(client, device, fleet):
    _dev, token = device
    reads = [{"uid": fleet["valid"], "read_at": NOW, "seq": s} for s in (10, 11, 12)]
    assert post(client, token, reads).json()["accepted"] == 3
    again = post(client, token, reads + [{"uid": fleet["valid"], "read_at": NOW, "seq": 13}])
    body = again.json()
    assert (body["accepted"], body["duplicates"]) == (1, 3)
    assert [r["status"] for r in body["results"]] == ["valid"] * 4
    assert Sighting.objects.count() == 4
    # Another device's seq numbers are its own.
    _other, other_token = device_register(name="Handheld 2", place="Dakbangla")
    assert post(client, other_token, reads).json()["accepted"] == 3
    assert Sighting.objects.count() == 7


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"uid": "XYZ", "read_at": NOW, "seq": 9}, "uid"),
        ({"uid": "0A0B0C00", "read_at": "2027-01-01T00:00:00+06:00", "seq": 9}, "read_at"),
        ({"uid": "0A0B0C00", "read_at": "yesterday", "seq": 9}, "read_at"),
        ({"uid": "0A0B0C00", "read_at": NOW}, "seq"),
        ({"uid": "0A0B0C00", "read_at": NOW, "seq": "9"}, "seq"),
        ({"uid": "0A0B0C00", "read_at": NOW, "seq": -1}, "seq"),
    ],
)
def test_a_malformed_read_refuses_the_whole_batch(client, device, fleet, bad, field):
    _dev, token = device
    reads = [{"uid": fleet["valid"], "read_at": NOW, "seq": 1}, bad]
    response = post(client, token, reads)
    assert response.status_code == 400
    body = response.json()
    assert "No read was stored" in body["reads"][0]
    assert [(i["index"], list(i["errors"])) for i in body["items"]] == [(1, [field])]
    assert not Sighting.objects.exists()


def test_more_than_500_reads_or_no_list_is_refused(client, device):
    _dev, token = device
    reads = [{"uid": "0A0B0C00", "read_at": NOW, "seq": s} for s in range(501)]
    response = post(client, token, reads)
    assert response.status_code == 400
    assert "At most 500 reads" in response.json()["reads"][0]
    assert post(client, token, reads[:500]).status_code == 200
    response = client.post(
        SCANS, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Device {token}"
    )
    assert response.status_code == 400
    assert Sighting.objects.count() == 500


def test_a_batch_takes_a_fixed_number_of_queries(client, device, fleet):
    _dev, token = device
    post(client, token, [{"uid": fleet["valid"], "read_at": NOW, "seq": 0}])  # last contact
    for size in (1, 50, 500):
        reads = [
            {"uid": f"0A0B0C{n % 6:02d}", "read_at": NOW, "seq": 1000 * size + n}
            for n in range(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            assert post(client, token, reads).status_code == 200
        # The device, the statuses, the sightings: last contact was written a moment ago.
        assert len(queries) == 3, [q["sql"][:80] for q in queries.captured_queries]


def test_a_revoked_or_unknown_token_is_refused(client, device):
    dev, token = device
    read = [{"uid": "0A0B0C00", "read_at": NOW, "seq": 1}]
    assert post(client, token + "x", read).status_code == 401
    assert client.post(
        SCANS, data=json.dumps({"reads": read}), content_type="application/json"
    ).status_code in (401, 403)
    device_revoke(device=dev)
    response = post(client, token, read)
    assert response.status_code == 401
    assert not Sighting.objects.exists()


def test_a_signed_in_officer_or_a_drf_token_cannot_post_scans(client, make_user):
    from rest_framework.authtoken.models import Token

    officer = make_user(Role.ADMINISTRATOR)
    client.force_login(officer)
    read = [{"uid": "0A0B0C00", "read_at": NOW, "seq": 1}]
    assert client.post(
        SCANS, data=json.dumps({"reads": read}), content_type="application/json"
    ).status_code in (401, 403)
    client.logout()
    key = Token.objects.create(user=officer).key
    response = client.post(
        SCANS,
        data=json.dumps({"reads": read}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code in (401, 403)


def test_the_scan_token_opens_nothing_else(client, device):
    """Every URL of the permission matrix and the other APIs: with the device's token a
    caller is a stranger (signed-out pages send it to sign in; APIs answer 401/403)."""
    from tests.core.test_pages_and_permissions import ANON, PAGES, expected, outcome

    _dev, token = device
    for header in (f"Device {token}", f"Token {token}", f"Bearer {token}"):
        for url in PAGES:
            response = client.get(url, HTTP_AUTHORIZATION=header)
            got = outcome(response, url)
            want = expected(url, ANON)
            if url.startswith("/api/") and want == "login" and got == "forbidden":
                continue  # DRF answers a stranger 403 where no sign-in page applies
            assert got == want, (header, url, got)
        for method, url in [
            ("get", "/api/bills/"),
            ("post", "/api/payments/"),
            ("get", "/api/payments/X1/"),
            ("get", "/api/me/"),
            ("post", "/api/water/readings/"),
            ("get", "/api/ezbike/plates/KCC-P-07-0001/"),
            ("get", "/api/schema/"),
            ("get", "/ezbike/devices/"),
            ("get", "/ezbike/cards/"),
        ]:
            response = getattr(client, method)(
                url,
                data=json.dumps({}) if method == "post" else None,
                content_type="application/json",
                HTTP_AUTHORIZATION=header,
            )
            assert response.status_code in (302, 401, 403), (header, url, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"]


def test_traffic_staff_check_a_plate(client, make_user, fleet):
    url = "/api/ezbike/plates/KCC-P-07-0001/"
    client.force_login(make_user(Role.TRAFFIC_STAFF))
    assert client.get(url).json() == {
        "uid": fleet["valid"],
        "status": "valid",
        "plate": "KCC-P-07-0001",
        "vehicle_type": "passenger",
        "ward": 7,
    }
    # The Bengali form, as a traffic constable may type it.
    assert client.get("/api/ezbike/plates/খুসিক-যা-০৭-০০০২/").json()["status"] == "suspended"
    assert client.get("/api/ezbike/plates/KCC-P-07-0004/").json()["uid"] == "0A0B0CFF"
    assert client.get("/api/ezbike/plates/KCC-P-07-0999/").status_code == 404
    assert client.get("/api/ezbike/plates/nonsense/").status_code == 404
    client.force_login(make_user(Role.CITIZEN))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.EBIKE_OFFICER))
    assert client.get(url).status_code == 200


def test_register_scan_device_prints_the_token_last(client):
    out = io.StringIO()
    call_command("register_scan_device", "Gate 7", "--place", "Royal crossing", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    device = ScanDevice.objects.get(name="Gate 7")
    assert device.place == "Royal crossing" and token.startswith("ezs_")
    assert token not in device.token_hash
    response = post(client, token, [{"uid": "0A0B0C00", "read_at": NOW, "seq": 1}])
    assert response.json()["results"][0]["status"] == "unknown"


def test_the_endpoints_are_in_the_openapi_schema(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/ezbike/scans/" in schema and "/api/ezbike/plates/{plate}/" in schema
    assert "scanDevice" in schema
