"""Each role lands on its own work after signing in; staff never on the citizen dashboard."""

import pytest

from core.roles import Role
from core.views import landing_url

pytestmark = pytest.mark.django_db

LANDING = {
    Role.COUNTER_CLERK: "/payments/counter/",
    Role.LICENCE_INSPECTOR: "/licences/officer/inspections/",
    Role.LICENCE_OFFICER: "/licences/officer/approvals/",
    Role.ASSESSOR: "/holdings/officer/assessor/",
    Role.ESTATE_OFFICER: "/markets/officer/",
    Role.EBIKE_OFFICER: "/ezbike/cards/",
    Role.TRAFFIC_STAFF: "/ezbike/plates/",
    Role.REVENUE_OFFICER: "/payments/revenue/collections/",
    Role.ADMINISTRATOR: "/staff/",
}


@pytest.mark.parametrize(("role", "url"), LANDING.items())
def test_each_staff_role_lands_on_its_own_work(client, make_user, role, url):
    user = make_user(role, password="s3cret-staff-99")  # staff sign in with one
    assert landing_url(user) == url
    client.force_login(user)
    # The citizen dashboard sends staff to their work; that page opens for them.
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200


def test_a_citizen_lands_on_the_dashboard(client, citizen):
    assert landing_url(citizen) == "/dashboard/"
    client.force_login(citizen)
    assert client.get("/dashboard/").status_code == 200
