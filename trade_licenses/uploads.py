"""Checks on uploaded documents: moved to core.uploads (shared with water connections);
re-exported here so trade licences' imports stay the same."""

from core.uploads import (  # noqa: F401
    EXTENSIONS,
    IMAGE_ONLY_KINDS,
    JPEG,
    MAX_DOCUMENT_BYTES,
    PDF,
    PNG,
    STORED_EXTENSION,
    CheckedFile,
    check_document,
    sniff,
)
