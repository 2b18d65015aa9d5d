"""The e-bike officer's enforcement: suspend with a reason and reinstate; seize with a
reason, the fine billed through payments, and the e-bike released when it is paid (once);
readers are told at each step; SMS; from the e-bike's page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import SmsMessage
from ezbike.models import CardLookup, Licence
from ezbike.services import card_bind
from ezbike.services.enforcement import licence_reinstate, licence_seize, licence_suspend
from payments.models import Bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def carded(licensed, officer):
    card_bind(vehicle=licensed, uid="04A21B3C", actor=officer)
    return licensed


def told() -> str:
    return CardLookup.objects.get(uid="04A21B3C").status


def test_suspend_and_reinstate(carded, officer, make_user, django_capture_on_commit_callbacks):
    licence = carded.licences.get()
    with pytest.raises(ValidationError):
        licence_suspend(licence=licence, reason="", actor=officer)
    with pytest.raises(ValidationError):
        licence_suspend(licence=licence, reason="x", actor=make_user("counter_clerk"))
    with django_capture_on_commit_callbacks(execute=True):
        licence_suspend(licence=licence, reason="No fitness paper", actor=officer)
    assert told() == "suspended"
    assert SmsMessage.objects.filter(kind="ezbike", to=carded.owner.mobile).count() == 1
    licence_reinstate(licence=licence, reason="Paper shown", actor=officer)
    assert told() == "valid"
    with pytest.raises(ValidationError, match="Only a suspended licence"):
        licence_reinstate(licence=licence, reason="again", actor=officer)


def test_seized_the_fine_is_billed_and_paying_it_releases_once(carded, officer, pay):
    from ezbike.registry_hooks import on_paid, subject_url

    licence = carded.licences.get()
    licence, bill = licence_seize(licence=licence, reason="Wrong-way driving", actor=officer)
    assert told() == "suspended"  # readers: may not run
    assert bill.total == Decimal("1000.00") and bill.subject_type == "seizure"
    assert [line.head for line in bill.lines.all()] == ["other"]
    assert subject_url(bill) == f"/ezbike/vehicles/{carded.pk}/"
    pay(bill)
    licence.refresh_from_db()
    assert licence.status == "active" and told() == "valid"
    bill.refresh_from_db()
    on_paid(bill)  # again: nothing more
    assert licence.status_changes.filter(to_status="active").count() == 2  # issued, released


def test_a_later_seizures_fine_is_the_one_that_releases(carded, officer, pay):
    licence = carded.licences.get()
    _l, first = licence_seize(licence=licence, reason="One", actor=officer)
    pay(first)
    _l, second = licence_seize(
        licence=Licence.objects.get(pk=licence.pk), reason="Two", actor=officer
    )
    assert first.pk != second.pk and second.status == "open"
    assert Licence.objects.get(pk=licence.pk).status == "seized"


def test_the_officer_acts_from_the_e_bikes_page(client, carded, officer):
    client.force_login(officer)
    page = client.get(f"/ezbike/vehicles/{carded.pk}/").content.decode()
    assert "Suspend the licence" in page and "Seize the e-bike" in page
    url = f"/ezbike/vehicles/{carded.pk}/licence/"
    client.post(url, {"action": "suspend", "reason": "No fitness paper"})
    assert told() == "suspended"
    page = client.get(f"/ezbike/vehicles/{carded.pk}/").content.decode()
    assert "Reinstate the licence" in page and "Suspend the licence" not in page
    response = client.post(url, {"action": "seize", "reason": "Caught again"}, follow=True)
    assert "the owner is billed the fine" in response.content.decode()
    assert Bill.objects.filter(subject_type="seizure").count() == 1
    # Not for others.
    from django.test import Client

    other = Client()
    other.force_login(carded.owner.user or type(officer).objects.create_user(mobile="01799999990"))
    assert other.post(url, {"action": "suspend", "reason": "x"}).status_code == 403
