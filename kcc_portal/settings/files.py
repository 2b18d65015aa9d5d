"""Where files live: uploaded documents, the PDFs the app stores (receipts, certificates,
notices), officers' signatures and the seal.

The local folder MEDIA_ROOT by default (the embedded mode and a single machine);
``FILE_STORAGE=s3`` puts them in an S3-compatible bucket (MinIO, AWS S3, …) so that every
web and worker node sees the same files. Either way nothing is public: the "private"
storage (``core.storage.private_storage``) holds uploads and the images printed on
documents, "default" holds the stored PDFs, and the app's views stream a file only after
their permission check — no storage URL ever reaches a browser (docs/operations.md, Files).

Environment for ``FILE_STORAGE=s3``: ``S3_BUCKET`` (required), ``S3_ENDPOINT_URL`` (e.g.
``http://minio:9000``; unset for AWS), ``S3_ACCESS_KEY_ID``, ``S3_SECRET_ACCESS_KEY``,
``S3_REGION``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .base import env

#: The private storage's URLs are never served (a FileSystemStorage needs some base URL).
PRIVATE_BASE_URL = "/private-not-served/"

LOCAL_MEDIA_STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "core.storage.PrivateStorage",
        "OPTIONS": {"base_url": PRIVATE_BASE_URL},
    },
}


def s3_options(
    *,
    bucket: str,
    endpoint_url: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """django-storages' S3Storage options for a private bucket."""
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region or None,
        # Path-style requests (http://minio:9000/bucket/key): what MinIO and most
        # S3-compatible stores answer without wildcard DNS.
        "addressing_style": "path",
        "signature_version": "s3v4",
        # No ACL on upload: objects stay as private as the bucket, never public-read.
        "default_acl": None,
        # Any URL the storage builds is signed and short-lived (the views never hand one out).
        "querystring_auth": True,
        "querystring_expire": 300,
        # A new upload never replaces another file of the same name (a suffix is added).
        "file_overwrite": False,
        # A file read larger than this is spooled to a temporary file, not kept in memory.
        "max_memory_size": 5 * 1024 * 1024,
    }


def s3_media_storages(options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ "default" at the bucket's root, "private" under the key prefix private/ — the same
    layout as MEDIA_ROOT and MEDIA_ROOT/private on the local folder."""
    backend = "storages.backends.s3.S3Storage"
    return {
        "default": {"BACKEND": backend, "OPTIONS": {**options}},
        "private": {"BACKEND": backend, "OPTIONS": {**options, "location": "private"}},
    }


def media_storages_from_env() -> dict[str, dict[str, Any]]:
    """The "default" and "private" entries of STORAGES that FILE_STORAGE names."""
    kind = env.str("FILE_STORAGE", default="local")
    if kind == "local":
        return {alias: {**config} for alias, config in LOCAL_MEDIA_STORAGES.items()}
    if kind == "s3":
        bucket = env.str("S3_BUCKET", default="")
        if not bucket:
            raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET (and the S3_* settings).")
        return s3_media_storages(
            s3_options(
                bucket=bucket,
                endpoint_url=env.str("S3_ENDPOINT_URL", default=""),
                access_key=env.str("S3_ACCESS_KEY_ID", default=""),
                secret_key=env.str("S3_SECRET_ACCESS_KEY", default=""),
                region=env.str("S3_REGION", default=""),
            )
        )
    raise ImproperlyConfigured(f"FILE_STORAGE must be 'local' or 's3' (got {kind!r}).")


MEDIA_STORAGES = media_storages_from_env()
