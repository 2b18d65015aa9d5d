"""Pages go compressed to browsers that accept it (GZipMiddleware, with its BREACH padding)."""

from __future__ import annotations

import gzip

import pytest


@pytest.mark.django_db
def test_pages_are_gzipped_when_the_browser_accepts_it(client):
    plain = client.get("/")
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    packed = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "</html>" in html and len(packed.content) < len(plain.content) / 2


@pytest.mark.django_db
def test_each_compressed_page_carries_random_padding(client):
    """The BREACH mitigation: a random file name in the gzip header (flag FNAME), so the
    compressed length no longer tells what the page contains."""
    body = client.get("/", HTTP_ACCEPT_ENCODING="gzip").content
    assert body[:2] == b"\x1f\x8b" and body[3] & 0x08
