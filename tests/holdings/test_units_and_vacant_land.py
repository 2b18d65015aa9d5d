"""Valuation unit by unit, and vacant land taxed either way (issue: the money rules).

Worked example, by hand — a mixed building of three units under the default schedule
(one sixth off for maintenance, 40% owner-occupied concession, heads 7% + 7% + 3%):

    ground floor, the owner's own, would let for 1,20,000:
        1,20,000 − 20,000 = 1,00,000; 40% less = 60,000.00
    1st floor, let for 1,80,000:  1,80,000 − 30,000 = 1,50,000.00
    2nd floor, a shop let for 1,50,000:  1,50,000 − 25,000 = 1,25,000.00
    annual valuation 3,35,000.00 (rent 4,50,000)
    holding tax 7% = 23,450.00, conservancy 7% = 23,450.00, lighting 3% = 10,050.00
    yearly 56,950.00, four instalments of 14,237.50

The same building as one owner-occupied holding would be valued at 2,25,000.00 and as one
let holding at 3,75,000.00: neither is right for the owner on one floor and tenants on
the others.

Vacant land, nominal annual valuation 20,000.00: at the ordinary rates 1,400.00 + 1,400.00
+ 600.00 = 3,400.00 (four of 850.00); under the flat basis the schedule's 500.00 whatever
the valuation.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Role
from core.models import AuditLog
from holdings import tax
from holdings.citizen_forms import decorate
from holdings.defaults import ensure_schedule
from holdings.demands import generate_demands
from holdings.models import Demand, RateSchedule, VacantLandBasis
from holdings.selectors import statement
from holdings.services import assessment_record, holding_create

FY = "2025-26"

BUILDING = [
    tax.Unit("Ground floor", "residential", True, Decimal("120000")),
    tax.Unit("1st floor", "residential", False, Decimal("180000")),
    tax.Unit("2nd floor shop", "commercial", False, Decimal("150000")),
]


def lines_of(demand: Demand) -> list[tuple[str, str]]:
    return [(line.head, f"{line.amount:.2f}") for line in demand.lines.order_by("head")]


def quarters(demand: Demand) -> list[str]:
    return [f"{i.amount:.2f}" for i in demand.instalments.order_by("quarter")]


def test_building_valuation_values_each_unit_and_sums_them():
    building = tax.building_valuation(BUILDING)
    assert [f"{v.annual_valuation:.2f}" for _u, v in building.units] == [
        "60000.00",
        "150000.00",
        "125000.00",
    ]
    assert building.annual_rent == Decimal("450000.00")
    assert building.annual_valuation == Decimal("335000.00")
    # neither whole-building shortcut gives it
    assert tax.annual_valuation(Decimal("450000"), owner_occupied=True).annual_valuation == (
        Decimal("225000.00")
    )
    assert tax.annual_valuation(Decimal("450000"), owner_occupied=False).annual_valuation == (
        Decimal("375000.00")
    )


def test_each_unit_is_rounded_on_its_own():
    # 1,00,001 less one sixth = 83,334.1666… → 83,334.17 per unit, 1,66,668.34 for two;
    # the two rents together would give 2,00,002 − 33,333.67 = 1,66,668.33
    two = [tax.Unit(f"Flat {n}", "residential", False, Decimal("100001")) for n in "AB"]
    assert tax.building_valuation(two).annual_valuation == Decimal("166668.34")


def test_a_building_needs_a_unit():
    with pytest.raises(ValueError, match="at least one unit"):
        tax.building_valuation([])


@pytest.mark.django_db
def test_mixed_owner_occupied_and_let_building_is_assessed_unit_by_unit_and_billed():
    holding = holding_create(ward=4, number="12", use="mixed")
    assessment = assessment_record(holding=holding, effective_fy=FY, units=BUILDING)
    assert assessment.annual_rent == Decimal("450000.00")
    assert assessment.annual_valuation == Decimal("335000.00")
    assert assessment.owner_occupied is False  # not the whole building
    assert [
        (u.label, u.owner_occupied, f"{u.annual_valuation:.2f}") for u in assessment.units.all()
    ] == [
        ("Ground floor", True, "60000.00"),
        ("1st floor", False, "150000.00"),
        ("2nd floor shop", False, "125000.00"),
    ]
    generate_demands(FY)
    demand = Demand.objects.get(holding=holding, fiscal_year=FY)
    assert demand.annual_valuation == Decimal("335000.00")
    assert lines_of(demand) == [
        ("conservancy", "23450.00"),
        ("holding_tax", "23450.00"),
        ("lighting", "10050.00"),
    ]
    assert f"{demand.total:.2f}" == "56950.00"
    assert quarters(demand) == ["14237.50"] * 4


@pytest.mark.django_db
def test_statement_explains_the_units_in_bengali_and_english():
    holding = holding_create(ward=4, number="12", use="mixed")
    assessment_record(holding=holding, effective_fy=FY, units=BUILDING)
    generate_demands(FY)
    today = RateSchedule.objects.get(fiscal_year=FY).q1_due
    with translation.override("bn"):
        demand = decorate(statement(holding, today=today), today).demands[0]
    assert "Ground floor (মালিকের নিজের)" in demand.basis
    assert "1st floor (ভাড়া দেওয়া)" in demand.basis
    assert "ইউনিটগুলোর যোগফল ৳৩,৩৫,০০০.০০" in demand.basis
    with translation.override("en"):
        demand = decorate(statement(holding, today=today), today).demands[0]
    assert "Ground floor (owner-occupied)" in demand.basis
    assert "the units together = ৳3,35,000.00" in demand.basis


@pytest.mark.django_db
def test_reassessing_a_year_replaces_its_units_and_audits_both():
    holding = holding_create(ward=4, number="12", use="mixed")
    assessment_record(holding=holding, effective_fy=FY, units=BUILDING)
    again = assessment_record(holding=holding, effective_fy=FY, units=BUILDING[1:])
    assert again.units.count() == 2
    assert again.annual_valuation == Decimal("275000.00")
    log = AuditLog.objects.filter(action="holding.assessed").latest("pk")
    assert [u["label"] for u in log.before["units"]] == [
        "Ground floor",
        "1st floor",
        "2nd floor shop",
    ]
    assert [u["label"] for u in log.after["units"]] == ["1st floor", "2nd floor shop"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "message"),
    [
        (tax.Unit(" ", "residential", False, Decimal("1000")), "Unit 1: name the floor or flat."),
        (tax.Unit("Roof", "vacant_land", False, Decimal("1000")), "Unit 1: choose the use"),
        (tax.Unit("Roof", "residential", False, Decimal("-1")), "Unit 1: The yearly rent cannot"),
    ],
)
def test_a_bad_unit_is_refused_and_nothing_is_recorded(unit, message):
    holding = holding_create(ward=4, number="12", use="mixed")
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        assessment_record(holding=holding, effective_fy=FY, units=[unit])
    assert not holding.assessments.exists()


# --- vacant land both ways ---------------------------------------------------------------------


@pytest.fixture
def plots(db):
    """Two plots: one assessed at a nominal 20,000, one never assessed."""
    ensure_schedule(FY)
    valued = holding_create(ward=5, number="51", use="vacant_land")
    assessment_record(holding=valued, effective_fy=FY, nominal_valuation="২০,০০০")
    bare = holding_create(ward=5, number="52", use="vacant_land")
    return valued, bare


def test_vacant_land_flat_basis_pays_the_flat_tax_whatever_its_nominal_valuation(plots):
    valued, bare = plots
    assert RateSchedule.objects.get(fiscal_year=FY).vacant_land_basis == VacantLandBasis.FLAT
    generate_demands(FY)
    for plot in (valued, bare):
        demand = Demand.objects.get(holding=plot, fiscal_year=FY)
        assert lines_of(demand) == [("holding_tax", "500.00")]
        assert quarters(demand) == ["125.00"] * 4


def test_vacant_land_nominal_valuation_basis_applies_the_ordinary_rates(plots):
    valued, bare = plots
    RateSchedule.objects.filter(fiscal_year=FY).update(vacant_land_basis=VacantLandBasis.VALUATION)
    result = generate_demands(FY)
    demand = Demand.objects.get(holding=valued, fiscal_year=FY)
    assert demand.annual_valuation == Decimal("20000.00")
    assert lines_of(demand) == [
        ("conservancy", "1400.00"),
        ("holding_tax", "1400.00"),
        ("lighting", "600.00"),
    ]
    assert f"{demand.total:.2f}" == "3400.00"
    assert quarters(demand) == ["850.00"] * 4
    # the plot never valued gets no demand: it waits for the assessor
    assert not Demand.objects.filter(holding=bare).exists()
    assert result.not_assessed == 1


def test_vacant_land_takes_a_nominal_valuation_not_a_rent(plots):
    valued, _bare = plots
    assessment = valued.assessments.get()
    assert (assessment.annual_rent, assessment.annual_valuation) == (
        Decimal("0.00"),
        Decimal("20000.00"),
    )
    with translation.override("en"), pytest.raises(ValidationError, match="nominal annual"):
        assessment_record(holding=valued, effective_fy=FY, annual_rent="60000")


# --- the assessor's page ------------------------------------------------------------------------


def units_post(rows, **extra):
    data = {
        "unit-TOTAL_FORMS": str(len(rows)),
        "unit-INITIAL_FORMS": "0",
        "unit-MIN_NUM_FORMS": "0",
        "unit-MAX_NUM_FORMS": "30",
    }
    for n, (label, use, owner, rent) in enumerate(rows):
        data |= {f"unit-{n}-label": label, f"unit-{n}-use": use, f"unit-{n}-annual_rent": rent}
        if owner:
            data[f"unit-{n}-owner_occupied"] = "on"
    return data | extra


ROWS = [
    ("নিচতলা", "residential", True, "১,২০,০০০"),
    ("1st floor", "residential", False, "180000"),
    ("2nd floor shop", "commercial", False, "1,50,000"),
    ("", "residential", False, ""),  # an empty row is ignored
]


@pytest.fixture
def assessor_client(client, make_user):
    client.force_login(make_user(Role.ASSESSOR))
    client.cookies["kcc_language"] = "en"
    return client


def test_assessor_checks_then_records_a_building_unit_by_unit(assessor_client):
    holding = holding_create(ward=4, number="12", use="mixed")
    url = f"/holdings/officer/holdings/{holding.pk}/assess/"
    page = assessor_client.get(url).content.decode()
    assert 'name="unit-0-label"' in page and "Or unit by unit" in page

    preview = assessor_client.post(url, units_post(ROWS, effective_fy=FY, preview="1"))
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "60,000.00" in text and "1,50,000.00" in text and "3,35,000.00" in text
    assert not holding.assessments.exists()

    response = assessor_client.post(url, units_post(ROWS, effective_fy=FY, record="1"))
    assert response.status_code == 302
    assessment = holding.assessments.get()
    assert assessment.annual_valuation == Decimal("335000.00")
    assert [u.label for u in assessment.units.all()] == ["নিচতলা", "1st floor", "2nd floor shop"]
    page = assessor_client.get(response["Location"]).content.decode()
    assert "Recorded: in force from 2025-26" in page and "3,35,000.00" in page
    # the next visit starts from these units
    assert 'value="নিচতলা"' in assessor_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        (ROWS, {"annual_rent": "300000"}, "not both"),
        ([("", "residential", False, "50000")], {}, "Name the floor or flat"),
        ([("3rd floor", "residential", False, "")], {}, "Enter the unit&#x27;s yearly rent"),
        ([], {}, "Enter the yearly rent, or value the building unit by unit below."),
    ],
)
def test_assessor_page_refuses_a_muddled_building(assessor_client, rows, extra, message):
    holding = holding_create(ward=4, number="12", use="mixed")
    url = f"/holdings/officer/holdings/{holding.pk}/assess/"
    response = assessor_client.post(url, units_post(rows, effective_fy=FY, record="1", **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not holding.assessments.exists()


def test_assessor_values_vacant_land_at_a_nominal_valuation(assessor_client):
    plot = holding_create(ward=5, number="53", use="vacant_land")
    url = f"/holdings/officer/holdings/{plot.pk}/assess/"
    page = assessor_client.get(url).content.decode()
    assert "Nominal annual valuation" in page and 'name="unit-0-label"' not in page
    response = assessor_client.post(
        url, {"effective_fy": FY, "nominal_valuation": "২০০০০", "record": "1"}
    )
    assert response.status_code == 302
    assert plot.assessments.get().annual_valuation == Decimal("20000.00")
