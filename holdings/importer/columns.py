"""The register's file format: its columns, the values accepted in them and the limits
(described in the package's docstring, holdings/importer/__init__.py)."""

from __future__ import annotations

from decimal import Decimal

from ..models import Use

COLUMNS = (
    "ward",
    "holding_number",
    "road",
    "mahalla",
    "use",
    "owner_occupied",
    "floor_area_sqft",
    "owner_name_bn",
    "owner_name_en",
    "owner_share_percent",
    "owner_nid",
    "owner_mobile",
    "annual_rent",
    "valuation_fy",
    "arrears_fy",
    "arrears_amount",
)
# Columns that describe the holding itself (not one owner): must agree across its rows.
HOLDING_FIELDS = (
    "road",
    "mahalla",
    "use",
    "owner_occupied",
    "floor_area_sqft",
    "annual_rent",
    "valuation_fy",
)
EXTENSIONS = ("csv", "xlsx")
# Defaults of the limits; the settings HOLDINGS_IMPORT_* override them (see limits()).
MAX_ROWS = 100_000  # rows of holdings in one file
MAX_CELL_CHARS = 1000  # characters in one cell; longer is a row error
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # an .xlsx unpacked; also the text read from a file
MAX_RATIO = 100  # how much more one member of an .xlsx may unpack to than it takes packed
RATIO_FROM_BYTES = 1024 * 1024  # smaller members are not judged by their ratio
MAX_MEMBERS = 10_000  # files inside an .xlsx
MAX_COLUMNS_READ = 64  # columns of a sheet that are read (the format has 16)
MAX_BLANK_ROWS = 10_000  # blank rows skipped before the file is refused
ECHO_CHARS = 80  # characters of a value repeated in a message, then "…"
MAX_FLOOR_AREA = Decimal("10000000")  # sq ft: anything larger is a typo
ARREARS_RULE = "imported arrears from the legacy register"
BATCH = 1000

USE_VALUES = {
    "residential": Use.RESIDENTIAL,
    "আবাসিক": Use.RESIDENTIAL,
    "commercial": Use.COMMERCIAL,
    "বাণিজ্যিক": Use.COMMERCIAL,
    "industrial": Use.INDUSTRIAL,
    "শিল্প": Use.INDUSTRIAL,
    "mixed": Use.MIXED,
    "মিশ্র": Use.MIXED,
    "vacant_land": Use.VACANT_LAND,
    "vacant land": Use.VACANT_LAND,
    "খালি জমি": Use.VACANT_LAND,
    "খালি_জমি": Use.VACANT_LAND,
}
YES = {"yes", "y", "1", "true", "হ্যাঁ", "হ্যা", "হাঁ"}
NO = {"no", "n", "0", "false", "না"}


def limits() -> dict[str, int]:
    """The limits in force: the settings HOLDINGS_IMPORT_MAX_ROWS, _MAX_CELL_CHARS,
    _MAX_UNCOMPRESSED_BYTES and _MAX_RATIO, or the defaults above."""
    from django.conf import settings

    return {
        "rows": getattr(settings, "HOLDINGS_IMPORT_MAX_ROWS", MAX_ROWS),
        "cell_chars": getattr(settings, "HOLDINGS_IMPORT_MAX_CELL_CHARS", MAX_CELL_CHARS),
        "uncompressed": getattr(
            settings, "HOLDINGS_IMPORT_MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES
        ),
        "ratio": getattr(settings, "HOLDINGS_IMPORT_MAX_RATIO", MAX_RATIO),
    }


def echo(value) -> str:
    """A value as repeated in a message or report: at most ECHO_CHARS characters."""
    text = str(value)
    return text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…"
