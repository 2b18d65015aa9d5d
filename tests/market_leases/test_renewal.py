"""Renewing agreements from the estate officer's pages: the list of agreements ending within
some days and of expired ones still renewable, the renewal form, its confirmation, the
renewal through services.allotment_renew, and the refusals (a clear message, nothing
changed). Today is 10 December 2026 (conftest)."""

from __future__ import annotations

from datetime import date

import pytest

from core.models import AuditLog
from market_leases.models import Allotment, AllotmentStatusChange
from market_leases.services import (
    agreements_expire,
    allotment_set_status,
    lessee_register,
    shop_register,
)

from .conftest import OTHER_NID, issue_licence

pytestmark = pytest.mark.django_db

LIST = "/markets/officer/renewals/"


def english(client, user):
    client.force_login(user)
    client.cookies["kcc_language"] = "en"
    return client


def renew_url(allotment) -> str:
    return f"/markets/officer/allotments/{allotment.pk}/renew/"


@pytest.fixture
def agreements(market, shop, lessee, licence, allot, officer):
    """A-12 active until 31 January 2027; B-7 active until 2031; C-3's agreement ended on
    30 November 2026 (expired); D-4's ended too and D-4 has since been allotted to Rahim."""

    def active(s, **kwargs):
        a = allot(s, lessee, licence, starts_on=date(2026, 6, 1), **kwargs)
        return allotment_set_status(allotment=a, to="active", actor=officer)

    b7 = shop_register(market=market, number="B-7", floor=1, area_sqft="80", actor=officer)
    c3 = shop_register(market=market, number="C-3", floor=0, area_sqft="50", actor=officer)
    d4 = shop_register(market=market, number="D-4", floor=0, area_sqft="50", actor=officer)
    soon = active(shop, ends_on=date(2027, 1, 31))
    later = active(b7)
    ended = active(c3, ends_on=date(2026, 11, 30))
    gone = active(d4, ends_on=date(2026, 11, 30))
    assert agreements_expire(today=date(2026, 12, 10)) == 2
    rahim = lessee_register(nid=OTHER_NID, mobile="01911000000", name_en="Rahim", actor=officer)
    retaken = allot(d4, rahim, issue_licence(OTHER_NID))
    for a in (soon, later, ended, gone):
        a.refresh_from_db()
    return {"soon": soon, "later": later, "ended": ended, "gone": gone, "retaken": retaken}


def numbers(page) -> list[str]:
    return [a.shop.number for a in page.context["page"]]


def test_the_list_shows_agreements_ending_and_expired_ones_still_renewable(
    client, officer, agreements
):
    c = english(client, officer)
    page = c.get(LIST)  # 90 days unless chosen: up to 10 March 2027
    assert page.status_code == 200
    assert numbers(page) == ["C-3", "A-12"]  # D-4 is someone else's now; B-7 ends in 2031
    body = page.content.decode()
    assert "10 March 2027" in body and renew_url(agreements["soon"]) in body
    assert numbers(c.get(LIST, {"within": "৩০"})) == ["C-3"]  # Bengali digits; A-12 in 52 days
    assert numbers(c.get(LIST, {"which": "ending"})) == ["A-12"]
    assert numbers(c.get(LIST, {"which": "expired"})) == ["C-3"]
    assert numbers(c.get(LIST, {"q": "a12"})) == ["A-12"]
    assert numbers(c.get(LIST, {"within": "2000", "which": "ending"})) == ["A-12", "B-7"]


def test_a_wrong_number_of_days_is_said_plainly(client, officer, agreements):
    page = english(client, officer).get(LIST, {"within": "soon"})
    assert "page" not in page.context
    assert "Enter a whole number." in page.content.decode()


def test_nothing_ending_says_how_to_look_further(client, officer, active_allotment):
    body = english(client, officer).get(LIST, {"within": "7"}).content.decode()
    assert "No agreement ends within 7 days and none has expired for these filters." in body


def test_renewing_an_active_agreement_after_confirming(client, officer, agreements):
    soon = agreements["soon"]
    c = english(client, officer)
    form = c.get(renew_url(soon))
    assert form.status_code == 200
    assert form.context["form"].initial["ends_on"] == date(2032, 1, 31)  # five years on
    data = {"ends_on": "২০৩২-০১-৩১", "decision_reference": "KCC/Estate/2026/240"}
    confirm = c.post(renew_url(soon), data)
    assert confirm.status_code == 200
    assert [t.name for t in confirm.templates][0] == "market_leases/officer/renewals_confirm.html"
    body = confirm.content.decode()
    assert "31 January 2027" in body and "31 January 2032" in body
    soon.refresh_from_db()
    assert soon.ends_on == date(2027, 1, 31)  # nothing yet
    done = c.post(renew_url(soon), {**data, "ends_on": "2032-01-31", "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == f"/markets/officer/allotments/{soon.pk}/"
    soon.refresh_from_db()
    assert (soon.status, soon.ends_on) == ("active", date(2032, 1, 31))
    log = AuditLog.objects.get(action="markets.allotment_renew")
    assert (log.reason, log.before, log.after) == (
        "KCC/Estate/2026/240",
        {"ends_on": "2027-01-31"},
        {"ends_on": "2032-01-31"},
    )
    followed = c.get(done["Location"])
    assert "The agreement of shop A-12 now ends on 31/01/2032." in followed.content.decode()


def test_renewing_an_expired_agreement_makes_it_active_again(client, officer, agreements):
    ended = agreements["ended"]
    c = english(client, officer)
    data = {"ends_on": "2031-11-30", "decision_reference": "KCC/Estate/2026/241"}
    confirm = c.post(renew_url(ended), data)
    assert "makes it active again" in confirm.content.decode()
    c.post(renew_url(ended), {**data, "confirm": "yes"})
    ended.refresh_from_db()
    assert (ended.status, ended.ends_on) == ("active", date(2031, 11, 30))
    last = AllotmentStatusChange.objects.filter(allotment=ended).latest("changed_at", "pk")
    assert (last.from_status, last.to_status) == ("expired", "active")
    assert "KCC/Estate/2026/241" in last.reason


def test_going_back_from_the_confirmation_keeps_what_was_typed(client, officer, agreements):
    soon = agreements["soon"]
    data = {"ends_on": "2032-01-31", "decision_reference": "KCC/Estate/2026/240", "confirm": "no"}
    page = english(client, officer).post(renew_url(soon), data)
    assert page.status_code == 200
    assert 'value="KCC/Estate/2026/240"' in page.content.decode()
    soon.refresh_from_db()
    assert soon.ends_on == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"ends_on": "2027-01-31", "decision_reference": "KCC/Estate/2026/240"},
            "The renewed agreement must end after 31/01/2027.",
        ),
        ({"ends_on": "2032-01-31", "decision_reference": "  "}, "Enter the decision&#x27;s memo"),
        (
            {"ends_on": "31/31/2032", "decision_reference": "KCC/Estate/2026/240"},
            "Enter the new end as a date, such as 2031-12-31.",
        ),
        ({"decision_reference": "KCC/Estate/2026/240"}, "Enter the new end of the agreement."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changed(
    client, officer, agreements, data, message
):
    soon = agreements["soon"]
    page = english(client, officer).post(renew_url(soon), {**data, "confirm": "yes"})
    assert page.status_code == 400
    assert message in page.content.decode()
    soon.refresh_from_db()
    assert soon.ends_on == date(2027, 1, 31)
    assert not AuditLog.objects.filter(action="markets.allotment_renew").exists()


def test_an_expired_agreement_whose_shop_was_allotted_again_is_refused(client, officer, agreements):
    gone = agreements["gone"]
    c = english(client, officer)
    page = c.get(renew_url(gone))
    body = page.content.decode()
    assert "cannot be renewed: the shop has since been allotted to Rahim" in body
    assert 'name="ends_on"' not in body
    data = {"ends_on": "2031-11-30", "decision_reference": "KCC/Estate/2026/242", "confirm": "yes"}
    refused = c.post(renew_url(gone), data)
    assert refused.status_code == 400
    assert "was allotted meanwhile: it is not vacant" in refused.content.decode()
    gone.refresh_from_db()
    assert (gone.status, gone.ends_on) == ("expired", date(2026, 11, 30))


def test_a_cancelled_allotment_is_not_renewed(client, officer, agreements):
    retaken = agreements["retaken"]  # waiting for its salami: withdraw it
    allotment_set_status(allotment=retaken, to="cancelled", reason="not paid", actor=officer)
    c = english(client, officer)
    assert (
        "Only an active or expired allotment can be renewed."
        in c.get(renew_url(retaken)).content.decode()
    )
    data = {"ends_on": "2031-11-30", "decision_reference": "KCC/Estate/2026/243", "confirm": "yes"}
    refused = c.post(renew_url(retaken), data)
    assert refused.status_code == 400
    assert "Only an active or expired allotment can be renewed." in refused.content.decode()
    assert Allotment.objects.get(pk=retaken.pk).status == "cancelled"


def test_only_the_estate_officer_renews(client, citizen, make_user, agreements):
    soon = agreements["soon"]
    data = {"ends_on": "2032-01-31", "decision_reference": "X/1", "confirm": "yes"}
    assert client.get(LIST).status_code == 302
    assert client.post(renew_url(soon), data).status_code == 302
    for user in (citizen, make_user("counter_clerk")):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.get(renew_url(soon)).status_code == 403
        assert client.post(renew_url(soon), data).status_code == 403
    soon.refresh_from_db()
    assert soon.ends_on == date(2027, 1, 31)


def test_the_renewal_pages_in_bengali(client, officer, agreements):
    client.force_login(officer)
    client.cookies["kcc_language"] = "bn"
    body = client.get(LIST).content.decode()
    assert "১০ মার্চ ২০২৭" in body and "৩০ নভেম্বর ২০২৬" in body
    refused = client.post(
        renew_url(agreements["soon"]),
        {"ends_on": "২০২৭-০১-৩১", "decision_reference": "স্মারক ২৪০", "confirm": "yes"},
    )
    assert refused.status_code == 400 and "৩১/০১/২০২৭" in refused.content.decode()
