"""The menu on every page: staff accounts (with a password, core.roles.signs_in_as_staff)
get "My work" and "Staff"; a citizen's pages leave them out without loading the account's
permissions (two queries on every page a citizen opens) — the dashboard too, which sends
staff accounts to their work (core.views.DashboardView)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def nav(response) -> str:
    html = response.content.decode()
    return html[html.index('class="wrap main-nav"') : html.index("</nav>")]


@pytest.mark.parametrize("url", ["/payments/bills/", "/", "/holdings/quick-pay/", "/dashboard/"])
def test_a_citizens_page_reads_no_permissions(client, citizen, url):
    client.force_login(citizen)
    client.get(url)  # the session's first request may touch more
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]
    menu = nav(response)
    assert "My dashboard" in menu and "My work" not in menu and "/staff/" not in menu


def test_staff_see_their_work_and_the_staff_pages(client, make_user):
    clerk = make_user(Role.COUNTER_CLERK, password="s3cret-staff-99")
    client.force_login(clerk)
    response = client.get("/payments/bills/")
    menu = nav(response)
    assert "My work" in menu and "My dashboard" not in menu
    assert 'href="/staff/"' in menu
    # …and the dashboard sends them to their work.
    assert client.get("/dashboard/").status_code == 302
