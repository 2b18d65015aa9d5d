"""Permission matrix: every page, every role, and anonymous visitors.

allowed → 200; forbidden → 403; anonymous on a private page → sent to sign-in.
Grows with every page that is added.
"""

import pytest

from core.roles import Role
from core.views import landing_url

pytestmark = pytest.mark.django_db

ANON = "anonymous"
ALL_ROLES = [r.value for r in Role]
STAFF = [r.value for r in Role if r != Role.CITIZEN]

# url -> roles allowed ("*" = everyone signed in; PUBLIC = also anonymous)
PUBLIC = "public"
ANON_ONLY = "anonymous only"  # signed-in visitors are sent on to their dashboard
PAGES: dict[str, object] = {
    "/": PUBLIC,
    "/healthz": PUBLIC,
    "/accounts/login/": ANON_ONLY,
    "/accounts/signup/": ANON_ONLY,
    "/accounts/login/code/": ANON_ONLY,
    "/api/schema/": STAFF,
    "/api/docs/": STAFF,
    "/dashboard/": "*",
    "/accounts/profile/": "*",
    "/api/me/": "*",
    "/staff/": STAFF,
    "/staff/counter_clerk/": [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    "/staff/licence_inspector/": [Role.LICENCE_INSPECTOR, Role.ADMINISTRATOR],
    "/staff/licence_officer/": [Role.LICENCE_OFFICER, Role.ADMINISTRATOR],
    "/staff/assessor/": [Role.ASSESSOR, Role.ADMINISTRATOR],
    "/staff/estate_officer/": [Role.ESTATE_OFFICER, Role.ADMINISTRATOR],
    "/staff/ebike_officer/": [Role.EBIKE_OFFICER, Role.ADMINISTRATOR],
    "/staff/water_officer/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/staff/meter_reader/": [Role.METER_READER, Role.ADMINISTRATOR],
    "/staff/traffic_staff/": [Role.TRAFFIC_STAFF, Role.ADMINISTRATOR],
    "/staff/revenue_officer/": [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    "/staff/administrator/": [Role.ADMINISTRATOR],
    "/admin/": [Role.ADMINISTRATOR],
    "/payments/bills/": "*",
    "/payments/history/": "*",
    "/payments/counter/": [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    "/payments/counter/close/": [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    "/payments/revenue/sessions/": [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    "/payments/revenue/payments/": [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    "/payments/revenue/credits/": [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    "/api/bills/": "*",
    "/holdings/": "*",
    "/holdings/link/": "*",
    "/holdings/quick-pay/": PUBLIC,
    "/holdings/counter/": [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    "/holdings/import/": [Role.ASSESSOR, Role.ADMINISTRATOR],
    "/holdings/officer/assessor/": [Role.ASSESSOR, Role.ADMINISTRATOR],
    "/holdings/officer/demand/": [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    "/holdings/officer/collection/": [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    "/holdings/officer/defaulters/": [Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    "/licences/": "*",
    "/licences/apply/": "*",
    "/licences/search/": PUBLIC,
    "/licences/counter/apply/": [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    "/licences/officer/inspections/": [Role.LICENCE_INSPECTOR, Role.ADMINISTRATOR],
    "/licences/officer/approvals/": [Role.LICENCE_OFFICER, Role.ADMINISTRATOR],
    "/licences/officer/reports/": [Role.LICENCE_OFFICER, Role.REVENUE_OFFICER, Role.ADMINISTRATOR],
    "/water/readings/": [Role.METER_READER, Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/readings/import/": [Role.METER_READER, Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/readings/import/sample.csv": [
        Role.METER_READER,
        Role.WATER_OFFICER,
        Role.ADMINISTRATOR,
    ],
    "/water/readings/review/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/apply/": "*",
    "/water/applications/": "*",
    "/water/counter/apply/": [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    "/water/officer/applications/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/officer/arrears/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/officer/reports/collection/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/officer/reports/ageing/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/officer/reports/unread/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/officer/reports/flagged/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/billing/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/": "*",
    "/water/link/": "*",
    "/markets/": "*",
    "/api/shops/": "*",
    "/markets/counter/": [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    "/markets/officer/": [Role.ESTATE_OFFICER, Role.ADMINISTRATOR],
    "/markets/officer/shops/": [Role.ESTATE_OFFICER, Role.ADMINISTRATOR],
    "/markets/officer/rent/": [Role.ESTATE_OFFICER, Role.ADMINISTRATOR],
    "/markets/officer/arrears/": [Role.ESTATE_OFFICER, Role.ADMINISTRATOR],
    "/ezbike/devices/": [Role.EBIKE_OFFICER, Role.ADMINISTRATOR],
    "/ezbike/cards/": [Role.EBIKE_OFFICER, Role.ADMINISTRATOR],
    "/ezbike/plates/": [Role.TRAFFIC_STAFF, Role.EBIKE_OFFICER, Role.ADMINISTRATOR],
    "/ezbike/": "*",
    "/ezbike/apply/": "*",
    "/ezbike/counter/apply/": [Role.COUNTER_CLERK, Role.ADMINISTRATOR],
    "/ezbike/officer/applications/": [Role.EBIKE_OFFICER, Role.ADMINISTRATOR],
    "/ezbike/officer/fleet/": [Role.EBIKE_OFFICER, Role.ADMINISTRATOR],
    "/ezbike/officer/licences/": [Role.EBIKE_OFFICER, Role.ADMINISTRATOR],
    "/ezbike/officer/sightings/": [Role.EBIKE_OFFICER, Role.ADMINISTRATOR],
}


def expected(url: str, role: str) -> str:
    rule = PAGES[url]
    if rule == PUBLIC:
        return "ok"
    if rule == ANON_ONLY:
        return "ok" if role == ANON else "to dashboard"
    if role == ANON:
        return "login"
    if rule == "*" or role in rule:
        return "ok"
    return "forbidden"


def outcome(response, url: str) -> str:
    if response.status_code == 200:
        return "ok"
    if response.status_code == 403:
        return "forbidden"
    location = response.get("Location", "")
    if response.status_code == 302 and location == "/dashboard/":
        return "to dashboard"
    if response.status_code in (302, 401) and (
        "/accounts/login/" in location or "/admin/login/" in location or response.status_code == 401
    ):
        # The admin sends signed-in non-staff to its own login page too.
        return "login"
    return f"HTTP {response.status_code} {location}"


@pytest.mark.parametrize("role", [ANON, *ALL_ROLES])
def test_permission_matrix(client, make_user, role):
    user = None
    if role != ANON:
        user = make_user(role, password="pw-matrix-123")
        client.force_login(user)
    mismatches = []
    for url in PAGES:
        got = outcome(client.get(url), url)
        want = expected(url, role)
        if role not in (ANON, Role.CITIZEN) and (url == "/dashboard/" or want == "to dashboard"):
            # Staff are sent to their own work, never to the citizen dashboard.
            want = f"HTTP 302 {landing_url(user)}"
        if url == "/admin/" and role not in (ANON, Role.ADMINISTRATOR):
            want = "login"  # the admin's own convention for signed-in non-staff
        if url == "/api/me/" and role == ANON:
            want = "login"
        if got != want:
            mismatches.append(f"{role} {url}: expected {want}, got {got}")
    assert not mismatches, "\n".join(mismatches)


#: Pages of one object (made by the `water_objects` fixture), as PAGES: "{run}", "{bill}",
#: "{code}" and "{consumer_no}" are filled in; OWNER = the connection's account holder too.
OWNER = "owner"
WATER_STAFF = [Role.WATER_OFFICER, Role.COUNTER_CLERK, Role.REVENUE_OFFICER, Role.ADMINISTRATOR]
OBJECT_PAGES: dict[str, object] = {
    "/water/billing/runs/{run}/": [Role.WATER_OFFICER, Role.ADMINISTRATOR],
    "/water/bills/{bill}/pdf/": [OWNER, *WATER_STAFF],
    "/water/pay/{code}/": PUBLIC,
    "/water/connections/{consumer_no}/": [OWNER, *WATER_STAFF],
}


@pytest.fixture
def water_objects(make_user):
    """A water connection linked to a citizen (the owner), its November 2026 bill and the
    billing run that made it."""
    from datetime import date

    from holdings.services import holding_create
    from water_billing.billing import generate_water_bills
    from water_billing.defaults import ensure_default_tariff
    from water_billing.models import BillingRun, WaterBill
    from water_billing.services import (
        connection_register,
        connection_set_status,
        meter_install,
        reading_record,
    )

    ensure_default_tariff()
    officer = make_user(Role.WATER_OFFICER)
    owner = make_user(Role.CITIZEN, mobile="01819000001")
    holding_create(ward=3, number="45", road="Sir Iqbal Road")
    c = connection_register(ward=3, holding_number="45", user=owner, actor=officer)
    meter_install(
        connection=c, serial="M-1", installed_on=date(2026, 1, 1), initial_reading=0, actor=officer
    )
    connection_set_status(connection=c, to="active", actor=officer, on=date(2026, 1, 1))
    reading_record(
        connection=c, period="2026-11", value=18, read_on=date(2026, 11, 28), source="office"
    )
    generate_water_bills("2026-11", bill_date=date(2026, 12, 2))
    bill = WaterBill.objects.get(connection=c)
    run = BillingRun.objects.create(
        period=date(2026, 11, 1), bill_date=date(2026, 12, 2), status="done"
    )
    return {
        "owner": owner,
        "run": run.pk,
        "bill": bill.pk,
        "code": bill.verify_code,
        "consumer_no": c.consumer_no,
    }


@pytest.mark.parametrize("role", [ANON, OWNER, *ALL_ROLES])
def test_permission_matrix_of_object_pages(client, make_user, water_objects, role):
    user = None
    if role == OWNER:
        user = water_objects["owner"]
    elif role != ANON:
        user = make_user(role, password="pw-matrix-123")
    if user is not None:
        client.force_login(user)
    mismatches = []
    for pattern, rule in OBJECT_PAGES.items():
        url = pattern.format(**water_objects)
        PAGES[url] = rule
        try:
            got, want = outcome(client.get(url), url), expected(url, role)
        finally:
            del PAGES[url]
        if got != want:
            mismatches.append(f"{role} {url}: expected {want}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_every_staff_role_has_a_dashboard_and_matrix_covers_it():
    from core.roles import ROLE_DASHBOARD_PERMISSION

    for role in ROLE_DASHBOARD_PERMISSION:
        assert f"/staff/{role}/" in PAGES


def test_unknown_staff_dashboard_is_404(client, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get("/staff/nobody/").status_code == 404
