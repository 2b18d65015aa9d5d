"""API token rotation: one live token per user, audited, its key shown exactly once."""

import pytest
from rest_framework.authtoken.models import Token

from accounts import services
from core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_a_second_rotation_replaces_the_first_token(citizen):
    first = services.user_rotate_api_token(user=citizen)
    second = services.user_rotate_api_token(user=citizen)
    assert first.key != second.key
    assert list(Token.objects.filter(user=citizen).values_list("key", flat=True)) == [second.key]
    rows = AuditLog.objects.filter(action="user.api_token_created", object_id=str(citizen.pk))
    assert [row.after["replaced"] for row in rows.order_by("pk")] == [False, True]
    assert all(row.actor == citizen for row in rows)


def test_the_old_token_stops_working(client, citizen):
    first = services.user_rotate_api_token(user=citizen)
    services.user_rotate_api_token(user=citizen)
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {first.key}").status_code == 401


def test_the_new_key_is_shown_only_once(client, citizen):
    client.force_login(citizen)
    client.cookies["kcc_language"] = "en"
    response = client.post("/accounts/profile/token/", follow=True)
    key = Token.objects.get(user=citizen).key
    assert key in response.content.decode()
    assert "new_token" not in client.session
    again = client.get("/accounts/profile/").content.decode()
    assert key not in again
    assert "You have an API token. Creating a new one replaces it." in again
