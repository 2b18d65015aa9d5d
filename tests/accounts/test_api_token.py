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
    services.user_rotate_api_token(user=citizen)  # issued by an administrator
    client.force_login(citizen)
    client.cookies["kcc_language"] = "en"
    response = client.post("/accounts/profile/token/", follow=True)
    key = Token.objects.get(user=citizen).key
    assert key in response.content.decode()
    assert "new_token" not in client.session
    again = client.get("/accounts/profile/").content.decode()
    assert key not in again
    assert "You have an API token. Creating a new one replaces it." in again


def test_token_controls_only_for_accounts_that_use_the_api(client, citizen, make_user):
    from core.roles import Role

    client.cookies["kcc_language"] = "en"
    client.force_login(citizen)
    page = client.get("/accounts/profile/").content.decode()
    assert "API access" not in page and "/accounts/profile/token/" not in page
    # Asking anyway makes no token and says why.
    response = client.post("/accounts/profile/token/", follow=True)
    assert not Token.objects.filter(user=citizen).exists()
    assert "API tokens are for accounts that use the API." in response.content.decode()

    clerk = make_user(Role.COUNTER_CLERK)
    client.force_login(clerk)
    assert "API access" not in client.get("/accounts/profile/").content.decode()

    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    assert "API access" in client.get("/accounts/profile/").content.decode()
    client.post("/accounts/profile/token/")
    assert Token.objects.filter(user=admin).exists()

    # An account an administrator issued a token to replaces it itself.
    services.user_rotate_api_token(user=citizen, actor=admin)
    client.force_login(citizen)
    assert "You have an API token." in client.get("/accounts/profile/").content.decode()
