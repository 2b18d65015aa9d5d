"""Health check, API schema and docs, token auth, throttling, audit log, city configuration."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from core.models import AuditLog, CityProfile, Ward

pytestmark = pytest.mark.django_db


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "ok"


def test_schema_and_docs_are_served_without_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    assert b"/api/me/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn.jsdelivr" not in docs and "unpkg" not in docs


def test_token_authentication(client, citizen):
    token = Token.objects.create(user=citizen)
    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["mobile"] == citizen.mobile
    assert response.json()["roles"] == ["citizen"]
    assert client.get("/api/me/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_citizen_creates_token_from_profile(client, citizen):
    client.force_login(citizen)
    client.post("/accounts/profile/token/")
    assert Token.objects.filter(user=citizen).count() == 1
    assert AuditLog.objects.filter(action="user.api_token_created").count() == 1


def test_api_is_throttled(client, citizen):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    client.force_login(citizen)
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/min"}
    try:
        codes = [client.get("/api/me/").status_code for _ in range(5)]
    finally:
        UserRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [200, 200, 200, 429, 429]


def test_profile_update_is_audited_with_before_and_after(client, citizen):
    client.force_login(citizen)
    ward = Ward.objects.get(number=5)
    response = client.post("/accounts/profile/", {
        "name_bn": "করিম মিয়া", "name_en": "Karim Mia", "email": "", "nid": "১২৩৪৫৬৭৮৯০",
        "address": "Khalishpur", "ward": ward.pk, "preferred_language": "bn",
    }, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.nid == "1234567890"
    entry = AuditLog.objects.get(action="user.profile_updated")
    assert entry.actor == citizen
    assert entry.before["name_bn"] == "করিম" and entry.after["name_bn"] == "করিম মিয়া"
    assert entry.after["nid"] == "1234567890"
    assert entry.ip_address == "203.0.113.9"


@pytest.mark.parametrize("nid", ["12345", "১২৩৪৫৬৭৮৯০১", "abcdefghij"])
def test_bad_nid_is_refused_and_nothing_changes(client, citizen, nid):
    client.force_login(citizen)
    response = client.post("/accounts/profile/", {
        "name_bn": "নতুন নাম", "name_en": "", "email": "", "nid": nid, "address": "",
        "ward": "", "preferred_language": "bn",
    })
    assert response.status_code == 200
    assert "১০, ১৩ বা ১৭" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.name_bn == "করিম" and citizen.nid == ""
    assert not AuditLog.objects.filter(action="user.profile_updated").exists()


def test_kcc_is_seeded_with_31_wards():
    profile = CityProfile.current()
    assert profile.code == "KCC"
    assert Ward.objects.count() == 31


def test_another_city_by_configuration_alone():
    call_command("load_city", "core/cities/gazipur.json")
    profile = CityProfile.current()
    assert profile.name_en == "Gazipur City Corporation"
    assert Ward.objects.count() == 57
    assert AuditLog.objects.filter(action="city.loaded").exists()


def test_audit_log_is_append_only(citizen):
    from core import audit

    entry = audit.record(action="test.thing", obj=citizen, after={"x": 1})
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_seed_demo_is_idempotent():
    from accounts.models import User

    call_command("seed_demo")
    first = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == first >= 10  # one per role, the citizen, the trader


def test_deploy_checks_pass_under_production_settings():
    """The same check CI runs: no warning at all under production settings."""
    import os
    import secrets
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**env, "DJANGO_SETTINGS_MODULE": "kcc_portal.settings.production",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "portal.example.gov.bd",
           "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://u@localhost/x",
           "SSLCOMMERZ_BASE_URL": "https://sandbox.sslcommerz.com"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                             "--fail-level", "WARNING"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
