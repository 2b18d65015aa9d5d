"""One declaration per app (core.portal): the home page's cards, the citizen dashboard's
panels, each role's work links, payment hooks and verify lookups all come from the apps'
portal.py; a URL name that does not resolve fails `manage.py check`; a service nobody
declared is absent from every page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from core import portal
from core.roles import Role


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_every_installed_app_with_pages_is_declared_once():
    keys = [s.key for s in portal.specs()]
    for key in (
        "core",
        "accounts",
        "payments",
        "holdings",
        "trade_licenses",
        "water_billing",
        "market_leases",
        "ezbike",
    ):
        assert keys.count(key) == 1
    with pytest.raises(ValueError, match="declared twice"):
        portal.register(portal.ServiceSpec(key="holdings", title="Again"))


@pytest.mark.django_db
def test_home_page_shows_only_the_declared_services(client):
    page = english(client).get("/").content.decode()
    assert "Holding tax" in page and "Trade licence" in page
    assert 'href="/holdings/quick-pay/"' in page
    for absent in ("Water bills", "Market shops", "Coming soon"):
        assert absent not in page


@pytest.mark.django_db
def test_role_links_come_from_the_declarations(client, make_user):
    clerk = make_user(Role.COUNTER_CLERK)
    english(client).force_login(clerk)
    page = client.get(f"/staff/{Role.COUNTER_CLERK}/").content.decode()
    assert 'href="/payments/counter/"' in page and 'href="/holdings/counter/"' in page
    estate = make_user(Role.ESTATE_OFFICER)
    client.force_login(estate)
    page = client.get(f"/staff/{Role.ESTATE_OFFICER}/").content.decode()
    assert 'href="/markets/officer/"' in page and 'href="/markets/officer/rent/"' in page
    assert "Coming soon" not in page


def test_a_wrong_url_name_fails_the_system_check(monkeypatch):
    monkeypatch.setitem(
        portal._specs,
        "broken",
        portal.ServiceSpec(
            key="broken",
            title="Broken",
            role_links=[
                portal.RoleLink(Role.ASSESSOR, "Renamed page", "holding_assessor_queue_old")
            ],
        ),
    )
    errors = portal.check_declared_urls()
    assert [e.id for e in errors] == ["core.E101"]
    assert "'holding_assessor_queue_old'" in errors[0].msg
    with pytest.raises(SystemCheckError, match="holding_assessor_queue_old"):
        call_command("check")


def test_an_unknown_revenue_head_fails_the_system_check(monkeypatch):
    from payments.portal import check_revenue_heads

    monkeypatch.setitem(
        portal._specs,
        "odd",
        portal.ServiceSpec(key="odd", title="Odd", revenue_heads=["holding_tax", "parking"]),
    )
    assert [e.id for e in check_revenue_heads()] == ["payments.E101"]


def test_the_declared_check_passes_for_the_real_apps():
    assert portal.check_declared_urls() == []
    call_command("check")  # raises SystemCheckError on any error


@pytest.mark.django_db
def test_dashboard_panels_come_from_the_declarations(client, citizen):
    client.force_login(citizen)
    page = english(client).get("/dashboard/").content.decode()
    for key in ("owe", "holdings", "licences", "payments"):
        assert f'data-section="{key}"' in page
    for absent in ("connections", "shops", "ebikes"):
        assert f'data-section="{absent}"' not in page
