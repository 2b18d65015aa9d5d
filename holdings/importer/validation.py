"""Validating the rows of a register: each row on its own, then the rows of each holding
together and against the register (holdings already there are refused)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.digits import localize_digits, to_ascii_digits
from core.fiscal import current_fiscal_year, next_fiscal_year, parse_fiscal_year
from core.models import Ward
from core.money import to_money
from core.places import normalize_holding_number, ward_by_number
from core.validators import normalize_mobile, normalize_nid

from .. import tax
from ..models import Holding
from ..services import MAX_YEARLY_RENT, _check_rent
from .columns import HOLDING_FIELDS, MAX_FLOOR_AREA, NO, USE_VALUES, YES, echo
from .reading import ParsedFile


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
        return f"{echo(ward)}/{echo(number)}" if ward or number else ""

    @property
    def has_owner(self) -> bool:
        return any(
            self.raw.get(c)
            for c in (
                "owner_name_bn",
                "owner_name_en",
                "owner_nid",
                "owner_mobile",
                "owner_share_percent",
            )
        )


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


def _clean_row(result: RowResult, wards: dict[int, Ward], this_fy: str) -> None:  # noqa: C901 - one check per column, in order
    raw, values = result.raw, result.values

    def attempt(name, fn):
        text = raw[name]
        try:
            values[name] = fn(text)
        except ValidationError as exc:
            for message in exc.messages:
                if len(text) > len(echo(text)):  # never repeat a long value whole
                    message = str(message).replace(text, echo(text))
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
                raise ValidationError(
                    _("%(column)s is longer than 200 characters.") % {"column": name},
                    code="too_long",
                )
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
                _(
                    "Unknown use “%(use)s”: write residential, commercial, industrial, mixed or "
                    "vacant_land (or আবাসিক, বাণিজ্যিক, শিল্প, মিশ্র, খালি জমি)."
                )
                % {"use": echo(text)},
                code="invalid_use",
            )
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
        raise ValidationError(
            _("Write yes or no (হ্যাঁ or না) for owner_occupied, not “%(value)s”.")
            % {"value": echo(text)},
            code="invalid_owner_occupied",
        )

    attempt("owner_occupied", yes_no)

    def floor_area(text):
        if not text:
            return None
        area = _number(
            text,
            code="invalid_floor_area",
            message=_("Enter the floor area as a number of square feet."),
        )
        if area < 0 or area > MAX_FLOOR_AREA:
            raise ValidationError(
                _("A floor area of %(area)s sq ft is not believable; check it.")
                % {"area": echo(text)},
                code="absurd_floor_area",
            )
        return tax.money(area)

    attempt("floor_area_sqft", floor_area)

    def share(text):
        if not text:
            return None
        value = _number(
            text.rstrip("%"),
            code="invalid_share",
            message=_("Enter the owner's share as a percentage, such as 50."),
        )
        if value <= 0 or value > 100:
            raise ValidationError(
                _("An owner's share must be a percentage above 0 and at most 100."),
                code="invalid_share",
            )
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
            raise ValidationError(
                _("A valuation cannot take effect later than fiscal year %(fy)s.")
                % {"fy": next_fiscal_year(this_fy)},
                code="invalid_fiscal_year",
            )
        return fy

    attempt("valuation_fy", valuation_fy)

    def arrears_fy(text):
        if not text:
            return None
        fy = _fiscal_year(text)
        if fy >= this_fy:
            raise ValidationError(
                _("Arrears must be for a fiscal year before the current one (%(fy)s).")
                % {"fy": this_fy},
                code="invalid_arrears_fy",
            )
        return fy

    attempt("arrears_fy", arrears_fy)

    def arrears_amount(text):
        if not text:
            return None
        amount = tax.money(
            _number(
                text, code="invalid_arrears", message=_("Enter the arrears as a number of taka.")
            )
        )
        if amount < 0:
            raise ValidationError(_("Arrears cannot be negative."), code="negative_arrears")
        if amount > MAX_YEARLY_RENT:
            raise ValidationError(
                _("Arrears of %(amount)s taka are not believable; check them.")
                % {"amount": localize_digits(str(amount))},
                code="absurd_arrears",
            )
        return amount or None  # 0 means no arrears

    attempt("arrears_amount", arrears_amount)

    # Pairs that go together.
    if raw["annual_rent"] and not raw["valuation_fy"]:
        result.add(
            _("Give the fiscal year the valuation takes effect from (valuation_fy)."),
            "missing_valuation_fy",
        )
    if raw["valuation_fy"] and not raw["annual_rent"]:
        result.add(
            _("Give the yearly rent (annual_rent) for the valuation."), "missing_annual_rent"
        )
    if values.get("arrears_amount") and not raw["arrears_fy"]:
        result.add(_("Give the fiscal year of the arrears (arrears_fy)."), "missing_arrears_fy")
    if raw["arrears_fy"] and not raw["arrears_amount"]:
        result.add(_("Give the amount of the arrears (arrears_amount)."), "missing_arrears_amount")
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
            found.update(
                Holding.objects.filter(
                    ward_id=ward_id, number__in=numbers[start : start + 500]
                ).values_list("ward__number", "number")
            )
    return found


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return echo(value)


def _check_group(  # noqa: C901
    key: tuple[int, str], rows: list[RowResult], in_register: bool
) -> None:
    """Rules across the rows of one holding (`key`: its ward and number)."""
    first = rows[0]
    if in_register:
        for r in rows:
            r.add(
                _("Holding %(number)s already exists in ward %(ward)s.")
                % {"number": localize_digits(key[1]), "ward": localize_digits(key[0])},
                "duplicate_holding",
            )
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
                r.add(
                    _(
                        "Holding %(holding)s is already in row %(row)s with a different "
                        "%(column)s (“%(value)s”): the same holding number is used twice, or "
                        "the rows disagree."
                    )
                    % {
                        "holding": localize_digits(r.holding),
                        "row": localize_digits(chosen[name][1]),
                        "column": name,
                        "value": _shown(chosen[name][0]),
                    },
                    "duplicate_in_file",
                )
    if "use" not in chosen and all("use" in r.values for r in rows):
        first.add(
            _(
                "Give the holding's use (residential, commercial, industrial, mixed or "
                "vacant_land)."
            ),
            "missing_use",
        )
    # Arrears: one amount per year.
    arrears: dict[str, tuple[Decimal, int]] = {}
    for r in rows:
        fy, amount = r.values.get("arrears_fy"), r.values.get("arrears_amount")
        if not (fy and amount):
            continue
        if fy in arrears and arrears[fy][0] != amount:
            r.add(
                _("Row %(row)s already gives arrears of %(amount)s for fiscal year %(fy)s.")
                % {
                    "row": localize_digits(arrears[fy][1]),
                    "amount": localize_digits(str(arrears[fy][0])),
                    "fy": localize_digits(fy),
                },
                "conflicting_arrears",
            )
        arrears.setdefault(fy, (amount, r.row))
    # Owners: no duplicates, shares given when several, at most 100% together.
    owners = [r for r in rows if r.has_owner]
    seen: dict[Any, int] = {}
    total = Decimal("0")
    for r in owners:
        nid = r.values.get("owner_nid")
        identity = (
            ("nid", nid)
            if nid
            else ("name", (r.raw["owner_name_bn"].casefold(), r.raw["owner_name_en"].casefold()))
        )
        if identity in seen:
            r.add(
                _("Duplicate owner row: row %(row)s already lists this owner of the holding.")
                % {"row": localize_digits(seen[identity])},
                "duplicate_owner",
            )
        else:
            seen[identity] = r.row
        share = r.values.get("owner_share_percent")
        if share is None and "owner_share_percent" in r.values:
            if len(owners) > 1:
                r.add(
                    _(
                        "This holding has several owners: give each owner's share "
                        "(owner_share_percent)."
                    ),
                    "missing_share",
                )
            else:
                share = Decimal("100")
        previous = total
        total += share or 0
        if total > 100 >= previous:
            r.add(
                _(
                    "The owners' shares of holding %(holding)s add up to more than 100%% "
                    "(%(total)s%% so far)."
                )
                % {"holding": localize_digits(r.holding), "total": localize_digits(str(total))},
                "shares_over_100",
            )


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
        for message, code in parsed.row_errors.get(number, ()):
            result.add(message, code)
        _clean_row(result, wards, this_fy)
        results.append(result)
        if result.key:
            groups.setdefault(result.key, []).append(result)
    existing = _existing(set(groups), wards)
    for key, rows in groups.items():
        _check_group(key, rows, key in existing)
    return results
