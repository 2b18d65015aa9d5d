"""A receipt that includes VAT names the corporation's VAT registration number (BIN, a city
setting); one without VAT does not. The QR block stays on page 1, before the lines."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from core.models import CityProfile
from core.roles import Role
from payments.models import Receipt
from payments.receipts import receipt_context, render_receipt_pdf
from payments.services import LineSpec, bill_issue, counter_session_open, counter_take_cash

from .conftest import next_due

pytestmark = pytest.mark.django_db

BIN = "000123456-0101"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city_bin():
    city = CityProfile.current()
    city.vat_bin = BIN
    city.full_clean()
    city.save()
    return city


@pytest.fixture
def pay(make_user):
    clerk = make_user(Role.COUNTER_CLERK, name_en="Karim Mia")

    def make(*heads: str) -> Receipt:
        bill = bill_issue(
            dues=[next_due()],
            service="test",
            subject_type="test",
            subject_id="B-1",
            lines=[
                LineSpec(head=head, amount=Decimal("100.00"), description_en=head) for head in heads
            ],
            fiscal_year_label="2025-26",
            due_date=datetime.date(2026, 6, 30),
            subject_label_bn="করিম স্টোর",
            subject_label_en="Karim Store",
        )
        session = counter_session_open(clerk=clerk)
        payment = counter_take_cash(session=session, bills=[bill], clerk=clerk)
        return Receipt.objects.select_related("payment").get(payment=payment)

    return make


def text_of(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_a_receipt_with_vat_prints_the_bin(city_bin, pay):
    receipt = pay("licence_fee", "signboard_tax", "vat")
    [page] = text_of(render_receipt_pdf(receipt))
    assert f"VAT registration no. (BIN): {BIN}" in page
    # The QR block comes before the lines, on page 1.
    assert page.index("Scan to verify") < page.index("Description")
    context = receipt_context(receipt)
    assert context["vat_bin"] == {"bn": "০০০১২৩৪৫৬-০১০১", "en": BIN}


def test_a_receipt_without_vat_does_not(city_bin, pay):
    receipt = pay("holding_tax", "conservancy")
    [page] = text_of(render_receipt_pdf(receipt))
    assert "BIN" not in page
    assert receipt_context(receipt)["vat_bin"] is None


def test_no_bin_is_printed_while_the_city_has_none(pay):
    assert CityProfile.current().vat_bin == ""
    receipt = pay("licence_fee", "vat")
    assert receipt_context(receipt)["vat_bin"] is None
    assert "BIN" not in text_of(render_receipt_pdf(receipt))[0]


def test_the_bin_is_checked_when_entered():
    from django.core.exceptions import ValidationError

    city = CityProfile.current()
    city.vat_bin = "12AB"
    with pytest.raises(ValidationError) as refused:
        city.full_clean()
    assert "vat_bin" in refused.value.message_dict
