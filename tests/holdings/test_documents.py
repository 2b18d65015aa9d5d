"""Holding documents: the demand notice PDF, the no-dues certificate (refused while dues
exist, numbered per fiscal year, its PDF, /verify/<code>/), the pages' access rules."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core.fiscal import current_fiscal_year, fiscal_year_bounds, previous_fiscal_year
from core.models import CityProfile
from core.money import format_amount
from core.pdf import qr_data_uri
from core.roles import Role
from holdings import tasks
from holdings.demands import generate_demands
from holdings.documents import (
    demand_notice_context,
    issue_no_dues_certificate,
    no_dues_pdf_bytes,
    pay_url,
    render_demand_notice,
    render_no_dues,
)
from holdings.models import Demand, Instalment, NoDuesCertificate
from holdings.services import assessment_record, holding_bill, holding_create, owner_add
from payments.services import counter_session_open, counter_take_cash

pytestmark = pytest.mark.django_db

FY = current_fiscal_year()
FY_END = fiscal_year_bounds(FY)[1]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner_user(make_user):
    return make_user(Role.CITIZEN, name_en="Rahim Uddin")


@pytest.fixture
def holding(owner_user):
    h = holding_create(
        ward=5,
        number="12/A",
        road="KDA Avenue",
        mahalla="Sonadanga",
        use="residential",
        owner_occupied=True,
    )
    owner = owner_add(holding=h, name_bn="রহিম উদ্দিন", name_en="Rahim Uddin", mobile="01712345678")
    owner.user = owner_user
    owner.save()
    assessment_record(holding=h, effective_fy=previous_fiscal_year(FY), annual_rent="120000")
    return h


@pytest.fixture
def clerk(make_user):
    return make_user(Role.COUNTER_CLERK, name_en="Karim Mia")


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def to_png(data: bytes, tmp_path, name: str):
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name)],
        check=True,
        timeout=60,
    )
    [png] = list(tmp_path.glob(f"{name}*.png"))
    return png


def pay_everything(holding, clerk):
    instalments = list(
        Instalment.objects.filter(demand__holding=holding, status=Instalment.Status.DUE)
    )
    bill = holding_bill(holding=holding, instalments=instalments)
    session = counter_session_open(clerk=clerk)
    counter_take_cash(session=session, bills=[bill], clerk=clerk)


# --- the demand notice ----------------------------------------------------------------------


def test_demand_notice_pdf_shows_the_holding_the_rules_and_the_total(holding, tmp_path):
    generate_demands(previous_fiscal_year(FY))  # left unpaid: arrears with surcharge
    generate_demands(FY)
    demand = Demand.objects.get(holding=holding, fiscal_year=FY)
    ctx = demand_notice_context(demand)
    arrear = holding.arrears.get()
    expected_total = demand.total + arrear.principal + arrear.surcharge
    assert ctx["total_due_value"] == expected_total
    assert [r["head"]["en"] for r in ctx["heads"]] == ["Holding tax", "Conservancy", "Lighting"]
    assert ctx["heads"][0]["rate"] == {"bn": "৭%", "en": "7%"}
    assert "whole year is paid by 30 September" in ctx["rebates"][0]["text"]["en"]

    data = render_demand_notice(demand)
    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = pdf_text(data)
    assert "HOLDING TAX DEMAND NOTICE" in text.upper()
    assert "12/A" in text
    assert format_amount(expected_total, lang="en") in text
    assert format_amount(demand.total, lang="en") in text
    assert format_amount(demand.annual_valuation, lang="en") in text
    assert "occupied, 40% less = ৳60,000.00" in text
    assert "4th instalment" in text
    assert "surcharge on the unpaid tax" in text
    assert "Quick pay" in text
    assert pay_url(holding).endswith("?ward=5&number=12%2FA")  # quick pay, filled in
    assert ctx["qr_data_uri"] == qr_data_uri(pay_url(holding))
    assert "Rahim Uddin" in text
    assert CityProfile.current().name_en in text
    png = to_png(data, tmp_path, "notice")
    assert png.stat().st_size > 10_000


def test_demand_notice_of_vacant_land_explains_the_flat_tax(tmp_path):
    h = holding_create(ward=2, number="7", use="vacant_land")
    generate_demands(FY)
    text = pdf_text(render_demand_notice(Demand.objects.get(holding=h)))
    assert "Vacant land: the flat yearly tax" in text
    assert "500.00" in text


# --- the no-dues certificate ----------------------------------------------------------------


def test_no_dues_refused_while_an_instalment_is_past_its_due_date(holding):
    """Only what is past its due date counts: the refusal names Q1's amount once Q1's due
    date has passed, not the year's (Q2–Q4 are not yet due)."""
    start = fiscal_year_bounds(FY)[0]
    generate_demands(FY)
    q1 = Instalment.objects.get(demand__holding=holding, quarter=1)
    with time_machine.travel(
        datetime.datetime.combine(
            q1.due_date + datetime.timedelta(days=1), datetime.time(10), tzinfo=datetime.UTC
        )
    ):
        with pytest.raises(ValidationError, match="overdue|বকেয়া") as exc:
            issue_no_dues_certificate(holding)
        assert exc.value.code == "has_dues"
        assert (
            format_amount(q1.amount, lang="bn") in exc.value.messages[0]
            or format_amount(q1.amount, lang="en") in exc.value.messages[0]
        )
        assert format_amount(q1.demand.total, lang="en") not in exc.value.messages[0]
    assert not NoDuesCertificate.objects.exists()
    with time_machine.travel(datetime.datetime(start.year, 8, 1, 10, tzinfo=datetime.UTC)):
        cert = issue_no_dues_certificate(holding)  # before Q1's due date: nothing overdue
        assert cert.paid_up_to == datetime.date(start.year, 8, 1)
        assert cert.valid_until == q1.due_date


def test_no_dues_issued_once_the_instalments_are_paid_at_the_counter(holding, clerk, tmp_path):
    generate_demands(FY)
    pay_everything(holding, clerk)
    cert = issue_no_dues_certificate(holding, actor=clerk)
    code = CityProfile.current().code
    assert re.fullmatch(rf"{re.escape(code)}/ND/{FY}/000001", cert.number)
    assert cert.valid_until == FY_END
    assert cert.paid_up_to == FY_END
    assert re.fullmatch(r"[0-9a-f]{20}", cert.verify_code)
    assert cert.issued_by == clerk

    data = render_no_dues(cert)
    text = pdf_text(data)
    assert cert.number in text
    assert "NO DUES CERTIFICATE" in text.upper()
    assert f"Valid until {FY_END.day} {FY_END:%B %Y}" in text
    assert f"has paid all holding tax due up to {FY_END.day} {FY_END:%B %Y}" in text
    assert f"/verify/{cert.verify_code}/" in text
    png = to_png(data, tmp_path, "no-dues")
    assert png.stat().st_size > 10_000


def test_no_dues_after_marking_instalments_paid_directly(holding):
    generate_demands(FY)
    Instalment.objects.filter(demand__holding=holding).update(status=Instalment.Status.PAID)
    assert issue_no_dues_certificate(holding).number.endswith("/000001")


def test_numbers_are_consecutive_per_fiscal_year(holding):
    others = [holding_create(ward=3, number=str(n)) for n in (1, 2)]
    NoDuesCertificate.objects.create(  # last year's series does not count
        holding=holding,
        fiscal_year=previous_fiscal_year(FY),
        sequence=41,
        number=f"X/ND/{previous_fiscal_year(FY)}/000041",
        verify_code="f" * 20,
        paid_up_to=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2020, 6, 30),
    )
    certs = [issue_no_dues_certificate(h) for h in [holding, *others]]
    assert [c.sequence for c in certs] == [1, 2, 3]
    assert [c.number[-6:] for c in certs] == ["000001", "000002", "000003"]
    assert len({c.verify_code for c in certs}) == 3
    # Asking again the same day, nothing changed: the same certificate, no new number.
    assert issue_no_dues_certificate(holding) == certs[0]
    assert NoDuesCertificate.objects.filter(fiscal_year=FY).count() == 3


def test_a_number_taken_concurrently_is_taken_again(holding, monkeypatch):
    from holdings import documents

    first = issue_no_dues_certificate(holding_create(ward=3, number="1"))
    real = documents._next_sequence
    calls = []

    def stale(fy):  # as if another issue committed number 1 after we read the maximum
        calls.append(fy)
        return first.sequence if len(calls) == 1 else real(fy)

    monkeypatch.setattr(documents, "_next_sequence", stale)
    cert = issue_no_dues_certificate(holding)
    assert len(calls) == 2
    assert cert.sequence == 2 and cert.number.endswith("/000002")


def test_pdf_is_stored_by_the_task_and_served_from_storage(holding):
    cert = issue_no_dues_certificate(holding)
    name = tasks.render_no_dues_pdf(cert.pk)
    assert name.endswith(f"no-dues-{cert.number.replace('/', '-')}.pdf")
    stored = (settings.MEDIA_ROOT / name).read_bytes()
    assert stored.startswith(b"%PDF")
    assert no_dues_pdf_bytes(cert) == stored
    assert tasks.render_no_dues_pdf(cert.pk) == name  # idempotent: replaced, same name


def test_bulk_notices_for_a_ward_are_written_to_media(holding):
    holding_create(ward=6, number="1", use="vacant_land")
    generate_demands(FY)
    assert tasks.render_demand_notices(FY, 5) == 1
    [pdf] = list((settings.MEDIA_ROOT / "holdings" / "notices" / FY / "ward-05").iterdir())
    assert pdf.name == f"demand-notice-{FY}-ward-5-12-A.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


# --- /verify/<code>/ ------------------------------------------------------------------------


def test_verify_shows_the_certificate_valid_with_the_owner_masked(client, holding):
    cert = issue_no_dues_certificate(holding)
    response = english(client).get(reverse("verify", args=[cert.verify_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid no-dues certificate" in html
    assert cert.number in html
    assert "R**** U****" in html
    assert "Rahim" not in html
    assert "expired" not in html


def test_verify_in_bengali_masks_the_bengali_name(client, holding):
    cert = issue_no_dues_certificate(holding)
    response = client.get(reverse("verify", args=[cert.verify_code.upper()]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "রহিম" not in html and "র** উ***" in html  # core.privacy.mask_name("রহিম উদ্দিন")


def test_verify_an_expired_certificate(client, holding):
    cert = issue_no_dues_certificate(holding)
    NoDuesCertificate.objects.filter(pk=cert.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = english(client).get(reverse("verify", args=[cert.verify_code]))
    assert response.status_code == 200
    assert "This no-dues certificate has expired" in response.content.decode()
    assert "Valid no-dues certificate" not in response.content.decode()


def test_verify_unknown_code_is_still_404(client, holding):
    issue_no_dues_certificate(holding)
    response = english(client).get(reverse("verify", args=["0" * 20]))
    assert response.status_code == 404
    assert "No receipt or certificate has this code" in response.content.decode()


# --- pages and access -----------------------------------------------------------------------


def urls(holding, cert):
    return [
        reverse("holdings:demand_notice", args=[holding.pk, FY]),
        reverse("holdings:no_dues", args=[holding.pk]),
        reverse("holdings:no_dues_pdf", args=[cert.pk]),
    ]


@pytest.fixture
def cert_and_demand(holding):
    cert = issue_no_dues_certificate(holding)
    generate_demands(FY)
    return cert


def test_anonymous_is_sent_to_sign_in(client, holding, cert_and_demand):
    for url in urls(holding, cert_and_demand):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_another_citizen_gets_404(client, holding, cert_and_demand, make_user):
    client.force_login(make_user(Role.CITIZEN))
    for url in urls(holding, cert_and_demand):
        assert client.get(url).status_code == 404
    assert client.post(urls(holding, cert_and_demand)[1]).status_code == 404


@pytest.mark.parametrize("role", [None, Role.COUNTER_CLERK, Role.ASSESSOR, Role.REVENUE_OFFICER])
def test_owner_and_staff_open_everything(
    client, holding, cert_and_demand, owner_user, make_user, role
):
    client.force_login(owner_user if role is None else make_user(role))
    notice, page, pdf = urls(holding, cert_and_demand)
    for url in (notice, pdf):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert response.content.startswith(b"%PDF")
    response = client.get(notice)
    assert response["Content-Disposition"] == (
        f'inline; filename="demand-notice-{FY}-ward-5-12-A.pdf"'
    )
    assert client.get(page).status_code == 200  # Bengali
    assert english(client).get(page).status_code == 200


def test_notice_for_a_year_without_demand_or_a_bad_year_is_404(client, holding, owner_user):
    client.force_login(owner_user)
    generate_demands(FY)
    assert (
        client.get(reverse("holdings:demand_notice", args=[holding.pk, "1999-00"])).status_code
        == 404
    )
    assert (
        client.get(reverse("holdings:demand_notice", args=[holding.pk, "junk"])).status_code == 404
    )
    bengali = FY.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert (
        client.get(reverse("holdings:demand_notice", args=[holding.pk, bengali])).status_code == 200
    )


def test_page_refuses_while_dues_then_issues_after_payment(client, holding, owner_user, clerk):
    generate_demands(FY)
    english(client).force_login(owner_user)
    url = reverse("holdings:no_dues", args=[holding.pk])
    past_q1 = datetime.datetime(fiscal_year_bounds(FY)[0].year, 10, 15, 10, tzinfo=datetime.UTC)
    with time_machine.travel(past_q1, tick=False):
        page = client.get(url).content.decode()
        assert 'data-owes="true"' in page
        assert "Issue a no-dues certificate" not in page
        assert page.count("was due by") == 1  # Q1 only: Q2–Q4 are not yet due

        response = client.post(url)
        assert response.status_code == 200
        assert "of holding tax overdue (past its due date)" in response.content.decode()
    assert not NoDuesCertificate.objects.exists()

    pay_everything(holding, clerk)
    page = client.get(url).content.decode()
    assert 'data-owes="false"' in page and "Issue a no-dues certificate" in page
    response = client.post(url, follow=True)
    cert = NoDuesCertificate.objects.get()
    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert cert.number in html
    assert reverse("holdings:no_dues_pdf", args=[cert.pk]) in html
    assert cert.issued_by == owner_user
    assert Decimal(0) == sum(i.amount for i in Instalment.objects.filter(status="due"))


@pytest.mark.django_db(transaction=True)
def test_storing_a_no_dues_pdf_drops_only_its_owners_cached_figures(
    holding, clerk, owner_user, make_user, figures_dropped
):
    from holdings.documents import no_dues_store_pdf

    generate_demands(FY)
    pay_everything(holding, clerk)
    cert = issue_no_dues_certificate(holding, actor=clerk)
    stranger = make_user(Role.CITIZEN, mobile="01711999999")
    assert figures_dropped([owner_user, stranger], lambda: no_dues_store_pdf(cert)) == {
        owner_user.pk
    }
    assert NoDuesCertificate.objects.get(pk=cert.pk).pdf.name.endswith(".pdf")
