"""Receipts: the bilingual PDF, its storage, the public /verify/<code>/ page, the download."""

from __future__ import annotations

import datetime
import io
import subprocess
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from core.models import CityProfile
from core.privacy import mask_name
from core.roles import Role
from payments.models import Receipt
from payments.receipts import (
    receipt_context,
    receipt_pdf_bytes,
    receipt_store_pdf,
    render_receipt_pdf,
)
from payments.services import (
    LineSpec,
    bill_issue,
    counter_session_open,
    counter_take_cash,
    payment_void,
)

from .conftest import next_due

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def payer(make_user):
    return make_user(Role.CITIZEN, name_en="Rahim Uddin")


@pytest.fixture
def clerk(make_user):
    return make_user(Role.COUNTER_CLERK, name_bn="করিম মিয়া", name_en="Karim Mia")


@pytest.fixture
def receipt(payer, clerk) -> Receipt:
    bill = bill_issue(
        dues=[next_due()],
        service="test",
        subject_type="test",
        subject_id="H-12/3",
        lines=[
            LineSpec(
                head="holding_tax",
                amount=Decimal("1000000.00"),
                description_bn="হোল্ডিং কর ২০২৫-২৬",
                description_en="Holding tax 2025-26",
            ),
            LineSpec(
                head="conservancy",
                amount=Decimal("250000.00"),
                description_bn="পরিচ্ছন্নতা রেট",
                description_en="Conservancy rate",
            ),
        ],
        fiscal_year_label="2025-26",
        due_date=datetime.date(2026, 6, 30),
        payer=payer,
        subject_label_bn="হোল্ডিং ১২/৩, ওয়ার্ড ৫",
        subject_label_en="Holding 12/3, ward 5",
    )
    session = counter_session_open(clerk=clerk)
    payment = counter_take_cash(session=session, bills=[bill], clerk=clerk)
    return Receipt.objects.select_related("payment").get(payment=payment)


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- the PDF ----------------------------------------------------------------------------------


def test_context_has_both_languages(receipt):
    ctx = receipt_context(receipt)
    assert ctx["amount"] == {"bn": "৳১২,৫০,০০০.০০", "en": "৳12,50,000.00"}
    assert ctx["amount_words"]["en"] == "Twelve lakh fifty thousand taka only"
    assert ctx["amount_words"]["bn"] == "বারো লক্ষ পঞ্চাশ হাজার টাকা মাত্র"
    assert ctx["verify_url"] == f"{settings.SITE_URL}/verify/{receipt.verify_code}/"
    assert ctx["qr_data_uri"].startswith("data:image/png;base64,")
    assert ctx["collected_by"] == {"bn": "করিম মিয়া", "en": "Karim Mia"}
    [bill] = ctx["bills"]
    assert [line["description"]["en"] for line in bill["lines"]] == [
        "Holding tax 2025-26",
        "Conservancy rate",
    ]
    assert bill["lines"][1]["amount"]["bn"] == "৳২,৫০,০০০.০০"
    assert bill["fiscal_year"] == {"bn": "২০২৫-২৬", "en": "2025-26"}
    assert not ctx["cancelled"]


def test_the_qr_code_image_holds_every_module_of_the_verify_url():
    import base64

    from PIL import Image

    from core.pdf import qr_matrix, qr_png_data_uri

    url = "https://kcc.example/verify/0123456789abcdef/"
    data = qr_png_data_uri(url).removeprefix("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    matrix = qr_matrix(url)
    assert image.size == (len(matrix), len(matrix))
    assert [
        [image.getpixel((x, y)) == 0 for x in range(image.width)] for y in range(image.height)
    ] == matrix


def test_pdf_renders_with_number_amount_and_words(receipt, tmp_path):
    data = render_receipt_pdf(receipt)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = pdf_text(data)
    assert receipt.number in text
    assert "12,50,000.00" in text
    assert "Twelve lakh fifty thousand taka only" in text
    assert "MONEY RECEIPT" in text
    assert "Scan to verify" in text
    assert f"/verify/{receipt.verify_code}/" in text
    assert "Computer-generated receipt; no signature needed." in text
    assert "VOID" not in text
    city = CityProfile.current()
    assert city.name_en in text
    if any("\u0980" <= ch <= "\u09ff" for ch in text):  # Bengali text extracts here
        # ...except the split vowel signs drawn before their consonant (ে ৈ ো ৌ), which
        # come out of the PDF's text layer mangled: check the words without them.
        words = [w for w in city.name_bn.split() if not set(w) & set("\u09c7\u09c8\u09cb\u09cc")]
        assert words and all(w in text for w in words)

    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    [png] = list(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 10_000


def test_voided_receipt_pdf_is_marked_void(receipt, make_user):
    payment_void(payment=receipt.payment, reason="test", officer=make_user(Role.REVENUE_OFFICER))
    receipt.refresh_from_db()
    receipt.payment.refresh_from_db()
    text = pdf_text(render_receipt_pdf(receipt))
    assert "VOID" in text
    assert "This receipt was cancelled" in text


# --- storage ----------------------------------------------------------------------------------


def test_store_pdf_saves_and_replaces_the_file(receipt):
    name = receipt_store_pdf(receipt)
    slug = receipt.number.replace("/", "-")
    assert name.endswith(f"/receipt-{slug}.pdf")
    receipt.refresh_from_db()
    assert receipt.pdf.name == name
    first = receipt.pdf.read()
    receipt.pdf.close()
    assert first.startswith(b"%PDF")

    assert receipt_store_pdf(receipt) == name  # idempotent: same name, no "_abc123" copies
    assert len(list((settings.MEDIA_ROOT / name).parent.iterdir())) == 1
    assert receipt_pdf_bytes(receipt) == (settings.MEDIA_ROOT / name).read_bytes()


def test_pdf_bytes_renders_and_stores_when_missing(receipt):
    assert not receipt.pdf
    data = receipt_pdf_bytes(receipt)
    assert data.startswith(b"%PDF")
    receipt.refresh_from_db()
    assert receipt.pdf.name
    assert (settings.MEDIA_ROOT / receipt.pdf.name).read_bytes() == data


def test_pdf_bytes_rerenders_a_copy_printed_before_the_void(receipt, make_user):
    receipt_store_pdf(receipt)
    payment_void(payment=receipt.payment, reason="test", officer=make_user(Role.REVENUE_OFFICER))
    receipt.refresh_from_db()
    data = receipt_pdf_bytes(receipt)
    assert "VOID" in pdf_text(data)
    receipt.refresh_from_db()
    assert receipt.pdf.name.endswith("-void.pdf")


# --- verify page ------------------------------------------------------------------------------


def test_mask_name():
    assert mask_name("Rahim Uddin") == "R**** U****"
    assert mask_name("  Md.  A ") == "M** A"
    # Bengali: one asterisk per hidden consonant or vowel; signs stay with their letter.
    assert mask_name("রহিম") == "র**"
    assert mask_name("কিবরিয়া") == "কি***"
    assert mask_name("") == ""


def test_verify_shows_a_valid_receipt(client, receipt):
    response = english(client).get(reverse("verify", args=[receipt.verify_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid receipt" in html
    assert receipt.number in html
    assert "৳12,50,000.00" in html
    assert "R**** U****" in html
    assert "Rahim" not in html
    bill = receipt.payment.items.get().bill
    assert bill.number in html
    assert "cancelled" not in html


def test_verify_in_bengali_uses_bengali_digits(client, receipt):
    response = client.get(reverse("verify", args=[receipt.verify_code]))
    assert response.status_code == 200
    assert "৳১২,৫০,০০০.০০" in response.content.decode()


def test_verify_unknown_code_is_a_404_with_a_clear_message(client, receipt):
    response = english(client).get(reverse("verify", args=["0000deadbeef0000"]))
    assert response.status_code == 404
    assert "No receipt or certificate has this code" in response.content.decode()
    assert english(client).get(reverse("verify", args=["x" * 200])).status_code == 404


def test_verify_voided_receipt_says_cancelled(client, receipt, make_user):
    payment_void(payment=receipt.payment, reason="test", officer=make_user(Role.REVENUE_OFFICER))
    response = english(client).get(reverse("verify", args=[receipt.verify_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This receipt was cancelled" in html
    assert "Valid receipt" not in html


# --- download ---------------------------------------------------------------------------------


def pdf_url(receipt: Receipt) -> str:
    url = reverse("payments:receipt_pdf", kwargs={"number": receipt.number})
    assert receipt.number in url  # the slashes survive (a <path:> converter)
    return url


def test_payer_downloads_the_pdf(client, receipt, payer):
    client.force_login(payer)
    response = client.get(pdf_url(receipt))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    slug = receipt.number.replace("/", "-")
    assert response["Content-Disposition"] == f'inline; filename="receipt-{slug}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_another_citizen_is_refused(client, receipt, make_user):
    client.force_login(make_user(Role.CITIZEN))
    assert client.get(pdf_url(receipt)).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, receipt):
    response = client.get(pdf_url(receipt))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", [Role.REVENUE_OFFICER, Role.COUNTER_CLERK])
def test_staff_download(client, receipt, make_user, role):
    client.force_login(make_user(role))
    response = client.get(pdf_url(receipt))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_unknown_receipt_number_is_404(client, payer):
    client.force_login(payer)
    response = client.get(
        reverse("payments:receipt_pdf", kwargs={"number": "KCC/R/2025-26/999999"})
    )
    assert response.status_code == 404


def test_download_by_tran_id_is_the_same_pdf_response_and_get_only(client, receipt):
    url = reverse("payments:payment_receipt_pdf", kwargs={"tran_id": receipt.payment.tran_id})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    slug = receipt.number.replace("/", "-")
    assert response["Content-Disposition"] == f'inline; filename="receipt-{slug}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert client.post(url).status_code == 405
    client.force_login(receipt.payment.payer)
    assert client.post(pdf_url(receipt)).status_code == 405


# --- the worker's catch-up task ----------------------------------------------------------------


def test_render_pending_receipts_renders_missing_pdfs_and_returns_the_count(
    receipt, payer, clerk, make_bill
):
    from payments.tasks import render_pending_receipts

    session = receipt.payment.counter_session
    second = Receipt.objects.get(
        payment=counter_take_cash(
            session=session, bills=[make_bill(payer, "900.00", subject_id="H-9")], clerk=clerk
        )
    )
    already = Receipt.objects.get(pk=second.pk)
    receipt_store_pdf(already)
    stored_before = Receipt.objects.get(pk=second.pk).pdf.name
    assert Receipt.objects.get(pk=receipt.pk).pdf.name == ""

    assert render_pending_receipts() == 1
    rendered = Receipt.objects.get(pk=receipt.pk)
    assert rendered.pdf.name.endswith(".pdf")
    with rendered.pdf.open("rb") as fh:
        assert fh.read(4) == b"%PDF"
    assert Receipt.objects.get(pk=second.pk).pdf.name == stored_before  # left alone
    assert render_pending_receipts() == 0  # nothing left to do
