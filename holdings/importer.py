"""Import of the legacy holding register (holdings, owners, valuations, arrears) from CSV or
XLSX: parse → validate row by row → import everything or, when the officer says so, only
the holdings whose every row is valid. All in one transaction: nothing is half-imported.

File format: one row per holding-owner, with these columns (any order, header names
case-insensitive; Bengali digits accepted in every number)::

    ward, holding_number, road, mahalla, use, owner_occupied, floor_area_sqft,
    owner_name_bn, owner_name_en, owner_share_percent, owner_nid, owner_mobile,
    annual_rent, valuation_fy, arrears_fy, arrears_amount

- Several rows with the same ward + holding number add owners to one holding. The
  holding's own columns (road … valuation_fy) may be repeated on each row or left blank
  after the first; a different value is reported as the same holding number used twice.
- use: residential / commercial / industrial / mixed / vacant_land, or আবাসিক / বাণিজ্যিক /
  শিল্প / মিশ্র / খালি জমি. owner_occupied: yes / no / 1 / 0 / হ্যাঁ / না (blank = no).
- owner_share_percent may be blank when the holding has a single owner (100%); the
  shares of one holding may not add up to more than 100.
- annual_rent + valuation_fy: an assessment in force from that fiscal year, valued with
  holdings/tax.py (one sixth off; the year's owner-occupied concession). Both or neither.
- arrears_fy + arrears_amount (optional): taka left unpaid for an earlier fiscal year.
  Recorded the way holdings/demands.py records any unpaid year: a Demand for that year
  (the year's schedule; one "holding_tax" line, rule "imported arrears from the legacy
  register") with its four instalments still due. The next run of generate_demands for a
  later year carries it forward as an Arrear with that year's surcharge, exactly as for
  a demand the portal made itself. Rows of one holding may give different arrears years.
- Holdings already in the register are refused (the import only adds new holdings).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit
from core.digits import to_ascii_digits
from core.exports import to_csv
from core.fiscal import current_fiscal_year, next_fiscal_year, parse_fiscal_year
from core.models import Ward
from core.money import to_money
from core.validators import normalize_mobile, normalize_nid

from . import tax
from .defaults import ensure_schedule
from .models import Assessment, Demand, DemandLine, Holding, Instalment, Owner, Use
from .services import MAX_YEARLY_RENT, _check_rent, normalize_holding_number, ward_by_number

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


# --- parsing ------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    """The rows of an uploaded register: (row number in the file, {column: text})."""

    filename: str
    kind: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level: nothing can be imported

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    """A cell as text: numbers from spreadsheets without a spurious ".0", NFC, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(str(value)))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).replace("\ufeff", "").strip()


def _header_name(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", _text(value).lower())


def _read_headers(raw: list[Any], parsed: ParsedFile) -> dict[int, str]:
    """Column index → column name; records missing, unknown and repeated columns."""
    names = [_header_name(h) for h in raw]
    index = {i: n for i, n in enumerate(names) if n}
    seen: dict[str, int] = {}
    repeated = []
    for name in index.values():
        seen[name] = seen.get(name, 0) + 1
        if seen[name] == 2:
            repeated.append(name)
    missing = [c for c in COLUMNS if c not in seen]
    unknown = [n for n in seen if n not in COLUMNS]
    if missing:
        parsed.errors.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        parsed.errors.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if repeated:
        parsed.errors.append(_("Columns given twice: %(columns)s.")
                             % {"columns": ", ".join(repeated)})
    if missing or unknown or repeated:
        parsed.errors.append(_("The first row must name exactly these columns (in any order): "
                               "%(columns)s.") % {"columns": ", ".join(COLUMNS)})
    parsed.headers = [n for n in names if n]
    return index


def _collect(rows, parsed: ParsedFile) -> None:
    """Header from the first non-empty row, then the data rows (blank rows skipped)."""
    index: dict[int, str] | None = None
    for number, raw in rows:
        cells = list(raw)
        if not any(_text(c) for c in cells):
            continue
        if index is None:
            index = _read_headers(cells, parsed)
            if parsed.errors:
                return
            continue
        if len(parsed.rows) >= MAX_ROWS:
            parsed.errors.append(_("The file has more than %(max)s rows; split it into "
                                   "smaller files.") % {"max": MAX_ROWS})
            return
        values = {name: "" for name in COLUMNS}
        for i, name in index.items():
            if i < len(cells):
                values[name] = _text(cells[i])
        parsed.rows.append((number, values))
    if index is None:
        parsed.errors.append(_("The file is empty."))
    elif not parsed.rows:
        parsed.errors.append(_("The file has the columns but no rows of holdings."))


def _parse_csv(data: bytes, parsed: ParsedFile) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.errors.append(_("The file is not UTF-8 text. In Excel choose “Save as” → "
                               "“CSV UTF-8”, or upload the .xlsx workbook instead."))
        return
    if "\x00" in text:
        parsed.errors.append(_("This is not a CSV text file."))
        return
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        _collect(((i, row) for i, row in enumerate(reader, start=1)), parsed)
    except csv.Error as exc:
        parsed.errors.append(_("The CSV file is malformed: %(error)s") % {"error": exc})


def _parse_xlsx(data: bytes, parsed: ParsedFile) -> None:
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        parsed.errors.append(_("This is not a real .xlsx workbook. Save it again from Excel "
                               "as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."))
        return
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem for the user
        parsed.errors.append(_("The .xlsx workbook cannot be read. Save it again from Excel "
                               "as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."))
        return
    try:
        sheet = workbook.worksheets[0]
        _collect(((i, row) for i, row in enumerate(sheet.iter_rows(values_only=True),
                                                    start=1)), parsed)
    except Exception:  # noqa: BLE001 - a damaged sheet inside a valid zip
        parsed.errors.append(_("The .xlsx workbook cannot be read. Save it again from Excel "
                               "as “Excel Workbook (.xlsx)” or as “CSV UTF-8”."))
    finally:
        workbook.close()


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def parse(file_obj: IO[bytes] | bytes, filename: str) -> ParsedFile:
    """Read a CSV (UTF-8, with or without BOM) or XLSX register into row dicts."""
    parsed = ParsedFile(filename=filename, kind=extension(filename))
    if parsed.kind not in EXTENSIONS:
        parsed.errors.append(_("Upload a .csv or .xlsx file."))
        return parsed
    data = file_obj if isinstance(file_obj, bytes) else file_obj.read()
    if parsed.kind == "csv":
        _parse_csv(data, parsed)
    else:
        _parse_xlsx(data, parsed)
    if parsed.errors:
        parsed.rows = []
    return parsed


# --- validation ---------------------------------------------------------------------------


@dataclass
class RowResult:
    """One row of the file: its number, the raw and cleaned values and what is wrong."""

    row: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    status: str = ""  # after import_rows: "imported", "skipped" (another row) or "error"

    def add(self, message, code: str) -> None:
        self.errors.append(str(message))
        self.codes.append(code)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def key(self) -> tuple[int, str] | None:
        """(ward number, holding number) when both are valid."""
        if "ward" in self.values and "holding_number" in self.values:
            return self.values["ward"].number, self.values["holding_number"]
        return None

    @property
    def holding(self) -> str:
        """The holding as "ward/number" (as written when it could not be read)."""
        key = self.key
        if key:
            return f"{key[0]}/{key[1]}"
        ward, number = self.raw.get("ward", ""), self.raw.get("holding_number", "")
        return f"{ward}/{number}" if ward or number else ""

    @property
    def has_owner(self) -> bool:
        return any(self.raw.get(c) for c in ("owner_name_bn", "owner_name_en", "owner_nid",
                                             "owner_mobile", "owner_share_percent"))


def _number(text: str, *, code: str, message: str) -> Decimal:
    """A number as core.money.to_money reads it (Bengali digits, commas, ৳), to the
    hundredth; spaces inside it are ignored."""
    try:
        return to_money(re.sub(r"\s", "", text))
    except (TypeError, ValueError):
        raise ValidationError(message, code=code) from None


def _fiscal_year(text: str) -> str:
    try:
        return parse_fiscal_year(text)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_fiscal_year") from None


def _clean_row(result: RowResult, wards: dict[int, Ward], this_fy: str) -> None:
    raw, values = result.raw, result.values

    def attempt(name, fn):
        try:
            values[name] = fn(raw[name])
        except ValidationError as exc:
            for message in exc.messages:
                result.add(message, exc.code or "invalid")

    def ward(text):
        if not text:
            raise ValidationError(_("Enter the ward number."), code="unknown_ward")
        try:
            return wards[int(to_ascii_digits(text).strip())]
        except (ValueError, KeyError):
            return ward_by_number(text)  # raises its "no ward N" message

    attempt("ward", ward)
    attempt("holding_number", normalize_holding_number)

    def short(name):
        def check(text):
            if len(text) > 200:
                raise ValidationError(_("%(column)s is longer than 200 characters.")
                                      % {"column": name}, code="too_long")
            return text
        return check

    for name in ("road", "mahalla", "owner_name_bn", "owner_name_en"):
        attempt(name, short(name))

    def use(text):
        if not text:
            return None
        key = re.sub(r"\s+", " ", text.strip().lower())
        if key not in USE_VALUES:
            raise ValidationError(
                _("Unknown use “%(use)s”: write residential, commercial, industrial, mixed or "
                  "vacant_land (or আবাসিক, বাণিজ্যিক, শিল্প, মিশ্র, খালি জমি).") % {"use": text},
                code="invalid_use")
        return USE_VALUES[key]

    attempt("use", use)

    def yes_no(text):
        if not text:
            return None
        key = to_ascii_digits(text).strip().lower()
        if key in YES:
            return True
        if key in NO:
            return False
        raise ValidationError(_("Write yes or no (হ্যাঁ or না) for owner_occupied, not "
                                "“%(value)s”.") % {"value": text}, code="invalid_owner_occupied")

    attempt("owner_occupied", yes_no)

    def floor_area(text):
        if not text:
            return None
        area = _number(text, code="invalid_floor_area",
                       message=_("Enter the floor area as a number of square feet."))
        if area < 0 or area > MAX_FLOOR_AREA:
            raise ValidationError(_("A floor area of %(area)s sq ft is not believable; check it.")
                                  % {"area": text}, code="absurd_floor_area")
        return tax.money(area)

    attempt("floor_area_sqft", floor_area)

    def share(text):
        if not text:
            return None
        value = _number(text.rstrip("%"), code="invalid_share",
                        message=_("Enter the owner's share as a percentage, such as 50."))
        if value <= 0 or value > 100:
            raise ValidationError(_("An owner's share must be a percentage above 0 and at "
                                    "most 100."), code="invalid_share")
        return tax.money(value)

    attempt("owner_share_percent", share)
    attempt("owner_nid", lambda text: normalize_nid(text) if text else "")

    def mobile(text):
        if not text:
            return ""
        compact = to_ascii_digits(text).strip()
        if re.fullmatch(r"1[3-9][0-9]{8}", compact):  # a spreadsheet dropped the leading 0
            compact = "0" + compact
        return normalize_mobile(compact)

    attempt("owner_mobile", mobile)

    def rent(text):
        if not text:
            return None
        _number(text, code="invalid_rent", message=_("Enter the yearly rent as a number of taka."))
        return _check_rent(text)

    attempt("annual_rent", rent)

    def valuation_fy(text):
        if not text:
            return None
        fy = _fiscal_year(text)
        if fy > next_fiscal_year(this_fy):
            raise ValidationError(_("A valuation cannot take effect later than fiscal year "
                                    "%(fy)s.") % {"fy": next_fiscal_year(this_fy)},
                                  code="invalid_fiscal_year")
        return fy

    attempt("valuation_fy", valuation_fy)

    def arrears_fy(text):
        if not text:
            return None
        fy = _fiscal_year(text)
        if fy >= this_fy:
            raise ValidationError(_("Arrears must be for a fiscal year before the current one "
                                    "(%(fy)s).") % {"fy": this_fy}, code="invalid_arrears_fy")
        return fy

    attempt("arrears_fy", arrears_fy)

    def arrears_amount(text):
        if not text:
            return None
        amount = tax.money(_number(text, code="invalid_arrears",
                                   message=_("Enter the arrears as a number of taka.")))
        if amount < 0:
            raise ValidationError(_("Arrears cannot be negative."), code="negative_arrears")
        if amount > MAX_YEARLY_RENT:
            raise ValidationError(_("Arrears of %(amount)s taka are not believable; check them.")
                                  % {"amount": amount}, code="absurd_arrears")
        return amount or None  # 0 means no arrears

    attempt("arrears_amount", arrears_amount)

    # Pairs that go together.
    if raw["annual_rent"] and not raw["valuation_fy"]:
        result.add(_("Give the fiscal year the valuation takes effect from (valuation_fy)."),
                   "missing_valuation_fy")
    if raw["valuation_fy"] and not raw["annual_rent"]:
        result.add(_("Give the yearly rent (annual_rent) for the valuation."),
                   "missing_annual_rent")
    if values.get("arrears_amount") and not raw["arrears_fy"]:
        result.add(_("Give the fiscal year of the arrears (arrears_fy)."), "missing_arrears_fy")
    if raw["arrears_fy"] and not raw["arrears_amount"]:
        result.add(_("Give the amount of the arrears (arrears_amount)."),
                   "missing_arrears_amount")
    if result.has_owner and not (raw["owner_name_bn"] or raw["owner_name_en"]):
        result.add(_("Give the owner's name in Bengali or English."), "missing_owner_name")


def _existing(keys: set[tuple[int, str]], wards: dict[int, Ward]) -> set[tuple[int, str]]:
    """Which (ward number, holding number) pairs are already in the register."""
    by_ward: dict[int, list[str]] = defaultdict(list)
    for ward_number, number in keys:
        by_ward[wards[ward_number].pk].append(number)
    found: set[tuple[int, str]] = set()
    for ward_id, numbers in by_ward.items():
        for start in range(0, len(numbers), 500):
            found.update(Holding.objects.filter(ward_id=ward_id,
                                                number__in=numbers[start:start + 500])
                         .values_list("ward__number", "number"))
    return found


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _check_group(rows: list[RowResult], in_register: bool) -> None:
    """Rules across the rows of one holding."""
    first = rows[0]
    if in_register:
        for r in rows:
            r.add(_("Holding %(number)s already exists in ward %(ward)s.")
                  % {"number": first.key[1], "ward": first.key[0]}, "duplicate_holding")
    # Holding columns must agree (a different value: the same number used for another one).
    chosen: dict[str, tuple[Any, int]] = {}
    for r in rows:
        for name in HOLDING_FIELDS:
            value = r.values.get(name)
            if value is None or value == "":
                continue
            if name not in chosen:
                chosen[name] = (value, r.row)
            elif chosen[name][0] != value:
                r.add(_("Holding %(holding)s is already in row %(row)s with a different "
                        "%(column)s (“%(value)s”): the same holding number is used twice, or "
                        "the rows disagree.")
                      % {"holding": r.holding, "row": chosen[name][1], "column": name,
                         "value": _shown(chosen[name][0])}, "duplicate_in_file")
    if "use" not in chosen and all("use" in r.values for r in rows):
        first.add(_("Give the holding's use (residential, commercial, industrial, mixed or "
                    "vacant_land)."), "missing_use")
    # Arrears: one amount per year.
    arrears: dict[str, tuple[Decimal, int]] = {}
    for r in rows:
        fy, amount = r.values.get("arrears_fy"), r.values.get("arrears_amount")
        if not (fy and amount):
            continue
        if fy in arrears and arrears[fy][0] != amount:
            r.add(_("Row %(row)s already gives arrears of %(amount)s for fiscal year %(fy)s.")
                  % {"row": arrears[fy][1], "amount": arrears[fy][0], "fy": fy},
                  "conflicting_arrears")
        arrears.setdefault(fy, (amount, r.row))
    # Owners: no duplicates, shares given when several, at most 100% together.
    owners = [r for r in rows if r.has_owner]
    seen: dict[Any, int] = {}
    total = Decimal("0")
    for r in owners:
        nid = r.values.get("owner_nid")
        identity = ("nid", nid) if nid else (
            "name", (r.raw["owner_name_bn"].casefold(), r.raw["owner_name_en"].casefold()))
        if identity in seen:
            r.add(_("Duplicate owner row: row %(row)s already lists this owner of the holding.")
                  % {"row": seen[identity]}, "duplicate_owner")
        else:
            seen[identity] = r.row
        share = r.values.get("owner_share_percent")
        if share is None and "owner_share_percent" in r.values:
            if len(owners) > 1:
                r.add(_("This holding has several owners: give each owner's share "
                        "(owner_share_percent)."), "missing_share")
            else:
                share = Decimal("100")
        previous = total
        total += share or 0
        if total > 100 >= previous:
            r.add(_("The owners' shares of holding %(holding)s add up to more than 100%% "
                    "(%(total)s%% so far).") % {"holding": r.holding, "total": total},
                  "shares_over_100")


def validate(parsed: ParsedFile) -> list[RowResult]:
    """Every row checked on its own and against the other rows of its holding and the
    register. A file with file-level errors has no rows to validate."""
    if parsed.errors:
        return []
    wards = {w.number: w for w in Ward.objects.all()}
    this_fy = current_fiscal_year()
    results = []
    groups: dict[tuple[int, str], list[RowResult]] = {}
    for number, raw in parsed.rows:
        result = RowResult(row=number, raw=raw)
        _clean_row(result, wards, this_fy)
        results.append(result)
        if result.key:
            groups.setdefault(result.key, []).append(result)
    existing = _existing(set(groups), wards)
    for key, rows in groups.items():
        _check_group(rows, key in existing)
    return results


# --- import -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    filename: str = ""
    rows: int = 0
    error_rows: int = 0
    imported: bool = False
    holdings: int = 0
    owners: int = 0
    assessments: int = 0
    arrears: int = 0  # demands of earlier years recorded as unpaid
    skipped_holdings: int = 0
    skipped_rows: int = 0
    errors: list[str] = field(default_factory=list)  # why nothing was imported
    results: list[RowResult] = field(default_factory=list)

    @property
    def nothing_imported_because_of_errors(self) -> bool:
        return not self.imported and bool(self.error_rows or self.errors)


def summarize(results: list[RowResult]) -> dict[str, int]:
    """Counts for the report page: rows, rows with errors, holdings valid or not (rows
    whose ward or holding number cannot be read belong to no holding)."""
    keys = {r.key for r in results if r.key}
    bad = {r.key for r in results if r.key and not r.ok}
    return {"rows": len(results), "error_rows": sum(1 for r in results if not r.ok),
            "holdings": len(keys), "valid_holdings": len(keys - bad),
            "invalid_holdings": len(bad)}


def _recheck_register(groups: dict[tuple[int, str], list[RowResult]]) -> None:
    """Holdings registered since the file was checked are refused as well."""
    wards = {w.number: w for w in Ward.objects.all()}
    for key in _existing(set(groups), wards):
        for r in groups[key]:
            if "duplicate_holding" not in r.codes:
                r.add(_("Holding %(number)s already exists in ward %(ward)s.")
                      % {"number": key[1], "ward": key[0]}, "duplicate_holding")


def import_rows(results: list[RowResult], *, only_valid: bool, actor=None,
                filename: str = "") -> ImportReport:
    """Import the checked rows in one transaction. With any row in error, nothing is
    imported unless `only_valid`; then every holding with a bad row is skipped whole."""
    report = ImportReport(filename=filename, rows=len(results), results=results)
    try:
        with transaction.atomic():
            _import(report, results, only_valid=only_valid, actor=actor, filename=filename)
    except IntegrityError:
        report.imported = False
        report.holdings = report.owners = report.assessments = report.arrears = 0
        report.errors.append(_("Some of these holdings were registered by someone else while "
                               "the file was being imported, so nothing was imported. Check "
                               "the file again."))
        for r in results:
            r.status = "error" if r.errors else ""
    return report


def _import(report: ImportReport, results: list[RowResult], *, only_valid: bool, actor,
            filename: str) -> None:
    groups: dict[tuple[int, str], list[RowResult]] = {}
    for r in results:
        if r.key:
            groups.setdefault(r.key, []).append(r)
    _recheck_register(groups)
    report.error_rows = sum(1 for r in results if r.errors)
    for r in results:
        r.status = "error" if r.errors else ""
    if report.error_rows and not only_valid:
        return
    valid = {key: rows for key, rows in groups.items() if all(r.ok for r in rows)}
    for r in results:
        if r.ok and r.key not in valid:
            r.status = "skipped"
    report.skipped_rows = sum(1 for r in results if r.status in ("error", "skipped"))
    report.skipped_holdings = len(groups) - len(valid)
    if not valid:
        return

    # bulk_create sets the new ids on PostgreSQL and SQLite ≥ 3.35 (RETURNING).
    holdings, picked = [], []
    for (_ward, number), rows in valid.items():
        pick = {name: next((r.values[name] for r in rows if r.values.get(name) not in
                            (None, "")), None) for name in HOLDING_FIELDS}
        holdings.append(Holding(
            ward=rows[0].values["ward"], number=number, road=pick["road"] or "",
            mahalla=pick["mahalla"] or "", use=pick["use"],
            owner_occupied=bool(pick["owner_occupied"]),
            floor_area_sqft=pick["floor_area_sqft"]))
        picked.append((rows, pick))
    Holding.objects.bulk_create(holdings, batch_size=BATCH)

    owners, assessments, schedules = [], [], {}
    for holding, (rows, pick) in zip(holdings, picked, strict=True):
        owner_rows = [r for r in rows if r.has_owner]
        for r in owner_rows:
            v = r.values
            owners.append(Owner(
                holding=holding, name_bn=v["owner_name_bn"], name_en=v["owner_name_en"],
                share_percent=v["owner_share_percent"] or Decimal("100"),
                nid=v["owner_nid"], mobile=v["owner_mobile"]))
        if pick["annual_rent"] is not None:
            fy = pick["valuation_fy"]
            schedule = schedules.get(fy) or schedules.setdefault(fy, ensure_schedule(fy))
            valuation = tax.annual_valuation(
                pick["annual_rent"], owner_occupied=holding.owner_occupied,
                concession_percent=schedule.owner_occupied_concession_percent)
            first_row = next(r.row for r in rows if r.values.get("annual_rent") is not None)
            assessments.append(Assessment(
                holding=holding, effective_fy=fy, annual_rent=valuation.annual_rent,
                owner_occupied=holding.owner_occupied,
                annual_valuation=valuation.annual_valuation,
                basis=f"{valuation.explanation}. Imported from the legacy register "
                      f"({filename or 'file'}, row {first_row})",
                assessed_by=actor))
    Owner.objects.bulk_create(owners, batch_size=BATCH)
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    assessment_of = {a.holding_id: a for a in assessments}

    demands = []
    for holding, (rows, _pick) in zip(holdings, picked, strict=True):
        years: dict[str, Decimal] = {}
        for r in rows:
            if r.values.get("arrears_fy") and r.values.get("arrears_amount"):
                years.setdefault(r.values["arrears_fy"], r.values["arrears_amount"])
        for fy, amount in sorted(years.items()):
            schedule = schedules.get(fy) or schedules.setdefault(fy, ensure_schedule(fy))
            assessment = assessment_of.get(holding.pk)
            if assessment is not None and assessment.effective_fy > fy:
                assessment = None
            demands.append(Demand(
                holding=holding, fiscal_year=fy, schedule=schedule, assessment=assessment,
                annual_valuation=assessment.annual_valuation if assessment else tax.ZERO,
                total=amount))
    Demand.objects.bulk_create(demands, batch_size=BATCH)
    lines, instalments = [], []
    for demand in demands:
        lines.append(DemandLine(demand=demand, head="holding_tax", percent=None,
                                amount=demand.total, rule=ARREARS_RULE))
        dues = demand.schedule.due_dates()
        for quarter, amount in enumerate(tax.split_quarters(demand.total), start=1):
            instalments.append(Instalment(demand=demand, quarter=quarter,
                                          due_date=dues[quarter - 1], amount=amount,
                                          status=Instalment.Status.DUE))
    DemandLine.objects.bulk_create(lines, batch_size=BATCH)
    Instalment.objects.bulk_create(instalments, batch_size=BATCH)

    for r in results:
        if r.key in valid:
            r.status = "imported"
    report.imported = True
    report.holdings, report.owners = len(holdings), len(owners)
    report.assessments, report.arrears = len(assessments), len(demands)
    audit.record(action="holdings.imported", object_type="holdings.holding",
                 object_id=filename[:100], actor=actor,
                 after={"file": filename, "rows": report.rows, "holdings": report.holdings,
                        "owners": report.owners, "assessments": report.assessments,
                        "arrears": report.arrears, "only_valid": only_valid,
                        "skipped_holdings": report.skipped_holdings,
                        "skipped_rows": report.skipped_rows})


def report_csv(results: list[RowResult], errors: list[str] = ()) -> bytes:
    """The row-by-row report as CSV (UTF-8 with BOM, so Excel shows Bengali). Status:
    ok (valid, not imported yet), imported, error, or skipped (another row of the holding
    has errors)."""
    rows = [["", "", "", "file", message] for message in errors]
    for r in results:
        key = r.key
        rows.append([r.row, key[0] if key else r.raw.get("ward", ""),
                     key[1] if key else r.raw.get("holding_number", ""),
                     r.status or ("error" if r.errors else "ok"), " | ".join(r.errors)])
    return to_csv(["row", "ward", "holding_number", "status", "errors"], rows)
