"""Appeal after an objection's decision: the owner appeals once, within the schedule's
appeal period (30 days by default), to a review officer — a revenue officer who did not
decide the objection — who lets the decision stand or revises the valuation.

Worked example: assessed at a yearly rent of 1,20,000 (valuation 1,00,000.00), the owner
objects claiming 96,000; the assessor rejects it on 1 November 2025. The owner appeals on
20 November; the review officer revises to 1,08,000: valuation 1,08,000 − 18,000 =
90,000.00.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from core.models import AuditLog
from core.roles import Role
from holdings.models import Appeal, Objection
from holdings.services import (
    appeal_decide,
    appeal_file,
    assessment_record,
    holding_create,
    holding_link_by_nid,
    objection_decide,
    objection_file,
    owner_add,
)

NID = "1987654321"
FY = "2025-26"


def at(y, m, d):
    return time_machine.travel(datetime.datetime(y, m, d, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def people(make_user):
    return {
        "owner": make_user(Role.CITIZEN),
        "assessor": make_user(Role.ASSESSOR, name_en="Nasrin Assessor"),
        "reviewer": make_user(Role.REVENUE_OFFICER, name_en="Salma Reviewer"),
        "stranger": make_user(Role.CITIZEN),
    }


@pytest.fixture
def rejected(people):
    with at(2025, 10, 20):
        holding = holding_create(ward=3, number="45/A", use="residential")
        owner_add(holding=holding, name_en="Rahim Uddin", nid=NID, mobile="01819123456")
        holding_link_by_nid(user=people["owner"], holding=holding, nid=NID)
        assessment = assessment_record(holding=holding, effective_fy=FY, annual_rent="120000")
        objection = objection_file(
            assessment=assessment,
            user=people["owner"],
            reason="Two floors are empty",
            claimed_rent="96000",
        )
    with at(2025, 11, 1):
        objection_decide(
            objection=objection,
            assessor=people["assessor"],
            accept=False,
            reason="The floors are let; the rent roll shows it.",
        )
    objection.refresh_from_db()
    return objection


def test_owner_appeals_and_the_review_officer_revises_the_valuation(rejected, people):
    with at(2025, 11, 20):
        appeal = appeal_file(
            objection=rejected,
            user=people["owner"],
            reason="The rent roll is old",
            claimed_rent="১,০৮,০০০",
        )
    assert appeal.status == Appeal.Status.OPEN and appeal.claimed_rent == Decimal("108000.00")
    with at(2025, 12, 5):
        appeal_decide(appeal=appeal, officer=people["reviewer"], revise=True, reason="Checked")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REVISED
    assert appeal.revised_rent == Decimal("108000.00")
    assessment = rejected.assessment.holding.assessments.get(effective_fy=FY)
    assert assessment.annual_valuation == Decimal("90000.00")
    assert f"appeal #{appeal.pk} allowed" in assessment.basis
    assert AuditLog.objects.filter(action="holding.appeal_decided").count() == 1


def test_the_decision_can_stand(rejected, people):
    with at(2025, 11, 20):
        appeal = appeal_file(objection=rejected, user=people["owner"], reason="Please look again")
        appeal_decide(appeal=appeal, officer=people["reviewer"], revise=False, reason="Correct")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD and appeal.revised_rent is None
    assert rejected.assessment.holding.assessments.get().annual_valuation == Decimal("100000.00")


@pytest.mark.parametrize(
    ("when", "who", "message"),
    [
        ((2025, 12, 2), "owner", "The time to appeal ended on 01/12/2025."),
        ((2025, 11, 20), "stranger", "Only an owner of the holding can appeal."),
    ],
)
def test_late_or_stranger_appeals_are_refused(rejected, people, when, who, message):
    with at(*when), translation.override("en"), pytest.raises(ValidationError, match=message):
        appeal_file(objection=rejected, user=people[who], reason="Please look again")
    assert not Appeal.objects.exists()


def test_one_appeal_per_decision_and_none_before_it(rejected, people):
    with at(2025, 11, 20), translation.override("en"):
        appeal_file(objection=rejected, user=people["owner"], reason="Once")
        with pytest.raises(ValidationError, match="already been appealed"):
            appeal_file(objection=rejected, user=people["owner"], reason="Twice")
        open_one = objection_file(
            assessment=rejected.assessment, user=people["owner"], reason="Another objection"
        )
        with pytest.raises(ValidationError, match="not decided yet"):
            appeal_file(objection=open_one, user=people["owner"], reason="Too early")
    assert Appeal.objects.count() == 1


def test_a_second_open_objection_is_refused(rejected, people):
    with translation.override("en"):
        objection_file(assessment=rejected.assessment, user=people["owner"], reason="Again")
        with pytest.raises(ValidationError, match="already waiting for an assessor"):
            objection_file(assessment=rejected.assessment, user=people["owner"], reason="Third")
    assert rejected.assessment.objections.filter(status=Objection.Status.OPEN).count() == 1


def test_the_assessor_who_decided_cannot_review_and_a_decided_appeal_stays(
    rejected, people, make_user
):
    admin = make_user(Role.ADMINISTRATOR)
    with at(2025, 11, 20):
        appeal = appeal_file(objection=rejected, user=people["owner"], reason="Please")
    Objection.objects.filter(pk=rejected.pk).update(decided_by=admin)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="another officer must review"):
            appeal_decide(appeal=appeal, officer=admin, revise=False, reason="Mine")
        with pytest.raises(ValidationError, match="Only a review officer"):
            appeal_decide(appeal=appeal, officer=people["assessor"], revise=False, reason="x")
        appeal_decide(appeal=appeal, officer=people["reviewer"], revise=False, reason="Stands")
        with pytest.raises(ValidationError, match="already decided"):
            appeal_decide(appeal=appeal, officer=people["reviewer"], revise=True, reason="Again")
        other = Appeal.objects.create(
            objection=objection_file(
                assessment=rejected.assessment, user=people["owner"], reason="x"
            ),
            filed_by=people["owner"],
            reason="x",
        )
        with pytest.raises(ValidationError, match="the owner claimed none"):
            appeal_decide(appeal=other, officer=people["reviewer"], revise=True, reason="Revise")


# --- the pages -----------------------------------------------------------------------------


def test_owner_files_the_appeal_on_the_page_and_the_reviewer_decides_it(client, rejected, people):
    holding = rejected.assessment.holding
    url = f"/holdings/{holding.pk}/objections/{rejected.pk}/appeal/"
    client.force_login(people["owner"])
    client.cookies["kcc_language"] = "en"
    with at(2025, 11, 20):
        page = client.get(f"/holdings/{holding.pk}/objection/").content.decode()
        assert "Appeal against this decision" in page
        page = client.get(url).content.decode()
        assert "Appeal by" in page and "1 December 2025" in page
        response = client.post(url, {"reason": "The rent roll is old", "claimed_rent": "108000"})
        assert response.status_code == 302
        page = client.get(url).content.decode()
        assert "Waiting for the review officer" in page
        assert client.get("/holdings/officer/appeals/").status_code == 403

    appeal = Appeal.objects.get()
    client.force_login(people["reviewer"])
    queue = client.get("/holdings/officer/appeals/").content.decode()
    assert f"/holdings/officer/appeals/{appeal.pk}/" in queue and "45/A" in queue
    detail = f"/holdings/officer/appeals/{appeal.pk}/"
    assert "90,000.00" in client.get(detail).content.decode()  # if the claim were accepted
    refused = client.post(detail, {"decision": "revise", "reason": "Checked"})
    assert "Tick the box to confirm" in refused.content.decode()
    response = client.post(detail, {"decision": "revise", "reason": "Checked", "confirm": "on"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REVISED and appeal.decided_by == people["reviewer"]

    client.force_login(people["owner"])
    page = client.get(url).content.decode()
    assert "Valuation revised" in page and "1,08,000.00" in page


def test_bengali_appeal_page(client, rejected, people):
    client.force_login(people["owner"])
    client.cookies["kcc_language"] = "bn"
    with at(2025, 11, 20):
        page = client.get(
            f"/holdings/{rejected.assessment.holding_id}/objections/{rejected.pk}/appeal/"
        ).content.decode()
    assert "আপত্তির সিদ্ধান্তের বিরুদ্ধে আপিল" in page
    assert "২০২৫" in page
