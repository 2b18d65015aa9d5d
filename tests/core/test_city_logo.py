"""The city's uploaded logo reaches every page through the app (nothing serves the media
folder, which may be a private bucket): the header's image is /city/logo, streamed from the
storage; without a logo the portal's own and /city/logo is 404."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from core.models import CityProfile

pytestmark = pytest.mark.django_db
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def test_the_header_shows_the_uploaded_logo_streamed_by_the_app(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert client.get("/city/logo").status_code == 404
    assert 'src="/static/img/logo.svg"' in client.get("/").text.replace(
        "static/img/logo", "static/img/logo"
    )

    city = CityProfile.current()
    city.logo.save("kcc.png", ContentFile(PNG))
    home = client.get("/").text
    assert 'src="/city/logo?v=city/kcc' in home
    logo = client.get("/city/logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content) == PNG
    assert "max-age=86400" in logo["Cache-Control"]


def test_a_stored_file_gone_from_the_storage_is_a_404_not_a_500(settings, tmp_path):
    from django.http import Http404

    from core.storage import stream_file

    settings.MEDIA_ROOT = tmp_path / "media"
    city = CityProfile.current()
    city.logo.save("kcc.png", ContentFile(PNG))
    response = stream_file(city.logo, content_type="image/png", filename="kcc.png")
    assert b"".join(response.streaming_content) == PNG
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    city.logo.storage.delete(city.logo.name)
    city = CityProfile.objects.get(pk=city.pk)  # as a view reads it
    with pytest.raises(Http404):
        stream_file(city.logo)
    city.logo = None
    with pytest.raises(Http404):
        stream_file(city.logo)


def test_a_choice_label_reads_in_both_languages_whatever_the_active_one():
    from django.utils import translation

    from core.pdf import both_choice
    from payments.models import Payment

    payment = Payment(channel="counter", status="succeeded")
    for language in ("en", "bn"):
        with translation.override(language):
            assert both_choice(payment, "status") == {"bn": "সফল", "en": "Succeeded"}
