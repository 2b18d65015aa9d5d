"""What the licence certificate carries, on one A4 page: the legal basis (a city setting),
the owner's parents and addresses, the e-TIN, the premises' holding number and zone office,
the paid-up capital of a company, and the signature of the licence officer who approved it
with the corporation's seal (both uploaded by an administrator, refused unless they are
real images). English is read from the PDF with pypdf; Bengali (whose vowel signs pypdf
garbles) from the context the template prints."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import LEGAL_BASIS_BN, CityProfile, OfficerSignature, Zone
from core.roles import Role
from holdings.services import holding_create
from payments.models import CounterSession
from payments.services import counter_session_open, counter_take_cash
from trade_licenses.certificates import certificate_context, render_certificate
from trade_licenses.models import Application, Licence
from trade_licenses.services import (
    application_issue_bill,
    application_submit,
    application_transition,
    document_add,
    inspection_record,
)

from .conftest import image_bytes

S = Application.Status
pytestmark = pytest.mark.django_db

LONG_ADDRESS = (
    "House 14/B, Road 7, Sonadanga Residential Area (2nd phase), beside the KDA market, "
    "Sonadanga, Khulna 9100"
)


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def png(width: int = 240, height: int = 80, *, seal: bool = False) -> bytes:
    """A transparent PNG: a scrawl (a signature) or two rings (a seal)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    if seal:
        draw.ellipse([4, 4, width - 5, height - 5], outline=(120, 20, 120), width=6)
        draw.ellipse([30, 30, width - 31, height - 31], outline=(120, 20, 120), width=3)
    else:
        points = [(10 + i * (width - 20) // 8, 20 + (i % 3) * (height - 40) // 2) for i in range(9)]
        draw.line(points, fill=(20, 20, 120), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def signed_officer(officer):
    """The licence officer, with a designation and signature uploaded by an administrator,
    and the corporation's seal on the city profile."""
    officer.name_bn = "মোঃ রফিকুল ইসলাম"
    officer.name_en = "Md. Rafiqul Islam"
    officer.save()
    signature = OfficerSignature(
        user=officer, designation_bn="লাইসেন্স সুপারভাইজার", designation_en="Licence Supervisor"
    )
    signature.image.save("signature.png", ContentFile(png()), save=False)
    signature.save()
    city = CityProfile.current()
    city.seal.save("seal.png", ContentFile(png(200, 200, seal=True)), save=True)
    return officer


@pytest.fixture
def issue(make_business, make_draft, add_documents, trader, inspector, officer, clerk, pdf_file):
    """A licence issued through the whole workflow, the trader's particulars given."""

    def make(*, business_fields=None, extra_documents=(), **particulars) -> Licence:
        business = make_business(**(business_fields or {}))
        application = make_draft(business, **particulars)
        for kind in extra_documents:
            document_add(application=application, kind=kind, file=pdf_file(), actor=trader)
        add_documents(application, trader)
        application_submit(application=application, actor=trader)
        application_transition(application=application, to=S.INSPECTION, actor=inspector)
        inspection_record(
            application=application,
            inspector=inspector,
            findings="Premises as declared.",
            photos=[SimpleUploadedFile("front.png", image_bytes("PNG"))],
        )
        application_transition(application=application, to=S.APPROVAL, actor=inspector)
        application_issue_bill(application=application, actor=officer)
        session = CounterSession.objects.filter(
            clerk=clerk, status=CounterSession.Status.OPEN
        ).first() or counter_session_open(clerk=clerk)
        counter_take_cash(session=session, bills=[application.bill], clerk=clerk)
        return Licence.objects.get(application=application)

    return make


PARTICULARS = {
    "trader_father_or_husband_name": "Abdul Karim Sheikh",
    "trader_mother_name": "Rokeya Begum",
    "trader_present_address": LONG_ADDRESS,
    "trader_permanent_address": "Village Rupsha, Post Office Rupsha, Upazila Rupsha, Khulna",
}


def test_a_company_licence_prints_everything_on_one_a4_page(issue, signed_officer):
    """The fullest certificate: a limited company in owned premises, long addresses, the
    officer's signature and the seal — all on one A4 page."""
    Zone.objects.filter(number=1).update(
        office_address_bn="আঞ্চলিক কার্যালয়, বয়রা, খুলনা",
        office_address_en="Zonal office, Boyra, Khulna",
    )
    holding_create(ward=5, number="77", road="KDA Avenue")
    licence = issue(
        business_fields={
            "name_en": "Rupsha Agro Industries Limited",
            "name_bn": "রূপসা এগ্রো ইন্ডাস্ট্রিজ লিমিটেড",
            "category_code": "limited_company",
            "paid_up_capital": "2500000",
            "premises_owned": True,
            "holding_ward": "5",
            "holding_number": "77",
            "premises_address": LONG_ADDRESS,
        },
        extra_documents=("incorporation", "holding_tax_receipt"),
        **PARTICULARS,
    )
    data = render_certificate(licence)
    pages = pdf_pages(data)
    assert len(pages) == 1
    text = " ".join(pages[0].split())  # pypdf breaks lines where the PDF wraps them

    assert "Under section 84 of the Local Government (City Corporation) Act 2009" in text
    assert "paragraph 10 of the Model Tax Schedule 2016" in text
    assert "Abdul Karim Sheikh" in text and "Rokeya Begum" in text
    assert "Father's or husband's name" in text and "Mother's name" in text
    assert "Present address" in text and "Permanent address" in text
    assert "Village Rupsha, Post Office Rupsha" in text
    assert "123456789012" in text  # e-TIN
    assert "77 (ward 5)" in text  # the premises' holding
    assert "Paid-up capital" in text and "25,00,000.00" in text
    assert "Zone 1, Zonal office, Boyra, Khulna" in text
    assert "Md. Rafiqul Islam" in text and "Licence Supervisor" in text
    assert "signature and the seal are printed electronically" in text
    assert "no signature needed" not in text

    context = certificate_context(licence)
    assert context["legal_basis"]["bn"] == LEGAL_BASIS_BN
    assert "ধারা ৮৪" in context["legal_basis"]["bn"]
    assert "১০ অনুচ্ছেদ" in context["legal_basis"]["bn"]
    assert context["holding"]["bn"] == "৭৭ (ওয়ার্ড ৫)"
    assert context["officer"]["name"]["bn"] == "মোঃ রফিকুল ইসলাম"
    assert context["officer"]["designation"]["bn"] == "লাইসেন্স সুপারভাইজার"
    assert context["officer"]["signature_src"].startswith("data:image/png;base64,")
    assert context["seal_src"].startswith("data:image/png;base64,")
    assert context["zone_office"]["bn"] == "অঞ্চল ১, আঞ্চলিক কার্যালয়, বয়রা, খুলনা"
    assert context["paid_up_capital"]["bn"] == "৳২৫,০০,০০০.০০"


def test_the_legal_basis_is_the_citys_setting(issue):
    city = CityProfile.current()
    city.legal_basis_en = "Under the Gazipur City Corporation licensing order"
    city.legal_basis_bn = "গাজীপুর সিটি কর্পোরেশনের লাইসেন্স আদেশ অনুযায়ী"
    city.save()
    licence = issue(**PARTICULARS)
    text = " ".join(pdf_pages(render_certificate(licence))[0].split())
    assert "Under the Gazipur City Corporation licensing order" in text
    assert "section 84" not in text
    assert certificate_context(licence)["legal_basis"]["bn"].startswith("গাজীপুর")


def test_an_old_record_prints_dashes_and_the_officer_without_a_signature(issue, officer):
    """A licence whose application predates the particulars (none given), approved by an
    officer with no signature uploaded: dashes, the officer's name and the default
    designation, no seal, and the "no signature needed" line."""
    licence = issue()
    data = render_certificate(licence)
    pages = pdf_pages(data)
    assert len(pages) == 1
    text = " ".join(pages[0].split())
    assert "Licence officer" in text  # the approving officer's name (fixture) …
    assert "no signature needed" in text
    assert "Paid-up capital" not in text  # a grocery is not charged by capital

    context = certificate_context(licence)
    for key in ("father_or_husband", "mother", "present_address", "permanent_address"):
        assert context[key] == "—"
    assert context["holding"] is None  # rented premises: no holding number given
    assert context["paid_up_capital"] is None
    assert context["officer"]["designation"] == {"bn": "লাইসেন্স কর্মকর্তা", "en": "Licence officer"}
    assert context["officer"]["signature_src"] == ""
    assert context["seal_src"] == ""
    assert context["zone_office"] == {"bn": "অঞ্চল ১", "en": "Zone 1"}


def test_a_withdrawn_signature_is_no_longer_printed(issue, signed_officer):
    OfficerSignature.objects.filter(user=signed_officer).update(is_active=False)
    licence = issue(**PARTICULARS)
    context = certificate_context(licence)
    assert context["officer"]["name"]["en"] == "Md. Rafiqul Islam"
    assert context["officer"]["signature_src"] == ""
    assert context["officer"]["designation"]["en"] == "Licence officer"


def test_the_licence_bill_names_the_business_once(issue):
    """Receipts and the verify page print "service: subject": the subject is the business
    alone, so no "ট্রেড লাইসেন্স: ট্রেড লাইসেন্স:"."""
    licence = issue()
    bill = licence.bill
    assert (bill.subject_label_bn, bill.subject_label_en) == ("করিম স্টোর", "Karim Store")


# --- uploads by an administrator ------------------------------------------------------------


@pytest.fixture
def admin_client(client, make_user, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(make_user(Role.ADMINISTRATOR))
    return client


def test_an_administrator_uploads_an_officers_signature(admin_client, officer):
    response = admin_client.post(
        "/admin/core/officersignature/add/",
        {
            "user": officer.pk,
            "designation_bn": "লাইসেন্স কর্মকর্তা",
            "designation_en": "Licence Officer",
            "image": SimpleUploadedFile("sign.png", png(), content_type="image/png"),
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    signature = OfficerSignature.objects.get(user=officer)
    assert signature.image.name.startswith("signatures/")
    assert "sign.png" not in signature.image.name  # stored under a random name
    # Stored privately: outside the public media folder.
    assert "/private/" in signature.image.path
    assert signature.image.url.startswith("/private-not-served/")


def test_a_file_that_is_not_an_image_is_refused_as_signature(admin_client, officer):
    response = admin_client.post(
        "/admin/core/officersignature/add/",
        {
            "user": officer.pk,
            "designation_bn": "লাইসেন্স কর্মকর্তা",
            "designation_en": "Licence Officer",
            "image": SimpleUploadedFile(
                "sign.png", b"%PDF-1.4 not an image", content_type="image/png"
            ),
        },
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert not OfficerSignature.objects.exists()


def test_a_gif_or_an_oversized_image_is_refused_with_a_clear_message():
    from django.core.exceptions import ValidationError
    from PIL import Image

    from core.images import validate_print_image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="GIF")
    with pytest.raises(ValidationError) as refused:
        validate_print_image(ContentFile(buffer.getvalue(), name="seal.gif"))
    assert "not a PNG or JPEG image" in refused.value.messages[0]

    with pytest.raises(ValidationError) as refused:
        validate_print_image(ContentFile(png(5000, 10), name="wide.png"))
    assert "at most 4000 on each side" in refused.value.messages[0]

    big = ContentFile(b"\x89PNG" + b"0" * (1024 * 1024 + 1), name="big.png")
    with pytest.raises(ValidationError) as refused:
        validate_print_image(big)
    assert "the largest accepted is" in refused.value.messages[0]

    validate_print_image(ContentFile(png(), name="ok.png"))  # a real PNG passes


def test_a_seal_that_is_not_an_image_is_refused_on_the_city_profile():
    from django.core.exceptions import ValidationError

    city = CityProfile.current()
    city.seal = SimpleUploadedFile("seal.jpg", b"GIF89a... not really", content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        city.full_clean()
    assert "seal" in refused.value.message_dict


def test_a_renewal_with_two_skipped_years_still_fits_one_page(signed_officer, clerk):
    """The longest fee table: the demo shop (licence 2024-25) renews for 2027-28, so
    2025-26 and 2026-27 are billed as arrears (four lines each) besides the year's five."""
    from datetime import datetime

    import time_machine

    from trade_licenses import demo
    from trade_licenses.models import Business
    from trade_licenses.services import licence_renew

    from .conftest import DHAKA

    with time_machine.travel(datetime(2025, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        demo.seed()
        shop = Business.objects.get(name_en=demo.DEMO_BUSINESS[1])
    with time_machine.travel(datetime(2027, 11, 15, 11, 0, tzinfo=DHAKA), tick=True):
        renewal, _ = licence_renew(
            business=shop, actor=shop.trader, trader_tin="123456789012", **PARTICULARS
        )
        application_transition(application=renewal, to=S.APPROVAL, actor=signed_officer)
        application_issue_bill(application=renewal, actor=signed_officer)
        renewal.refresh_from_db()
        assert renewal.bill.lines.filter(arrears=True).count() == 8
        session = counter_session_open(clerk=clerk)
        counter_take_cash(session=session, bills=[renewal.bill], clerk=clerk)
        licence = Licence.objects.get(application=renewal)
        data = render_certificate(licence)
    pages = pdf_pages(data)
    assert len(pages) == 1
    text = " ".join(pages[0].split())
    assert "Arrears 2025-26" in text and "Arrears 2026-27" in text
    assert "Md. Rafiqul Islam" in text and "Rokeya Begum" in text
    assert "Valid until 30 June 2028" in text
