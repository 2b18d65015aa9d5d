"""POST /api/water/readings/: a meter reader's batch, each item through reading_submit with
its own result; at most 500; readers and the water officer only; a repeated batch is not
recorded twice; in the OpenAPI schema. Today is 10 December 2026."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from water_billing.models import Reading

pytestmark = pytest.mark.django_db
URL = "/api/water/readings/"


def api_for(user, lang="en") -> APIClient:
    client = APIClient()
    client.cookies["kcc_language"] = lang
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_each_item_has_its_result_and_bad_ones_do_not_stop_the_others(connection, reader):
    response = api_for(reader).post(
        URL,
        {
            "readings": [
                {"consumer_no": "03-00001", "reading": "1018", "read_on": "2026-11-05"},
                {"consumer_no": "03-00099", "reading": "5", "read_on": "2026-12-05"},
                {"consumer_no": "03-00001", "reading": "-3", "read_on": "2026-12-05"},
                {"consumer_no": "03-00001", "reading": "1030", "read_on": "2026-12-31"},
                {"consumer_no": "03-00001", "read_on": "2026-12-05"},
                {"consumer_no": "03-00001", "reading": "1030", "read_on": "2026-12-05"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["saved"], body["repeated"], body["errors"]) == (2, 0, 4)
    results = body["results"]
    assert [r["result"] for r in results] == ["saved", "error", "error", "error", "error", "saved"]
    assert results[0]["status"] == "ok" and results[0]["consumption"] == 18
    assert results[0]["period"] == "2026-11-01"
    assert "03-00099" in results[1]["errors"][""][0]
    assert "negative" in results[2]["errors"]["reading"][0]
    assert "future" in results[3]["errors"]["read_on"][0]
    assert "reading" in results[4]["errors"]
    assert Reading.objects.count() == 2


def test_bengali_digits_and_bengali_answers(connection, reader):
    response = api_for(reader, "bn").post(
        URL,
        {"readings": [{"consumer_no": "০৩-০০০০১", "reading": "১,০১৮", "read_on": "২০২৬-১২-০৫"}]},
        format="json",
    )
    result = response.json()["results"][0]
    assert result["result"] == "saved" and result["consumption"] == 18
    assert "১,০১৮" in result["message"]
    assert Reading.objects.get().value == 1018


def test_a_repeated_batch_does_not_record_twice(connection, reader):
    batch = {"readings": [{"consumer_no": "03-00001", "reading": 1018, "read_on": "2026-12-05"}]}
    client = api_for(reader)
    first = client.post(URL, batch, format="json").json()
    again = client.post(URL, batch, format="json").json()
    assert first["results"][0]["result"] == "saved"
    assert again["results"][0]["result"] == "repeated" and again["repeated"] == 1
    assert Reading.objects.count() == 1


def test_citizens_are_refused(connection, citizen):
    batch = {"readings": [{"consumer_no": "03-00001", "reading": "1018", "read_on": "2026-12-05"}]}
    response = api_for(citizen).post(URL, batch, format="json")
    assert response.status_code == 403
    assert APIClient().post(URL, batch, format="json").status_code in (401, 403)
    assert Reading.objects.count() == 0


def test_the_water_officer_may_send_readings_through_the_session(client, connection, officer):
    client.force_login(officer)
    batch = {"readings": [{"consumer_no": "03-00001", "reading": "1018", "read_on": "2026-12-05"}]}
    response = client.post(URL, batch, content_type="application/json")
    assert response.status_code == 200 and response.json()["saved"] == 1


@pytest.mark.parametrize("size", [0, 501])
def test_a_batch_is_one_to_500_readings(reader, size):
    item = {"consumer_no": "03-00001", "reading": "1", "read_on": "2026-12-05"}
    response = api_for(reader).post(URL, {"readings": [item] * size}, format="json")
    assert response.status_code == 400 and "readings" in response.json()


def test_the_endpoint_is_in_the_openapi_schema(client, make_user):
    from core.roles import Role

    client.force_login(make_user(Role.ADMINISTRATOR))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/water/readings/" in schema and "ReadingBatchResult" in schema


def test_the_reading_date_sets_the_month(connection, reader):
    api_for(reader).post(
        URL,
        {"readings": [{"consumer_no": "03-00001", "reading": "1018", "read_on": "2026-10-30"}]},
        format="json",
    )
    assert Reading.objects.get().period == date(2026, 10, 1)
