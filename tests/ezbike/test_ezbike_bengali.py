"""The e-bike pages with e-bikes in them, read in Bengali with the portal's Bengali check
(tests/core/test_bengali_pages.py): the owner's pages, the dashboard panel, the officer's
queue and an application, the verify page, and the form's mistakes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location(
    "bengali_pages_check", Path(__file__).parent.parent / "core" / "test_bengali_pages.py"
)
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)

#: What people typed in English in these tests (names, addresses, makers, file names).
TYPED = ["Sonadanga, Khulna", "Karim Sheikh", "Rahim Mia", "Hero", "bike.png", "papers.pdf"]


def test_the_e_bike_pages_are_bengali(client, submit, licensed, officer, pay, make_user):
    from django.conf import settings

    from ezbike.services import card_bind, device_register, licence_set_status, scan_batch

    application = submit()
    pay(application.fee_bill)
    waiting = submit(1)
    owner = make_user("citizen", name_bn="করিম শেখ")
    licensed.owner.user = owner
    licensed.owner.save()
    device, _token = device_register(name="Gate 1", place="শিববাড়ি মোড়")
    card_bind(vehicle=licensed, uid="04A21B3C", actor=officer)
    read = {"uid": "0A0B0C0D", "read_at": "2026-12-10T09:15:00+06:00", "seq": 1}
    scan_batch(device=device, data={"reads": [read]})
    licence_set_status(
        licence=licensed.licences.get(), to="suspended", reason="কাগজ নেই", actor=officer
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    client.force_login(owner)
    answers = {
        url: client.get(url)
        for url in (
            "/ezbike/",
            f"/ezbike/vehicles/{licensed.pk}/",
            "/dashboard/",
            "/ezbike/apply/",
        )
    }
    answers["mistakes"] = client.post("/ezbike/apply/", {"owner_nid": "১২", "owner_nid_ward": "ক"})
    client.force_login(application.applicant)
    answers["applicant"] = client.get(f"/ezbike/vehicles/{application.licence.vehicle_id}/")
    client.force_login(officer)
    for url in (
        "/ezbike/officer/applications/",
        "/ezbike/officer/applications/?status=decided",
        f"/ezbike/officer/applications/{application.pk}/",
        f"/ezbike/officer/applications/{waiting.pk}/",
        "/ezbike/officer/fleet/",
        "/ezbike/officer/licences/",
        "/ezbike/officer/licences/?status=suspended",
        "/ezbike/officer/sightings/",
        f"/ezbike/vehicles/{licensed.pk}/",  # with the officer's action
    ):
        answers[url] = client.get(url)
    client.logout()
    answers["verify"] = client.get(f"/verify/{licensed.verify_code}/")
    for what, response in answers.items():
        assert response.status_code == 200, what
    check.assert_bengali(answers, known=TYPED)
