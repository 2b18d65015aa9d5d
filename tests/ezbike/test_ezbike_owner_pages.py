"""The owner's pages: my e-bikes, an e-bike's page with its licences (status, validity), the
fee to pay and renewal (the renewal fee and the late fee after the deadline, billed through
payments; paid, the new licence is active); the plate sticker and the licence PDFs
(bilingual, Bengali digits in the Bengali text, a QR code to /verify/); the public verify
page shows the status only; every due in one place."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest
import time_machine

from ezbike.dues import bill_due, open_dues
from ezbike.models import Licence
from payments.models import Bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(licensed, make_user):
    """The licensed e-bike (FY 2026-27, active until 30 September 2027) and its owner's
    account."""
    owner = make_user("citizen", preferred_language="en")
    licensed.owner.user = owner
    licensed.owner.save(update_fields=["user"])
    return licensed, owner


def test_my_e_bikes_and_an_e_bikes_page(client, owned):
    vehicle, owner = owned
    client.force_login(owner)
    page = client.get("/ezbike/").content.decode()
    assert vehicle.plate_no in page and "Active" in page and "30 September 2027" in page
    page = client.get(f"/ezbike/vehicles/{vehicle.pk}/").content.decode()
    assert "Number plate sticker" in page and "Licence (blue book)" in page
    assert "Renew the licence" not in page  # renewed for this year already
    page = client.get("/dashboard/").content.decode()
    assert "My e-bikes" in page and vehicle.plate_no in page and "See all my e-bikes" in page


def test_bengali_pages_show_the_plate_in_bengali(client, owned):
    from django.conf import settings

    vehicle, owner = owned
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    client.force_login(owner)
    page = client.get("/ezbike/").content.decode()
    assert "খুসিক-যা-০৭-০০০১" in page and "KCC-P-07" not in page


def renew(client, vehicle):
    return client.post(f"/ezbike/vehicles/{vehicle.pk}/renew/")


def test_renewal_before_the_deadline_bills_the_renewal_fee_and_paid_it_is_active(
    client, owned, pay
):
    vehicle, owner = owned
    with time_machine.travel("2027-08-01 10:00 +0600", tick=True):
        client.force_login(owner)
        page = client.get(f"/ezbike/vehicles/{vehicle.pk}/").content.decode()
        assert "Renew the licence" in page
        response = renew(client, vehicle)
        assert response.status_code == 302
        licence = Licence.objects.get(vehicle=vehicle, fiscal_year="2027-28")
        assert licence.kind == "renewal" and licence.status == "approved"
        bill = Bill.objects.get(subject_type="licence", subject_id=str(licence.pk))
        assert bill.total == Decimal("2000.00") and bill.payer == owner
        page = client.get(f"/ezbike/vehicles/{vehicle.pk}/").content.decode()
        assert bill.number in page and "Pay online" in page
        assert renew(client, vehicle).status_code == 302  # a second renewal: refused
        assert Licence.objects.filter(vehicle=vehicle, fiscal_year="2027-28").count() == 1
        pay(bill)
    licence.refresh_from_db()
    assert licence.status == "active" and licence.valid_until.isoformat() == "2028-09-30"


def test_renewal_after_the_deadline_adds_the_late_fee(client, owned):
    vehicle, owner = owned
    with time_machine.travel("2027-11-15 10:00 +0600", tick=True):
        client.force_login(owner)
        renew(client, vehicle)
    bill = Bill.objects.get(subject_type="licence")
    heads = {line.head: line.amount for line in bill.lines.all()}
    # 30 September → 15 November: two months or part of one.
    assert heads == {"renewal_fee": Decimal("2000.00"), "late_fee": Decimal("400.00")}


def test_an_approved_licence_without_a_bill_is_a_due_in_one_place(owned, officer):
    from payments.services import bill_cancel

    vehicle, owner = owned
    with time_machine.travel("2027-11-15 10:00 +0600", tick=True):
        from ezbike.services.applications import licence_renew

        _licence, bill = licence_renew(vehicle=vehicle, actor=owner)
        bill_cancel(bill=bill, reason="test", actor=officer)
        [due] = open_dues(owner)
        assert due.service == "ezbike" and due.amount == Decimal("2400.00") and due.overdue
        again = bill_due(owner, due.token)
        assert again.total == Decimal("2400.00") and again.status == "open"
        assert bill_due(owner, due.token).pk == again.pk
        assert open_dues(owner) == []


@pytest.mark.parametrize("vehicles", [1, 4])
def test_open_dues_query_count_is_flat(
    make_vehicle, officer, make_user, vehicles, django_assert_max_num_queries
):
    from ezbike.services import licence_apply, licence_approve

    owner = make_user("citizen")
    with django_assert_max_num_queries(1):
        assert open_dues(owner) == []
    for n in range(vehicles):
        vehicle = make_vehicle(n)
        vehicle.owner.user = owner
        vehicle.owner.save()
        licence_approve(licence=licence_apply(vehicle=vehicle, actor=officer), actor=officer)
    # The approved licences, their bills' claims, the year's schedule: whatever their number.
    with django_assert_max_num_queries(3):
        assert len(open_dues(owner)) == vehicles


def test_someone_elses_due_is_refused(owned, make_user):
    from django.core.exceptions import ValidationError

    vehicle, _owner = owned
    licence = vehicle.licences.get()
    with pytest.raises(ValidationError):
        bill_due(make_user("citizen"), f"l{licence.pk}")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_sticker_and_the_blue_book_pdfs(client, owned, tmp_path):
    vehicle, owner = owned
    client.force_login(owner)
    response = client.get(f"/ezbike/vehicles/{vehicle.pk}/sticker.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert vehicle.plate_no in text and "০৭" in text and "০০০১" in text
    assert "2026-27" in text and "২০২৬-২৭" in text and "30 September 2027" in text
    assert "Blue book number" in text and vehicle.licence_no in text
    response = client.get(f"/ezbike/vehicles/{vehicle.pk}/licence.pdf")
    text = pdf_text(response.content, tmp_path)
    assert "E-bike licence (blue book)" in text and "Karim Sheikh" in text
    assert "CH000000" in text and vehicle.verify_code in text and "/verify/" in text
    assert "১৯৯০০০০০০০" in text  # the NID in Bengali digits too
    assert "1/1" in text  # one page
    # Not the owner: refused.
    from django.test import Client

    other = Client()
    other.force_login(type(owner).objects.create_user(mobile="01799999999"))
    assert other.get(f"/ezbike/vehicles/{vehicle.pk}/sticker.pdf").status_code == 403


def test_no_pdf_before_a_licence_is_issued(client, submit):
    application = submit()
    client.force_login(application.applicant)
    vehicle = application.licence.vehicle
    assert client.get(f"/ezbike/vehicles/{vehicle.pk}/sticker.pdf").status_code == 404


def test_the_verify_page_shows_the_status_only(client, owned):
    vehicle, _owner = owned
    page = client.get(f"/verify/{vehicle.verify_code}/").content.decode()
    assert "Licensed e-bike" in page and vehicle.plate_no in page and "Active" in page
    assert "Karim" not in page and vehicle.owner.nid not in page and vehicle.chassis_no not in page
    with time_machine.travel("2027-10-02 10:00 +0600", tick=True):
        page = client.get(f"/verify/{vehicle.verify_code}/").content.decode()
    assert "This e-bike may not run now" in page and "Expired" in page
