"""Applications for a new holding number: a citizen applies with the premises and the
owner; the assessor gives the next free number in the ward (suggested) and the holding is
registered with that owner — linked to the applicant when they are the owner — or
rejects; the applicant hears by SMS."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import SmsMessage
from core.places import ward_by_number
from core.roles import Role
from holdings.models import HoldingApplication
from holdings.services import holding_create
from holdings.services.new_holdings import (
    SMS_KIND,
    holding_application_decide,
    holding_application_file,
    suggested_number,
)

APPLY = "/holdings/new/"
QUEUE = "/holdings/officer/new-holdings/"


@pytest.fixture
def applicant(make_user):
    return make_user(Role.CITIZEN, mobile="01711000555")


@pytest.fixture
def assessor(make_user):
    return make_user(Role.ASSESSOR)


def file(applicant, **kw):
    data = {
        "ward": "৭",
        "road": "Khan Jahan Ali Road",
        "mahalla": "Rupsha",
        "use": "residential",
        "owner_name_bn": "রহিমা খাতুন",
        "owner_name_en": "Rahima Khatun",
        "owner_nid": "১৯৮৭৬৫৪৩২১",
        "owner_mobile": "০১৭১১০০০৫৫৫",
    } | kw
    return holding_application_file(applicant=applicant, **data)


def test_the_next_free_whole_number_is_suggested(db):
    for number in ["3", "12", "12/A", "9"]:
        holding_create(ward=7, number=number)
    holding_create(ward=8, number="400")
    assert suggested_number(ward_by_number(7)) == "13"
    assert suggested_number(ward_by_number(9)) == "1"


def test_approve_registers_the_holding_with_its_owner_linked_and_tells_the_applicant(
    applicant, assessor, django_capture_on_commit_callbacks
):
    application = file(applicant)
    assert (application.owner_nid, application.owner_mobile) == ("1987654321", "01711000555")
    with django_capture_on_commit_callbacks(execute=True):
        holding_application_decide(
            application=application, assessor=assessor, approve=True, reason="Seen", number="১৩"
        )
    application.refresh_from_db()
    holding = application.holding
    assert (holding.ward.number, holding.number, holding.road) == (7, "13", "Khan Jahan Ali Road")
    owner = holding.owners.get()
    assert owner.name_en == "Rahima Khatun" and owner.user == applicant
    [sms] = SmsMessage.objects.filter(kind=SMS_KIND)
    assert sms.to == "01711000555" and "হোল্ডিং ১৩, ওয়ার্ড ৭" in sms.text


def test_a_number_already_taken_is_refused_and_nothing_changes(applicant, assessor):
    holding_create(ward=7, number="13")
    application = file(applicant)
    with translation.override("en"), pytest.raises(ValidationError, match="already exists"):
        holding_application_decide(
            application=application, assessor=assessor, approve=True, reason="x", number="13"
        )
    application.refresh_from_db()
    assert application.status == HoldingApplication.Status.SUBMITTED


def test_reject_and_no_second_decision(applicant, assessor, make_user):
    application = file(applicant)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="Only an assessor"):
            holding_application_decide(
                application=application, assessor=applicant, approve=False, reason="x"
            )
        holding_application_decide(
            application=application, assessor=assessor, approve=False, reason="Not in ward 7"
        )
        with pytest.raises(ValidationError, match="already decided"):
            holding_application_decide(
                application=application, assessor=assessor, approve=True, reason="x", number="1"
            )
    assert HoldingApplication.objects.get().holding is None


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"owner_nid": "12345"}, "NID"),
        ({"owner_mobile": "0123"}, "mobile"),
        ({"road": " "}, "Enter the road"),
        ({"owner_name_bn": "", "owner_name_en": ""}, "Enter the owner's name."),
        ({"ward": "99"}, "ward"),
    ],
)
def test_bad_applications_are_refused(applicant, kw, message):
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        file(applicant, **kw)
    assert not HoldingApplication.objects.exists()


def test_the_pages(client, applicant, assessor):
    client.force_login(applicant)
    client.cookies["kcc_language"] = "en"
    assert APPLY in client.get("/holdings/").content.decode()
    response = client.post(
        APPLY,
        {
            "ward": "৭",
            "road": "Khan Jahan Ali Road",
            "use": "residential",
            "owner_name_en": "Rahima Khatun",
            "owner_nid": "1987654321",
            "owner_mobile": "01711000555",
        },
    )
    assert response.status_code == 302
    assert "Waiting for the assessor" in client.get(APPLY).content.decode()
    application = HoldingApplication.objects.get()

    client.force_login(assessor)
    assert f"{QUEUE}{application.pk}/" in client.get(QUEUE).content.decode()
    page = client.get(f"{QUEUE}{application.pk}/").content.decode()
    assert 'value="1"' in page  # the suggested number in an empty ward
    response = client.post(
        f"{QUEUE}{application.pk}/",
        {"decision": "approve", "number": "1", "reason": "Checked", "confirm": "on"},
    )
    assert response.status_code == 302
    client.force_login(applicant)
    assert "Holding 1, ward 7" in client.get("/holdings/").content.decode()


def test_bengali_page(client, applicant):
    client.force_login(applicant)
    client.cookies["kcc_language"] = "bn"
    assert "নতুন হোল্ডিং নম্বরের আবেদন" in client.get(APPLY).content.decode()
