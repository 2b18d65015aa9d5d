"""core.documents: render → store privately → serve from storage, or render again when the
stored file is missing, damaged or no longer current (one helper for receipts, no-dues and
licence certificates). Exercised on the city profile's file field, so no service is needed."""

from __future__ import annotations

import pytest

from core.documents import StoredDocument, replace_file
from core.models import CityProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city():
    return CityProfile.objects.create(code="TST", name_en="Test City", name_bn="টেস্ট সিটি")


class Printer:
    """Renders "%PDF-<n>" and counts its renderings; the name depends on `version`."""

    def __init__(self):
        self.renders = 0
        self.version = "a"

    def render(self, city: CityProfile) -> bytes:
        self.renders += 1
        return f"%PDF-{self.version}-{self.renders}".encode()

    def name(self, city: CityProfile) -> str:
        return f"docs/{city.code}-{self.version}.pdf"


@pytest.fixture
def printer():
    return Printer()


@pytest.fixture
def document(printer):
    return StoredDocument(field="logo", render=printer.render, stored_name=printer.name)


def _saved(city: CityProfile) -> str:
    return CityProfile.objects.get(pk=city.pk).logo.name


def test_store_renders_saves_and_records_the_name(settings, city, printer, document):
    name = document.store(city)
    assert name == "docs/TST-a.pdf"
    assert _saved(city) == name and city.logo.name == name
    assert (settings.MEDIA_ROOT / name).read_bytes() == b"%PDF-a-1"


def test_store_again_replaces_the_file_under_the_same_name(settings, city, printer, document):
    first = document.store(city)
    assert document.store(city) == first  # no "_abc123" copy
    assert [p.name for p in (settings.MEDIA_ROOT / "docs").iterdir()] == ["TST-a.pdf"]
    assert (settings.MEDIA_ROOT / first).read_bytes() == b"%PDF-a-2"


def test_store_under_a_new_name_deletes_the_file_the_row_named(settings, city, printer, document):
    old = document.store(city)
    printer.version = "b"
    new = document.store(city)
    assert new == "docs/TST-b.pdf" and _saved(city) == new
    assert not (settings.MEDIA_ROOT / old).exists()


def test_read_serves_the_stored_file_without_rendering(city, printer, document):
    document.store(city)
    assert document.read(city) == b"%PDF-a-1"
    assert printer.renders == 1


def test_read_renders_and_stores_when_nothing_is_stored_yet(settings, city, printer, document):
    assert document.read(city) == b"%PDF-a-1"
    assert _saved(city) == "docs/TST-a.pdf"
    assert (settings.MEDIA_ROOT / "docs/TST-a.pdf").read_bytes() == b"%PDF-a-1"
    assert document.read(city) == b"%PDF-a-1" and printer.renders == 1  # now from storage


def test_read_renders_again_when_the_file_is_lost(settings, city, printer, document):
    name = document.store(city)
    (settings.MEDIA_ROOT / name).unlink()
    assert document.read(city) == b"%PDF-a-2"
    assert (settings.MEDIA_ROOT / name).read_bytes() == b"%PDF-a-2"


def test_read_renders_again_when_the_file_is_damaged(settings, city, printer, document):
    name = document.store(city)
    (settings.MEDIA_ROOT / name).write_bytes(b"")  # a half-written file
    assert document.read(city) == b"%PDF-a-2"


def test_read_trusts_the_row_not_a_stale_instance(city, printer, document):
    stale = CityProfile.objects.get(pk=city.pk)
    document.store(city)
    assert document.read(stale) == b"%PDF-a-1" and printer.renders == 1


def test_read_renders_again_when_the_stored_copy_is_no_longer_current(settings, city, printer):
    document = StoredDocument(
        field="logo",
        render=printer.render,
        stored_name=printer.name,
        is_current=lambda c, name: name == printer.name(c),
    )
    old = document.store(city)
    assert document.read(city) == b"%PDF-a-1"
    printer.version = "b"  # e.g. the receipt's payment was voided since it was printed
    assert document.read(city) == b"%PDF-b-2"
    assert _saved(city) == "docs/TST-b.pdf"
    assert not (settings.MEDIA_ROOT / old).exists()


def test_without_is_current_any_stored_name_is_served(city, printer, document):
    document.store(city)
    printer.version = "b"
    assert document.read(city) == b"%PDF-a-1"


def test_replace_file_overwrites_under_the_same_name(settings):
    assert replace_file("bulk/x.pdf", b"one") == "bulk/x.pdf"
    assert replace_file("bulk/x.pdf", b"two") == "bulk/x.pdf"
    assert (settings.MEDIA_ROOT / "bulk/x.pdf").read_bytes() == b"two"
    assert len(list((settings.MEDIA_ROOT / "bulk").iterdir())) == 1
