"""NUL characters and malformed path parameters answer 400 / 404, never 500
(core.middleware.RejectMalformedInputMiddleware)."""

from __future__ import annotations

import json

import pytest

from core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client(client):
    """A client that sees what a browser would: server errors as 500 answers."""
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/payments/p/P260101abc%00def/",  # percent-encoded in a path parameter
        "/verify/AB%00CD/",
        "/licences/search/?q=abc%00",  # in the query string
        "/?next=%00",
        "/payments/p/P1/?x=1&y=%00",
    ],
)
def test_nul_in_path_or_query_is_a_400(strict_client, citizen, url):
    strict_client.force_login(citizen)
    response = strict_client.get(url)
    assert response.status_code == 400, url
    assert response["Content-Type"].startswith("text/plain")


def test_raw_nul_in_the_path_is_a_400(strict_client):
    assert strict_client.get("/verify/AB\x00CD/").status_code == 400


def test_nul_in_a_form_field_is_a_400(strict_client):
    response = strict_client.post("/accounts/login/", {"login": "0171\x001234567", "password": "x"})
    assert response.status_code == 400


def test_nul_in_a_form_field_name_is_a_400(strict_client):
    response = strict_client.post("/accounts/login/", {"log\x00in": "01711234567"})
    assert response.status_code == 400


def test_nul_in_a_json_body_is_a_400(strict_client, citizen):
    strict_client.force_login(citizen)
    response = strict_client.post(
        "/api/payments/", json.dumps({"bills": ["B\u0000-1"]}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")  # refused before the API


def test_refusal_is_translated(strict_client):
    strict_client.cookies["kcc_language"] = "en"
    english = strict_client.get("/?q=%00").content.decode()
    assert "NUL character" in english
    strict_client.cookies["kcc_language"] = "bn"
    bengali = strict_client.get("/?q=%00").content.decode()
    assert bengali != english and "NUL" in bengali


def test_ordinary_requests_pass(strict_client, citizen):
    strict_client.force_login(citizen)
    assert strict_client.get("/?q=100%25").status_code == 200
    # A percent sign followed by 00 in the decoded value is not a NUL.
    assert strict_client.get("/payments/p/P%2500/").status_code == 404
    assert (
        strict_client.post(
            "/api/payments/", json.dumps({"bills": ["nope"]}), content_type="application/json"
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    "url",
    [
        "/holdings/99999999999999999999999/",  # beyond bigint
        "/licences/certificate/99999999999999999999999.pdf",
        "/payments/p/%ED%A0%80/",  # invalid UTF-8
        "/verify/%FF%FE/",
        "/api/payments/%C0%AF/",
    ],
)
def test_malformed_path_parameters_are_a_404(strict_client, make_user, url):
    strict_client.force_login(make_user(Role.CITIZEN))
    assert strict_client.get(url).status_code == 404
