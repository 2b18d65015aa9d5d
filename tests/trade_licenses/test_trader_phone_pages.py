"""The trader's pages a person can act on: the empty licence form shows an error summary
linked to each field with "Error: " before the page title; the documents page tells the
browser the upload limit (checked there before sending, static/js/portal.js); the age of an
application counts from its submission and stops once it is decided."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from core.uploads import MAX_DOCUMENT_BYTES
from trade_licenses.models import Application
from trade_licenses.services import application_submit, application_transition

from .conftest import DHAKA

S = Application.Status
pytestmark = pytest.mark.django_db


def page_of(response) -> str:
    return response.content.decode()


def test_the_empty_form_shows_an_error_summary_linked_to_each_field(client, make_user):
    client.force_login(make_user())
    client.cookies["kcc_language"] = "en"
    page = page_of(client.get("/licences/apply/"))
    assert "data-error-summary" not in page and "<title>Apply for a trade licence" in page

    page = page_of(client.post("/licences/apply/", {}))
    assert "<title>Error: Apply for a trade licence" in page
    summary = page[
        page.index("data-error-summary") : page.index("</div>", page.index("data-error-summary"))
    ]
    assert "There is a problem" in summary
    for field in ("id_trader_name_bn", "id_trader_nid", "id_name_bn", "id_category_code"):
        assert f'href="#{field}"' in summary, field
        assert f'id="{field}"' in page
    # The summary comes before the form.
    assert page.index("data-error-summary") < page.index('<form method="post"')

    client.cookies["kcc_language"] = "bn"
    page = page_of(client.post("/licences/apply/", {}))
    assert "<title>ত্রুটি: " in page and "একটি সমস্যা আছে" in page


def test_the_documents_page_tells_the_browser_the_upload_limit(client, trader, make_draft):
    draft = make_draft()
    client.force_login(trader)
    client.cookies["kcc_language"] = "en"
    page = page_of(client.get(f"/licences/applications/{draft.pk}/documents/"))
    assert f'data-max-bytes="{MAX_DOCUMENT_BYTES}"' in page
    assert "This file is larger than 5 MB, so it was not sent." in page
    client.cookies["kcc_language"] = "bn"
    page = page_of(client.get(f"/licences/applications/{draft.pk}/documents/"))
    assert "ফাইলটি ৫ মেগাবাইটের চেয়ে বড়" in page


def test_the_inspectors_photos_are_checked_in_the_browser_too():
    from trade_licenses.officer_forms import InspectionForm

    html = str(InspectionForm()["photos"])
    assert f'data-max-bytes="{MAX_DOCUMENT_BYTES}"' in html
    assert "A photo is larger than 5 MB, so nothing was sent." in html


def test_the_age_counts_from_submission_and_stops_once_decided(
    client, trader, make_user, make_business, make_draft, add_documents
):
    from core.roles import Role

    inspector = make_user(Role.LICENCE_INSPECTOR)
    officer = make_user(Role.LICENCE_OFFICER)
    waiting = make_draft()
    add_documents(waiting, trader)
    refused = make_draft(make_business(name_en="Second Shop", name_bn="দ্বিতীয় দোকান"))
    add_documents(refused, trader)
    application_submit(application=waiting, actor=trader)
    application_submit(application=refused, actor=trader)
    with time_machine.travel(datetime(2025, 9, 1, 10, 0, tzinfo=DHAKA), tick=False):
        application_transition(application=waiting, to=S.INSPECTION, actor=inspector)
        application_transition(
            application=refused, to=S.REJECTED, actor=officer, reason="Not a trade."
        )
    with time_machine.travel(datetime(2025, 9, 20, 10, 0, tzinfo=DHAKA), tick=False):
        client.force_login(trader)
        client.cookies["kcc_language"] = "en"
        page = page_of(client.get("/licences/"))
    row = page[page.index(f'data-application="{waiting.pk}"') :]
    assert 'data-age="41"' in row.split("</tr>")[0] and "41 days" in row.split("</tr>")[0]
    row = page[page.index(f'data-application="{refused.pk}"') :]
    assert 'data-age=""' in row.split("</tr>")[0]
