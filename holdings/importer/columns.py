"""The register's file format: its columns, the values accepted in them and the limits
(described in the package's docstring, holdings/importer/__init__.py)."""

from __future__ import annotations

from decimal import Decimal

from ..models import Use

COLUMNS = (
    "ward", "holding_number", "road", "mahalla", "use", "owner_occupied", "floor_area_sqft",
    "owner_name_bn", "owner_name_en", "owner_share_percent", "owner_nid", "owner_mobile",
    "annual_rent", "valuation_fy", "arrears_fy", "arrears_amount",
)
# Columns that describe the holding itself (not one owner): must agree across its rows.
HOLDING_FIELDS = ("road", "mahalla", "use", "owner_occupied", "floor_area_sqft",
                  "annual_rent", "valuation_fy")
EXTENSIONS = ("csv", "xlsx")
MAX_ROWS = 100_000
MAX_FLOOR_AREA = Decimal("10000000")  # sq ft: anything larger is a typo
ARREARS_RULE = "imported arrears from the legacy register"
BATCH = 1000

USE_VALUES = {
    "residential": Use.RESIDENTIAL, "আবাসিক": Use.RESIDENTIAL,
    "commercial": Use.COMMERCIAL, "বাণিজ্যিক": Use.COMMERCIAL,
    "industrial": Use.INDUSTRIAL, "শিল্প": Use.INDUSTRIAL,
    "mixed": Use.MIXED, "মিশ্র": Use.MIXED,
    "vacant_land": Use.VACANT_LAND, "vacant land": Use.VACANT_LAND,
    "খালি জমি": Use.VACANT_LAND, "খালি_জমি": Use.VACANT_LAND,
}
YES = {"yes", "y", "1", "true", "হ্যাঁ", "হ্যা", "হাঁ"}
NO = {"no", "n", "0", "false", "না"}
