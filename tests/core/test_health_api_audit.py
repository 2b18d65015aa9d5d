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


def test_schema_and_docs_are_served_without_cdn(client, make_user):
    client.force_login(make_user("revenue_officer"))  # API docs are for staff
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


def test_an_api_user_replaces_the_token_from_profile(client, citizen):
    first = Token.objects.create(user=citizen)  # issued by an administrator
    client.force_login(citizen)
    client.post("/accounts/profile/token/")
    assert list(Token.objects.filter(user=citizen).exclude(key=first.key)) != []
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
    response = client.post(
        "/accounts/profile/",
        {
            "name_bn": "করিম মিয়া",
            "name_en": "Karim Mia",
            "email": "",
            "nid": "১২৩৪৫৬৭৮৯০",
            "address": "Khalishpur",
            "ward": ward.pk,
            "preferred_language": "bn",
        },
        REMOTE_ADDR="203.0.113.9",
    )
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
    response = client.post(
        "/accounts/profile/",
        {
            "name_bn": "নতুন নাম",
            "name_en": "",
            "email": "",
            "nid": nid,
            "address": "",
            "ward": "",
            "preferred_language": "bn",
        },
    )
    assert response.status_code == 200
    assert "১০, ১৩ বা ১৭" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.name_bn == "করিম" and citizen.nid == ""
    assert not AuditLog.objects.filter(action="user.profile_updated").exists()


def test_kcc_is_seeded_with_31_wards():
    profile = CityProfile.current()
    assert profile.code == "KCC"
    assert Ward.objects.count() == 31


def test_load_city_refuses_to_drop_a_ward_still_in_use(tmp_path):
    """A bill on ward 31 and a file with 30 wards: a clear error, and nothing changes."""
    import json
    from datetime import date
    from decimal import Decimal

    from django.core.management.base import CommandError

    from core.cities import HERE
    from payments.services import LineSpec, bill_issue

    bill_issue(
        service="test",
        subject_type="demo",
        subject_id="W31",
        dues=["W31"],
        lines=[LineSpec(head="holding_tax", amount=Decimal("100.00"))],
        fiscal_year_label="2025-26",
        due_date=date(2026, 6, 30),
        ward=Ward.objects.get(number=31),
    )
    data = json.loads((HERE / "kcc.json").read_text(encoding="utf-8"))
    data["name_en"] = "Renamed City Corporation"
    data["wards"] = [w for w in data["wards"] if w["number"] != 31]
    for zone in data.get("zones", []):
        zone["wards"] = [n for n in zone.get("wards", []) if n != 31]
    path = tmp_path / "thirty.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    name_before = CityProfile.current().name_en

    with pytest.raises(CommandError, match=r"ward\(s\) 31 that are still in use"):
        call_command("load_city", str(path))

    assert Ward.objects.count() == 31 and Ward.objects.filter(number=31).exists()
    assert CityProfile.current().name_en == name_before
    assert not AuditLog.objects.filter(action="city.loaded").exists()


def test_another_city_by_configuration_alone():
    call_command("load_city", "core/cities/gazipur.json")
    profile = CityProfile.current()
    assert profile.name_en == "Gazipur City Corporation"
    assert Ward.objects.count() == 57
    assert AuditLog.objects.filter(action="city.loaded").exists()


def test_audit_log_is_append_only(citizen):
    from core import audit

    entry = audit.record(action="test.thing", obj=citizen, after={"x": 1})
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


@pytest.mark.parametrize("missing", ["SSLCOMMERZ_STORE_ID", "SSLCOMMERZ_STORE_PASSWORD"])
def test_production_settings_refuse_the_demo_gateway_credentials(missing):
    """base.py falls back to the demo store; production must be given real credentials."""
    import os
    import secrets
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "SSLCOMMERZ_STORE_ID", "SSLCOMMERZ_STORE_PASSWORD")
    }
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "portal.example.gov.bd",
            "DATABASE_URL": "postgres://u@localhost/x",
            "SITE_URL": "https://portal.example.gov.bd",
            "SSLCOMMERZ_BASE_URL": "https://sandbox.sslcommerz.com",
            "SSLCOMMERZ_STORE_ID": "store",
            "SSLCOMMERZ_STORE_PASSWORD": "secret",
        }
    )
    del env[missing]
    result = subprocess.run(
        [sys.executable, "-c", "import kcc_portal.settings.production"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set in the environment" in result.stderr


def _production_env(**changes: str | None) -> dict[str, str]:
    """A complete production environment, with `changes` applied (None removes a name)."""
    import os
    import secrets

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SITE_URL")}
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "portal.example.gov.bd",
            "DATABASE_URL": "postgres://u@localhost/x",
            "SITE_URL": "https://portal.example.gov.bd",
            "SSLCOMMERZ_BASE_URL": "https://sandbox.sslcommerz.com",
            "SSLCOMMERZ_STORE_ID": "store",
            "SSLCOMMERZ_STORE_PASSWORD": "secret",
        }
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@pytest.mark.parametrize(
    ("site_url", "message"),
    [
        (None, "SITE_URL must be set in the environment"),
        ("", "SITE_URL must be set in the environment"),
        ("http://portal.example.gov.bd", "SITE_URL must be an https:// URL"),
        ("portal.example.gov.bd", "SITE_URL must be an https:// URL"),
        ("https://", "SITE_URL must be an https:// URL"),
    ],
)
def test_production_settings_refuse_to_start_without_an_https_site_url(site_url, message):
    """Every QR code on paper (receipts, certificates) and the gateway's callbacks embed
    SITE_URL: production never falls back to base.py's http://127.0.0.1:8000."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import kcc_portal.settings.production"],
        env=_production_env(SITE_URL=site_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_take_an_https_site_url():
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kcc_portal.settings import production as p; "
            "print(p.SITE_URL, p.CSRF_TRUSTED_ORIGINS)",
        ],
        env=_production_env(SITE_URL="https://portal.example.gov.bd/"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://portal.example.gov.bd",
        "['https://portal.example.gov.bd']",
    ]


@pytest.mark.parametrize("force", [False, True])
def test_seed_demo_refuses_without_the_simulator_unless_forced(settings, force):
    """Production settings disable the simulator: the demo (a known administrator password,
    password resets on the demo numbers) must not run there by accident."""
    from django.core.management.base import CommandError

    from accounts.demo import CITIZEN_MOBILE, DEMO_STAFF
    from accounts.models import User

    settings.SSLCOMMERZ_SIMULATOR_ENABLED = False
    demo_mobiles = [CITIZEN_MOBILE] + [row[1] for row in DEMO_STAFF]
    users_before = User.objects.count()
    if not force:
        with pytest.raises(CommandError, match="--force"):
            call_command("seed_demo")
        assert User.objects.count() == users_before
        assert not User.objects.filter(mobile__in=demo_mobiles).exists()
        assert not User.objects.filter(is_superuser=True).exists()
    else:
        call_command("seed_demo", "--force")
        assert User.objects.filter(mobile__in=demo_mobiles).count() == len(demo_mobiles)


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
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "kcc_portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example.gov.bd",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://u@localhost/x",
        "SITE_URL": "https://portal.example.gov.bd",
        "SSLCOMMERZ_BASE_URL": "https://sandbox.sslcommerz.com",
        "SSLCOMMERZ_STORE_ID": "ci-store",
        "SSLCOMMERZ_STORE_PASSWORD": "ci-store-password",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_client_ip_ignores_x_forwarded_for_without_trusted_proxies(rf, settings):
    from core.audit import client_ip

    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == "10.0.0.5"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


def test_client_ip_counts_trusted_proxies_from_the_right(rf, settings):
    from core.audit import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; our one proxy appended what it really saw.
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.20")
    assert client_ip(request) == "203.0.113.20"
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.20, 10.0.0.9"
    )
    assert client_ip(request) == "203.0.113.20"
    # No header, or garbage in it: the direct peer.
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == "10.0.0.5"


def test_audit_row_takes_the_forwarded_client_behind_a_trusted_proxy(client, citizen, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    Token.objects.create(user=citizen)  # an account that uses the API
    client.force_login(citizen)
    client.post(
        "/accounts/profile/token/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.30"
    )
    assert AuditLog.objects.get(action="user.api_token_created").ip_address == "203.0.113.30"


def test_drf_counts_the_same_proxies():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT


@pytest.mark.django_db
def test_a_snapshot_writes_a_file_field_by_its_name_or_empty():
    from django.core.files.base import ContentFile

    from core.audit import snapshot
    from holdings.models import ReportExport

    export = ReportExport(kind=ReportExport.Kind.DEFAULTERS)
    assert snapshot(export, ["file"]) == {"file": ""}  # no file: no error, an empty name
    export.file.save("defaulters.xlsx", ContentFile(b"x"), save=False)
    assert snapshot(export, ["file"])["file"].startswith("holdings/exports/defaulters")
    export.file.delete(save=False)
