"""What people and readers type for e-bikes: RFID card UIDs, chassis and motor numbers,
licence ("blue book") and digital plate numbers (their formats are the city profile's).
Bengali digits are accepted everywhere; a mistake is a ValidationError with a message in
the reader's language."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.cities import HERE as CITIES_DIR
from core.digits import localize_digits, to_ascii_digits, to_bengali_digits  # noqa: F401

from .defaults import DEFAULT_NUMBERS

# --- RFID card UIDs -------------------------------------------------------------------------

#: A card's UID: 4 to 10 bytes written in hex (ISO 14443 cards have 4, 7 or 10 bytes,
#: 125 kHz EM4100 tags 5), upper case, without separators.
UID_RE = re.compile(r"(?:[0-9A-F]{2}){4,10}")
_UID_SEPARATORS = re.compile(r"[\s:\-.]")


def normalize_uid(value: object) -> str:
    """A card UID as the register writes it: hex, upper case, no separators
    ("04:a2:1b:3c" → "04A21B3C"). ValidationError "invalid_uid" otherwise."""
    text = _UID_SEPARATORS.sub("", to_ascii_digits(str(value if value is not None else "")))
    text = text.upper()
    if text.startswith("0X"):
        text = text[2:]
    if not UID_RE.fullmatch(text):
        raise ValidationError(
            _("Enter the card's UID: 8 to 20 hexadecimal digits (0-9, A-F), such as 04A21B3C."),
            code="invalid_uid",
        )
    return text


def uid_or_none(value: object) -> str | None:
    """The normalised UID, or None when it is not one (the scan API's fast path)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    text = value.upper()
    if UID_RE.fullmatch(text):
        return text
    try:
        return normalize_uid(value)
    except ValidationError:
        return None


# --- chassis and motor numbers ---------------------------------------------------------------

_FRAME_RE = re.compile(r"[0-9A-Z/\-]{4,30}")


def normalize_frame_number(value: object, *, what: str = "chassis") -> str:
    """A chassis or motor number as the register writes it: ASCII digits, upper case, no
    spaces ("ab ১২৩ ৪৫" → "AB12345"). ValidationError otherwise."""
    text = re.sub(r"\s+", "", to_ascii_digits(str(value or ""))).upper()
    if not _FRAME_RE.fullmatch(text):
        if what == "motor":
            message = _(
                "Enter the motor number as stamped on the motor (4 to 30 letters or digits)."
            )
        else:
            message = _(
                "Enter the chassis number as stamped on the frame (4 to 30 letters or digits)."
            )
        raise ValidationError(message, code=f"invalid_{what}_no")
    return text


# --- licence and plate numbers ---------------------------------------------------------------


@lru_cache(maxsize=8)
def _numbers_of_city(code: str) -> dict[str, Any]:
    for path in sorted(CITIES_DIR.glob("*.json")):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if str(data.get("code", "")).upper() == code.upper() and data.get("ezbike_numbers"):
            mine = data["ezbike_numbers"]
            return {key: {**DEFAULT_NUMBERS[key], **mine.get(key, {})} for key in DEFAULT_NUMBERS}  # type: ignore[dict-item]
    return dict(DEFAULT_NUMBERS)


def numbers_format() -> dict[str, Any]:
    """The city's licence and plate number formats: the city's file in core/cities (its
    "ezbike_numbers": "licence" and "plate"), found by the profile's code, else the
    defaults (ezbike.defaults.DEFAULT_NUMBERS)."""
    from core.models import CityProfile

    return _numbers_of_city(CityProfile.current().code or "")


def licence_number(serial: int) -> str:
    """The `serial`th blue book's number in the city's format ("EB-00123")."""
    return str(numbers_format()["licence"]["format"]).format(serial=int(serial))


def plate_number(*, vehicle_type: str, ward: int, serial: int, lang: str = "en") -> str:
    """The plate number of the ward's `serial`th vehicle of its type, in Latin ("en", the
    form stored) or Bengali ("bn": Bengali parts and digits) form."""
    fmt = numbers_format()["plate"]
    text = str(fmt["format"]).format(
        city=fmt["city"][lang], type=fmt["type"][vehicle_type][lang], ward=ward, serial=serial
    )
    return to_bengali_digits(text) if lang == "bn" else text


def plate_bengali(plate: str) -> str:
    """The Bengali form of a stored (Latin) plate number ("KCC-P-07-0123" → "খুসিক-যা-০৭-০১২৩")."""
    fmt = numbers_format()["plate"]
    parts = [(fmt["city"]["en"], fmt["city"]["bn"])] + [
        (names["en"], names["bn"]) for names in fmt["type"].values()
    ]
    pieces = plate.split("-")
    for latin, bengali in parts:
        pieces = [bengali if piece == latin else piece for piece in pieces]
    return to_bengali_digits("-".join(pieces))


def plate_display(plate: str, lang: str | None = None) -> str:
    """The plate in the reader's language: its Bengali form when the language is Bengali."""
    from core.digits import is_bengali

    return plate_bengali(plate) if plate and is_bengali(lang) else plate


def normalize_plate(value: object) -> str:
    """A plate number in its stored Latin form, from either form as typed (spaces or
    slashes for dashes, lower case, Bengali digits and words). ValidationError
    "invalid_plate" when it does not have the city's format."""
    fmt = numbers_format()["plate"]
    text = to_ascii_digits(str(value or "")).strip()
    text = re.sub(r"\s*[\s/_.–—-]\s*", "-", text)
    pieces = text.split("-")
    words = {fmt["city"]["bn"]: fmt["city"]["en"]}
    words.update({names["bn"]: names["en"] for names in fmt["type"].values()})
    pieces = [words.get(piece, piece).upper() for piece in pieces]
    text = "-".join(pieces)
    if not text or not re.fullmatch(fmt["pattern"], text):
        raise ValidationError(
            _("Enter a plate number such as %(example)s.")
            % {"example": plate_display(fmt["example"])},
            code="invalid_plate",
        )
    return text
