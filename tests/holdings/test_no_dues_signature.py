"""The no-dues certificate's signature block: issued by an officer whose signature an
administrator uploaded, it prints that signature, the officer's name and designation and
the corporation's seal; asked for by the owner, it says it is computer-generated (with the
seal when one is uploaded). English read from the PDF with pypdf, Bengali from the context."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader

from core.models import CityProfile, OfficerSignature
from core.roles import Role
from holdings.documents import issue_no_dues_certificate, no_dues_context, render_no_dues
from holdings.services import holding_create, owner_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(size: tuple[int, int] = (240, 80)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(5, size[1] - 10), (size[0] - 5, 10)], fill=(0, 0, 120), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pages(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def holding():
    h = holding_create(ward=5, number="12/A", road="KDA Avenue")
    owner_add(holding=h, name_bn="রহিম উদ্দিন", name_en="Rahim Uddin", mobile="01712345678")
    return h


@pytest.fixture
def seal():
    city = CityProfile.current()
    city.seal.save("seal.png", ContentFile(png((200, 200))), save=True)
    return city


def test_issued_by_an_officer_it_prints_the_officers_signature_and_the_seal(
    holding, make_user, seal
):
    officer = make_user(Role.REVENUE_OFFICER, name_bn="নাসরিন আক্তার", name_en="Nasrin Akter")
    signature = OfficerSignature(
        user=officer, designation_bn="কর কর্মকর্তা", designation_en="Tax Officer"
    )
    signature.image.save("s.png", ContentFile(png()), save=False)
    signature.save()

    certificate = issue_no_dues_certificate(holding, actor=officer)
    data = render_no_dues(certificate)
    [text] = pages(data)  # one page
    assert "Nasrin Akter" in text and "Tax Officer" in text
    assert "the issuing officer's signature and the seal are printed electronically" in text
    assert "no signature needed" not in text

    context = no_dues_context(certificate)
    assert context["officer"]["name"]["bn"] == "নাসরিন আক্তার"
    assert context["officer"]["designation"]["bn"] == "কর কর্মকর্তা"
    assert context["officer"]["signature_src"].startswith("data:image/png;base64,")
    assert context["seal_src"].startswith("data:image/png;base64,")


def test_asked_for_by_the_owner_it_is_computer_generated_with_the_seal(holding, make_user, seal):
    owner = make_user(Role.CITIZEN, name_en="Rahim Uddin")
    certificate = issue_no_dues_certificate(holding, actor=owner)
    [text] = pages(render_no_dues(certificate))
    assert "Computer-generated certificate; no signature needed." in text
    context = no_dues_context(certificate)
    assert context["officer"] is None
    assert context["seal_src"].startswith("data:image/png;base64,")


def test_a_staff_member_without_a_signature_on_file_gets_the_computer_generated_line(
    holding, make_user
):
    clerk = make_user(Role.COUNTER_CLERK, name_en="Karim Mia")
    certificate = issue_no_dues_certificate(holding, actor=clerk)
    [text] = pages(render_no_dues(certificate))
    assert "no signature needed" in text and "Karim Mia" not in text
    context = no_dues_context(certificate)
    assert context["officer"] is None and context["seal_src"] == ""
