"""The register: shops in a market (numbers in one canonical form, unique within the market)
and lessees (one per NID)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit
from core.digits import localize_digits, to_ascii_digits
from core.validators import normalize_mobile, normalize_nid

from ..models import Lessee, Market, Shop
from ..numbers import normalize_shop_number
from ._common import field_error, record, require_estate_officer


def _area(value: object) -> Decimal:
    try:
        area = Decimal(to_ascii_digits(str(value)).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        area = Decimal(0)
    if not area.is_finite() or area <= 0 or area >= Decimal("10000000"):
        raise field_error(
            "area_sqft", _("Enter the area in square feet, such as 120.5."), "invalid_area"
        )
    return area.quantize(Decimal("0.01"))


def shop_register(
    *,
    market: Market,
    number: str,
    floor: int = 0,
    area_sqft: Decimal | str | int,
    kind: str = Shop.Kind.SHOP,
    note: str = "",
    actor=None,
) -> Shop:
    """Add a shop to a market: its number (normalised: "a 12" and "A-12" are one shop, and
    a number already in the market is refused), floor (within the market's floors), area in
    square feet and kind."""
    require_estate_officer(actor)
    errors: dict[str, str] = {}
    try:
        number = normalize_shop_number(number)
    except ValidationError as e:
        errors["number"] = e.messages[0]
    try:
        area = _area(area_sqft)
    except ValidationError as e:
        errors["area_sqft"] = e.message_dict["area_sqft"][0]
    if not 0 <= int(floor) < market.floors:
        errors["floor"] = _("%(market)s has %(floors)s floor(s): 0 (ground) to %(top)s.") % {
            "market": market.name,
            "floors": localize_digits(market.floors),
            "top": localize_digits(market.floors - 1),
        }
    if kind not in Shop.Kind.values:
        errors["kind"] = _("Choose one of the kinds.")
    taken = _("%(market)s already has a shop %(number)s.")
    if "number" not in errors and Shop.objects.filter(market=market, number=number).exists():
        errors["number"] = taken % {"market": market.name, "number": localize_digits(number)}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            shop = Shop.objects.create(
                market=market, number=number, floor=int(floor), area_sqft=area, kind=kind, note=note
            )
            record("shop_register", shop, actor=actor, after=audit.snapshot(shop))
    except IntegrityError:
        raise field_error(
            "number",
            taken % {"market": market.name, "number": localize_digits(number)},
            "shop_number_taken",
        ) from None
    return shop


def _snapshot(lessee: Lessee) -> dict:
    """The lessee for the audit log (the photo by its stored name: an empty file field has
    no URL to ask for)."""
    names = [f.attname for f in Lessee._meta.concrete_fields if f.name != "photo"]
    return {**audit.snapshot(lessee, names), "photo": lessee.photo.name or ""}


def lessee_register(
    *,
    nid: str,
    mobile: str,
    name_bn: str = "",
    name_en: str = "",
    address: str = "",
    photo=None,
    user=None,
    actor=None,
) -> Lessee:
    """The lessee with this NID, created, or brought up to date with the details given (a
    lessee is one person: one row per NID). A name in at least one language."""
    require_estate_officer(actor)
    errors: dict[str, str] = {}
    try:
        nid = normalize_nid(nid)
    except ValidationError as e:
        errors["nid"] = e.messages[0]
    try:
        mobile = normalize_mobile(mobile)
    except ValidationError as e:
        errors["mobile"] = e.messages[0]
    name_bn, name_en = (name_bn or "").strip(), (name_en or "").strip()
    if not (name_bn or name_en):
        errors["name_bn"] = _("Enter the lessee's name.")
    if errors:
        raise ValidationError(errors)
    fields: dict[str, object] = {"mobile": mobile, "name_bn": name_bn, "name_en": name_en}
    if address:
        fields["address"] = address.strip()
    if user is not None:
        fields["user"] = user
    try:
        return _lessee_save(nid, fields, photo, actor)
    except IntegrityError:  # registered by someone else at the same moment: update that one
        return _lessee_save(nid, fields, photo, actor)


def _lessee_save(nid: str, fields: dict[str, object], photo, actor) -> Lessee:
    with transaction.atomic():
        lessee = Lessee.objects.select_for_update().filter(nid=nid).first()
        if lessee is None:
            lessee = Lessee(nid=nid, **fields)
            if photo:
                lessee.photo = photo
            lessee.save()
            record("lessee_register", lessee, actor=actor, after=_snapshot(lessee))
            return lessee
        before = _snapshot(lessee)
        for name, value in fields.items():
            setattr(lessee, name, value)
        if photo:
            lessee.photo = photo
        lessee.save()
        old, new = audit.changed(before, _snapshot(lessee))
        if new:
            record("lessee_update", lessee, actor=actor, before=old, after=new)
    return lessee
