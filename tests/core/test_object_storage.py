"""Files on S3-compatible object storage (FILE_STORAGE=s3), against a real S3 endpoint on
this machine: moto's standalone server, spoken to over HTTP by the same client
(django-storages, boto3) that talks to MinIO in production.

A trader's upload through the real page lands in the bucket under private/, is streamed
back through the app's view to the trader with the same bytes, is refused to another
citizen and to an anonymous visitor, and cannot be read from the endpoint without
credentials (no public ACL: an unsigned GET is denied). The PDFs that print an officer's
signature and the seal read both from the bucket and store the PDF there. Nothing is
written to the local folder meanwhile."""

from __future__ import annotations

import io
import socket
import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import CityProfile, OfficerSignature
from core.roles import Role
from core.storage import PrivateStorage, private_storage
from kcc_portal.settings.files import (
    LOCAL_MEDIA_STORAGES,
    media_storages_from_env,
    s3_media_storages,
    s3_options,
)

pytestmark = pytest.mark.django_db

DHAKA = ZoneInfo("Asia/Dhaka")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
KEYS = {"access_key": "test-key", "secret_key": "test-secret", "region": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's standalone S3 server on a free port: a real HTTP endpoint, for the session."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(settings, tmp_path, s3_endpoint):
    """FILE_STORAGE=s3 for one test: a fresh private bucket (as docker-compose's bucket
    step creates it), the "default" and "private" storages on it; the local folder moved to
    an empty tmp folder so that a stray local write would show."""
    bucket = f"kcc-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region"],
    )
    client.create_bucket(Bucket=bucket)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_media_storages(s3_options(bucket=bucket, endpoint_url=s3_endpoint, **KEYS)),
    }
    client.bucket = bucket  # type: ignore[attr-defined]
    yield client
    assert not (tmp_path / "media").exists(), "a file was written to the local folder"


def keys(client, prefix: str = "") -> list[str]:
    listing = client.list_objects_v2(Bucket=client.bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def png(size: tuple[int, int] = (120, 40)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(2, size[1] - 4), (size[0] - 2, 4)], fill=(0, 0, 120), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- the configuration ----------------------------------------------------------------------


def test_the_private_storage_follows_the_setting(s3):
    from storages.backends.s3 import S3Storage

    storage = private_storage()
    assert isinstance(storages["private"], S3Storage)
    storage.save("probe.txt", ContentFile(b"x"))
    assert keys(s3) == ["private/probe.txt"]
    # A field took the storage when its class was defined, and follows the setting too.
    assert OfficerSignature._meta.get_field("image").storage.exists("probe.txt")
    # Any URL the storage could build is signed and short-lived (the views never give one).
    url = storage.url("probe.txt")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    assert requests.get(url, timeout=5).content == b"x"
    storage.delete("probe.txt")
    assert keys(s3) == []


def test_the_local_folder_is_the_default(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    storage = private_storage()
    assert isinstance(storages["private"], PrivateStorage)
    assert isinstance(storages["default"], FileSystemStorage)
    name = storage.save("probe.txt", ContentFile(b"x"))
    assert (Path(tmp_path) / "private" / name).read_bytes() == b"x"


def test_file_storage_s3_is_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("FILE_STORAGE", raising=False)
    assert media_storages_from_env() == LOCAL_MEDIA_STORAGES
    monkeypatch.setenv("FILE_STORAGE", "s3")
    monkeypatch.setenv("S3_BUCKET", "kcc-files")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://minio:9000")
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "kcc")
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("S3_REGION", "us-east-1")
    configured = media_storages_from_env()
    private = configured["private"]
    assert private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert private["OPTIONS"] | {} == {
        **private["OPTIONS"],
        "bucket_name": "kcc-files",
        "endpoint_url": "http://minio:9000",
        "access_key": "kcc",
        "secret_key": "secret",
        "region_name": "us-east-1",
        "location": "private",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    assert "location" not in configured["default"]["OPTIONS"]
    monkeypatch.delenv("S3_BUCKET")
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        media_storages_from_env()


# --- an uploaded document, through the pages ------------------------------------------------


@pytest.fixture
def draft(make_user):
    from trade_licenses.services import application_create_draft, business_create

    with time_machine.travel(datetime(2025, 8, 10, 11, 0, tzinfo=DHAKA), tick=True):
        trader = make_user(Role.CITIZEN, name_en="Karim Mia", nid="1987654321")
        business = business_create(
            actor=trader,
            trader=trader,
            category_code="grocery",
            name_bn="করিম স্টোর",
            name_en="Karim Store",
            premises_address="12 KDA Avenue",
            ward=5,
            signboard_sqft=Decimal("12"),
        )
        application = application_create_draft(
            business=business, filed_by=trader, trader_tin="123456789012"
        )
        yield application, trader


def test_an_uploaded_nid_scan_is_private_in_the_bucket_and_served_only_after_the_check(
    s3, s3_endpoint, client, draft, make_user, django_capture_on_commit_callbacks
):
    application, trader = draft
    client.force_login(trader)
    response = client.post(
        f"/licences/applications/{application.pk}/documents/",
        {"kind": "nid", "file": SimpleUploadedFile("my-nid.pdf", PDF)},
    )
    assert response.status_code in (200, 302)
    document = application.documents.get(kind="nid")

    # In the bucket, under private/, with the same bytes; never under the trader's file name.
    [key] = keys(s3)
    assert key == f"private/{document.file.name}" and "my-nid" not in key
    assert s3.head_object(Bucket=s3.bucket, Key=key)["ContentLength"] == len(PDF)
    assert s3.get_object(Bucket=s3.bucket, Key=key)["Body"].read() == PDF

    # Not readable from the endpoint without credentials: no grant to everyone, and an
    # unsigned GET is denied (the same request for a public-read object succeeds, so the
    # endpoint does check).
    grants = s3.get_object_acl(Bucket=s3.bucket, Key=key)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]
    assert requests.get(f"{s3_endpoint}/{s3.bucket}/{key}", timeout=5).status_code == 403
    s3.put_object(Bucket=s3.bucket, Key="control.txt", Body=b"c", ACL="public-read")
    assert requests.get(f"{s3_endpoint}/{s3.bucket}/control.txt", timeout=5).status_code == 200
    s3.delete_object(Bucket=s3.bucket, Key="control.txt")

    # Streamed by the app to the trader, after the permission check; no bucket URL.
    url = f"/licences/documents/{document.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    assert "Location" not in response

    # Refused to another citizen and to an anonymous visitor.
    client.force_login(make_user(Role.CITIZEN))
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and s3_endpoint not in response["Location"]

    # The page never links to the bucket either.
    client.force_login(trader)
    page = client.get(f"/licences/applications/{application.pk}/documents/")
    assert s3_endpoint.encode() not in page.content and b"X-Amz-" not in page.content

    # Removed from the draft: the object goes once the removal is committed.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/licences/applications/{application.pk}/documents/", {"remove": document.pk})
    assert keys(s3) == []


def test_a_refused_upload_leaves_nothing_in_the_bucket(s3, client, draft):
    application, trader = draft
    client.force_login(trader)
    client.post(
        f"/licences/applications/{application.pk}/documents/",
        {"kind": "nid", "file": SimpleUploadedFile("nid.pdf", b"MZ not a pdf at all")},
    )
    assert not application.documents.exists()
    assert keys(s3) == []


def test_a_missing_object_is_not_found_not_an_error(s3, client, draft):
    application, trader = draft
    client.force_login(trader)
    client.post(
        f"/licences/applications/{application.pk}/documents/",
        {"kind": "nid", "file": SimpleUploadedFile("nid.pdf", PDF)},
    )
    document = application.documents.get(kind="nid")
    s3.delete_object(Bucket=s3.bucket, Key=f"private/{document.file.name}")
    assert client.get(f"/licences/documents/{document.pk}/").status_code == 404


# --- a PDF that prints an officer's signature and the seal ----------------------------------


def test_the_signature_and_the_seal_are_read_from_the_bucket_into_the_pdf(s3, make_user):
    from pypdf import PdfReader

    from holdings.documents import issue_no_dues_certificate, no_dues_context, no_dues_pdf_bytes
    from holdings.services import holding_create, owner_add

    city = CityProfile.current()
    city.seal.save("seal.png", ContentFile(png((100, 100))), save=True)
    officer = make_user(Role.REVENUE_OFFICER, name_en="Nasrin Akter")
    signature = OfficerSignature(
        user=officer, designation_bn="কর কর্মকর্তা", designation_en="Tax Officer"
    )
    signature.image.save("s.png", ContentFile(png()), save=False)
    signature.save()
    assert sorted(k.split("/")[1] for k in keys(s3, "private/")) == ["city", "signatures"]

    holding = holding_create(ward=5, number="12/A", road="KDA Avenue")
    owner_add(holding=holding, name_bn="রহিম উদ্দিন", name_en="Rahim Uddin", mobile="01712345678")
    certificate = issue_no_dues_certificate(holding, actor=officer)
    context = no_dues_context(certificate)
    assert context["officer"]["signature_src"].startswith("data:image/png;base64,")
    assert context["seal_src"].startswith("data:image/png;base64,")

    data = no_dues_pdf_bytes(certificate)  # rendered, and stored in the bucket
    reader = PdfReader(io.BytesIO(data))
    assert "Tax Officer" in (reader.pages[0].extract_text() or "")
    assert sum(len(page.images) for page in reader.pages) >= 2  # the signature and the seal
    certificate.refresh_from_db()
    stored = s3.get_object(Bucket=s3.bucket, Key=certificate.pdf.name)["Body"].read()
    assert stored == data
    assert no_dues_pdf_bytes(certificate) == data  # served from the bucket now


# --- the production stack -------------------------------------------------------------------


def test_compose_keeps_files_in_a_private_minio_bucket():
    import yaml

    compose = yaml.safe_load((Path(__file__).parents[2] / "docker-compose.yml").read_text())
    services = compose["services"]
    minio = services["minio"]
    assert minio["image"].startswith("minio/minio") and minio["healthcheck"]["test"]
    assert "ports" not in minio  # the bucket is reached only by the app
    assert any(v.endswith(":/data") for v in minio["volumes"])
    bucket_step = services["minio-bucket"]
    assert bucket_step["image"].startswith("minio/mc") and bucket_step["restart"] == "no"
    assert "mc anonymous set none" in " ".join(bucket_step["command"])
    for name in ("migrate", "web", "worker", "worker-gateway", "beat"):
        env = services[name]["environment"]
        assert env["FILE_STORAGE"] == "s3" and env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert {"S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"} <= set(env)
        assert services[name]["depends_on"]["minio-bucket"] == {
            "condition": "service_completed_successfully"
        }
