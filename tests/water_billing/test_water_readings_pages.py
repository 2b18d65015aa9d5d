"""The meter reader's route page (/water/readings/): choose the ward and block (remembered),
the connections in walking order with their meter, last reading and 6-month average, one
reading saved at a time, then the next connection not read yet, with what became of the
reading said in the reader's language. Today is 10 December 2026."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from water_billing.models import Connection, Reading
from water_billing.services import connection_register, connection_set_status, meter_install
from water_billing.services.readings import reading_record

pytestmark = pytest.mark.django_db
URL = "/water/readings/"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["kcc_language"] = "en"


def add_connection(officer, *, walk_order, block="A", serial, start=1000):
    c = connection_register(ward=3, holding_number="45/a", actor=officer)
    meter_install(
        connection=c,
        serial=serial,
        installed_on=date(2026, 1, 1),
        initial_reading=start,
        actor=officer,
    )
    connection_set_status(connection=c, to="active", actor=officer, on=date(2026, 1, 1))
    Connection.objects.filter(pk=c.pk).update(block=block, walk_order=walk_order)
    c.refresh_from_db()
    return c


@pytest.fixture
def route(officer, holding):
    """Three connections in block A walked in the order second, third, first registered;
    each read 12 m³ a month from June to November."""
    first = add_connection(officer, walk_order=30, serial="M-A")
    second = add_connection(officer, walk_order=10, serial="M-B")
    third = add_connection(officer, walk_order=20, serial="M-C")
    for c in (first, second, third):
        for m in range(6, 12):
            reading_record(
                connection=c,
                period=f"2026-{m:02d}",
                value=1000 + 12 * (m - 5),
                read_on=date(2026, m, 5),
                source="reader_phone",
            )
    return [second, third, first]


def form(c, reading, read_on="2026-12-10", **extra):
    return {
        "connection": c.pk,
        f"c{c.pk}-reading": reading,
        f"c{c.pk}-read_on": read_on,
        f"c{c.pk}-note": "",
        **{f"c{c.pk}-{k}": v for k, v in extra.items()},
    }


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_route_in_walking_order_with_last_reading_and_average(client, reader, route):
    client.force_login(reader)
    response = client.get(URL, {"ward": 3, "block": "A"})
    assert response.status_code == 200
    body = response.content.decode()
    positions = [body.index(f'id="stop-{c.pk}"') for c in route]
    assert positions == sorted(positions)
    page = text(response)
    assert "M-B" in page and "1072 (November 2026)" in page
    assert "12 m³ a month" in page


def test_the_last_choice_is_remembered(client, reader, route):
    client.force_login(reader)
    client.get(URL, {"ward": 3, "block": "A"})
    response = client.get(URL)
    assert f'id="stop-{route[0].pk}"' in response.content.decode()


def test_the_route_takes_a_fixed_number_of_queries(client, reader, route, officer):
    client.force_login(reader)
    client.get(URL, {"ward": 3, "block": "A"})
    with CaptureQueriesContext(db) as few:
        client.get(URL)
    for n in range(4):
        add_connection(officer, walk_order=40 + n, serial=f"M-X{n}")
    with CaptureQueriesContext(db) as more:
        client.get(URL)
    assert len(more) == len(few)


def test_saving_goes_on_to_the_next_connection_and_says_saved(client, reader, route):
    client.force_login(reader)
    response = client.post(URL, form(route[0], "১,০৮৪"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#id_c{route[1].pk}-reading")
    saved = Reading.objects.get(connection=route[0], period=date(2026, 12, 1))
    assert (saved.value, saved.status, saved.source, saved.read_by) == (
        1084,
        "ok",
        "reader_phone",
        reader,
    )
    page = text(client.get(response["Location"]))
    assert f"Saved: {route[0].consumer_no} read 1,084, 12 cubic metres used." in page


def test_the_next_connection_skips_those_already_read(client, reader, route):
    client.force_login(reader)
    client.post(URL, form(route[1], "1084"))
    response = client.post(URL, form(route[0], "1084"))
    assert response["Location"].endswith(f"#id_c{route[2].pk}-reading")


def test_held_and_flagged_are_said_plainly(client, reader, route):
    client.force_login(reader)
    held = client.get(client.post(URL, form(route[0], "1000"))["Location"])
    assert "Not billed: " in text(held)
    assert "below the previous reading 1072" in text(held)
    spike = client.get(client.post(URL, form(route[1], "1200"))["Location"])
    assert "flagged for the water officer as a spike" in text(spike)
    zero = client.get(client.post(URL, form(route[2], "1072"))["Location"])
    assert "flagged for the water officer as zero use" in text(zero)


def test_outcomes_in_bengali(client, reader, route):
    client.cookies["kcc_language"] = "bn"
    client.force_login(reader)
    page = text(client.get(client.post(URL, form(route[0], "1084"))["Location"]))
    assert "১,০৮৪" in page and "1,084" not in page


@pytest.mark.parametrize(
    ("typed", "read_on", "says"),
    [
        ("abc", "2026-12-10", "is not a meter reading"),
        ("-5", "2026-12-10", "cannot be negative"),
        ("1084", "2026-12-11", "is in the future"),
        ("", "2026-12-10", "This field is required"),
    ],
)
def test_mistakes_are_shown_at_the_connection_and_nothing_is_saved(
    client, reader, route, typed, read_on, says
):
    client.force_login(reader)
    response = client.post(URL, form(route[1], typed, read_on))
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and says in page
    assert f'href="#id_c{route[1].pk}-' in response.content.decode()
    assert not Reading.objects.filter(period=date(2026, 12, 1)).exists()


def test_a_second_reading_for_the_month_is_refused_but_the_same_one_again_is_not(
    client, reader, route
):
    client.force_login(reader)
    client.post(URL, form(route[0], "1084"))
    again = client.post(URL, form(route[0], "1084"))
    assert again.status_code == 302
    assert "Already recorded" in text(client.get(again["Location"]))
    other = client.post(URL, {**form(route[0], "1090"), "connection": route[0].pk})
    assert other.status_code == 200 and "already has a reading" in text(other)
    assert Reading.objects.filter(connection=route[0], period=date(2026, 12, 1)).count() == 1


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_a_photo_of_the_meter_is_kept_privately_under_a_random_name(
    client, reader, officer, route, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(reader)
    photo = SimpleUploadedFile("IMG_2041 my meter.png", png(), content_type="image/png")
    client.post(URL, form(route[0], "1084", photo=photo))
    r = Reading.objects.get(connection=route[0], period=date(2026, 12, 1))
    assert re.fullmatch(r"water/readings/[0-9a-f]{32}\.png", r.photo.name)
    assert (tmp_path / "private" / r.photo.name).exists()
    client.force_login(officer)
    got = client.get(f"/water/readings/{r.pk}/photo/")
    assert got.status_code == 200 and got["Content-Type"] == "image/png"


def test_a_file_that_is_not_a_photo_is_refused(client, reader, route):
    client.force_login(reader)
    fake = SimpleUploadedFile("meter.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(URL, form(route[0], "1084", photo=fake))
    assert "A photo must be a JPEG or PNG image." in text(response)
    assert not Reading.objects.filter(period=date(2026, 12, 1)).exists()


def test_citizens_may_not_record_readings(client, citizen, route):
    client.force_login(citizen)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(route[0], "1084")).status_code == 403
    assert not Reading.objects.filter(period=date(2026, 12, 1)).exists()


def test_the_water_officer_may_record_a_reading(client, officer, route):
    client.force_login(officer)
    assert client.post(URL, form(route[0], "1084")).status_code == 302
