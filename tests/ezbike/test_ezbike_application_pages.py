"""The pages of applications: a citizen applies from home (Bengali digits, mistakes told on
their fields and nothing kept), a counter clerk files one, the e-bike officer's queue
(search, pages), an application with its papers and the decision; the owner's e-bike page
with the fee to pay."""

from __future__ import annotations

import pytest

from ezbike.models import Application, Licence, Vehicle
from payments.models import Bill

from .conftest import pdf, png

pytestmark = pytest.mark.django_db


def form_data(n: int = 0, **over) -> dict:
    data = {
        "owner_nid": f"১৯৮০০০০০০{n}",
        "owner_name_bn": "রহিম মিয়া",
        "owner_name_en": "Rahim Mia",
        "owner_mobile": "০১৮১০০০০০০০",
        "owner_nid_ward": "৭",
        "owner_address": "Sonadanga",
        "owner_photo": png(),
        "vehicle_type": "passenger",
        "chassis_no": f"CHA{n:05d}",
        "motor_no": f"MOT{n:05d}",
        "battery_count": "৪",
        "maker": "Hero",
        "doc_vehicle_photo": png("bike.png"),
        "doc_ownership": pdf(),
        "driver1_nid": f"19700000{n:02d}",
        "driver1_driving_licence_no": f"DK{n:07d}",
        "driver1_name_bn": "করিম",
        "driver1_photo": png("driver.png"),
    }
    data.update(over)
    return data


def test_a_citizen_applies_from_home(client, make_user):
    citizen = make_user("citizen", mobile="01810000000")
    client.force_login(citizen)
    assert client.get("/ezbike/apply/").status_code == 200
    response = client.post("/ezbike/apply/", form_data())
    vehicle = Vehicle.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ezbike/vehicles/{vehicle.pk}/"
    assert vehicle.owner.user == citizen and vehicle.battery_count == 4
    page = client.get(response["Location"]).content.decode()
    assert "Pay the application fee" in page and "Pay online" in page
    assert Application.objects.get().fee_bill.number in page


def test_mistakes_are_told_on_their_fields_and_nothing_is_kept(client, make_user):
    client.force_login(make_user("citizen"))
    response = client.post("/ezbike/apply/", form_data(owner_nid="12", owner_mobile="123"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "owner_nid_errors" in page and "owner_mobile_errors" in page
    response = client.post("/ezbike/apply/", form_data(doc_ownership=pdf("x.pdf", b"nope")))
    assert "is not a real PDF file" in response.content.decode()
    assert not Vehicle.objects.exists() and not Application.objects.exists()
    response = client.post("/ezbike/apply/", form_data(owner_nid_ward="99"))
    assert "permanent resident" in response.content.decode()
    assert not Vehicle.objects.exists()


def test_a_counter_clerk_files_for_an_owner_with_an_account(client, make_user):
    owner = make_user("citizen", mobile="01810000000")
    clerk = make_user("counter_clerk")
    client.force_login(clerk)
    assert client.get("/ezbike/counter/apply/").status_code == 200
    response = client.post("/ezbike/counter/apply/", form_data())
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.channel == "counter" and application.applicant == owner
    assert application.filed_by == clerk
    page = client.get(response["Location"]).content.decode()
    assert f"/payments/counter/?q={application.fee_bill.number}" in page
    found = client.get(f"/payments/counter/?q={application.fee_bill.number}").content.decode()
    assert application.fee_bill.number in found and "E-bike, chassis CHA00000" in found


def test_the_officers_queue_search_detail_documents_and_decision(client, submit, officer, pay):
    applications = [submit(n) for n in range(30)]
    pay(applications[0].fee_bill)
    client.force_login(officer)
    page = client.get("/ezbike/officer/applications/").content.decode()
    assert f"EB-{applications[0].pk}" in page and f"EB-{applications[29].pk}" not in page
    page2 = client.get("/ezbike/officer/applications/?page=2").content.decode()
    assert f"EB-{applications[29].pk}" in page2
    found = client.get("/ezbike/officer/applications/?q=CHA00029").content.decode()
    assert f"EB-{applications[29].pk}" in found and f"EB-{applications[0].pk}<" not in found
    first = applications[0]
    detail = client.get(f"/ezbike/officer/applications/{first.pk}/").content.decode()
    document = first.documents.get(kind="ownership")
    assert f"/ezbike/officer/applications/{first.pk}/documents/{document.pk}/" in detail
    response = client.get(f"/ezbike/officer/applications/{first.pk}/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    owner = first.licence.vehicle.owner
    assert client.get(f"/ezbike/officer/photos/owner/{owner.pk}/").status_code == 200
    response = client.post(
        f"/ezbike/officer/applications/{first.pk}/",
        {"decision": "approve", "reason": "Checked", "confirm": "on"},
    )
    assert response.status_code == 302
    assert Licence.objects.get(pk=first.licence_id).status == "approved"
    assert Bill.objects.filter(subject_type="licence").count() == 1
    # An unpaid application: refused, said on the page.
    second = applications[1]
    response = client.post(
        f"/ezbike/officer/applications/{second.pk}/",
        {"decision": "approve", "reason": "Checked", "confirm": "on"},
    )
    assert "application fee is not paid" in response.content.decode()


def test_others_cannot_see_an_owners_e_bike_or_papers(client, submit, make_user):
    application = submit()
    vehicle = application.licence.vehicle
    client.force_login(make_user("citizen"))
    assert client.get(f"/ezbike/vehicles/{vehicle.pk}/").status_code == 403
    document = application.documents.first()
    url = f"/ezbike/officer/applications/{application.pk}/documents/{document.pk}/"
    assert client.get(url).status_code == 403
