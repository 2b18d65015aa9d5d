"""Taka amounts: exact Decimal conversion, South Asian grouping, and amounts in words."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypedDict

from core.digits import is_bengali, localize_digits, to_ascii_digits

CENT = Decimal("0.01")
TAKA_SIGN = "৳"

Amount = Decimal | int | str


class DecimalDigits(TypedDict):
    """A DecimalField's size, spelled once per app: `models.DecimalField(**MONEY)`."""

    max_digits: int
    decimal_places: int


def to_money(value: Amount) -> Decimal:
    """`value` as Decimal taka rounded half-up to paisa; strings may use Bengali digits, commas.

    Floats are refused (TypeError): they cannot hold most paisa amounts exactly.
    """
    if isinstance(value, bool | float):
        raise TypeError(f"Money must be Decimal, int or str, not {type(value).__name__}")
    if isinstance(value, str):
        text = to_ascii_digits(value).strip().replace(",", "").replace(TAKA_SIGN, "").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"Not an amount: {value!r}") from None
    elif isinstance(value, int):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        raise TypeError(f"Money must be Decimal, int or str, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"Not an amount: {value!r}")
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"Amount too large: {value!r}") from None


def group_south_asian(int_str: str) -> str:
    """Group a string of digits the South Asian way: "1250000" -> "12,50,000"."""
    sign, digits = ("-", int_str[1:]) if int_str.startswith("-") else ("", int_str)
    if len(digits) <= 3:
        return sign + digits
    head, tail = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return sign + ",".join([head, *pairs, tail])


def format_amount(value: Amount, *, lang: str | None = None, symbol: bool = True) -> str:
    """E.g. "৳12,50,000.00", or "৳১২,৫০,০০০.০০" in Bengali; negatives as "-৳1,000.00"."""
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    taka, paisa = f"{abs(amount):.2f}".split(".")
    text = f"{sign}{TAKA_SIGN if symbol else ''}{group_south_asian(taka)}.{paisa}"
    return localize_digits(text, lang)


# --- amounts in words -------------------------------------------------------------------------

_ONES_EN = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS_EN = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

_WORDS_BN = (
    "শূন্য এক দুই তিন চার পাঁচ ছয় সাত আট নয় "
    "দশ এগারো বারো তেরো চৌদ্দ পনেরো ষোল সতেরো আঠারো উনিশ "
    "বিশ একুশ বাইশ তেইশ চব্বিশ পঁচিশ ছাব্বিশ সাতাশ আঠাশ উনত্রিশ "
    "ত্রিশ একত্রিশ বত্রিশ তেত্রিশ চৌত্রিশ পঁয়ত্রিশ ছত্রিশ সাঁইত্রিশ আটত্রিশ উনচল্লিশ "
    "চল্লিশ একচল্লিশ বিয়াল্লিশ তেতাল্লিশ চুয়াল্লিশ পঁয়তাল্লিশ ছেচল্লিশ সাতচল্লিশ আটচল্লিশ উনপঞ্চাশ "
    "পঞ্চাশ একান্ন বাহান্ন তিপ্পান্ন চুয়ান্ন পঞ্চান্ন ছাপ্পান্ন সাতান্ন আটান্ন উনষাট "
    "ষাট একষট্টি বাষট্টি তেষট্টি চৌষট্টি পঁয়ষট্টি ছেষট্টি সাতষট্টি আটষট্টি উনসত্তর "
    "সত্তর একাত্তর বাহাত্তর তিয়াত্তর চুয়াত্তর পঁচাত্তর ছিয়াত্তর সাতাত্তর আটাত্তর উনআশি "
    "আশি একাশি বিরাশি তিরাশি চুরাশি পঁচাশি ছিয়াশি সাতাশি আটাশি উননব্বই "
    "নব্বই একানব্বই বিরানব্বই তিরানব্বই চুরানব্বই পঁচানব্বই ছিয়ানব্বই সাতানব্বই আটানব্বই নিরানব্বই"
).split()

# (value, English word, Bengali word), largest first; crore counts above 99 recurse.
_SCALES = (
    (10_000_000, "crore", "কোটি"),
    (100_000, "lakh", "লক্ষ"),
    (1_000, "thousand", "হাজার"),
    (100, "hundred", "শত"),
)


def _below_100_en(n: int) -> str:
    if n < 20:
        return _ONES_EN[n]
    tens, ones = divmod(n, 10)
    return _TENS_EN[tens] + (f"-{_ONES_EN[ones]}" if ones else "")


def _number_words(n: int, bengali: bool) -> str:
    """Words for a whole number n >= 0 in the South Asian system (crore, lakh, thousand)."""
    if n < 100:
        return _WORDS_BN[n] if bengali else _below_100_en(n)
    parts: list[str] = []
    for scale, word_en, word_bn in _SCALES:
        count, n = divmod(n, scale)
        if count:
            parts.append(f"{_number_words(count, bengali)} {word_bn if bengali else word_en}")
    if n:
        parts.append(_number_words(n, bengali))
    return " ".join(parts)


def _split(value: Amount) -> tuple[int, int]:
    amount = to_money(value)
    if amount < 0:
        raise ValueError("Amounts in words must not be negative")
    taka, paisa = divmod(int(amount * 100), 100)
    return taka, paisa


def amount_in_words_en(value: Amount) -> str:
    """E.g. "Twelve lakh fifty thousand taka only", "Ten taka and fifty paisa only"."""
    taka, paisa = _split(value)
    if paisa and not taka:
        text = f"{_number_words(paisa, False)} paisa only"
    elif paisa:
        text = f"{_number_words(taka, False)} taka and {_number_words(paisa, False)} paisa only"
    else:
        text = f"{_number_words(taka, False)} taka only"
    return text[0].upper() + text[1:]


def amount_in_words_bn(value: Amount) -> str:
    """E.g. "বারো লক্ষ পঞ্চাশ হাজার টাকা মাত্র", "দশ টাকা পঞ্চাশ পয়সা মাত্র"."""
    taka, paisa = _split(value)
    parts = []
    if taka or not paisa:
        parts.append(f"{_number_words(taka, True)} টাকা")
    if paisa:
        parts.append(f"{_number_words(paisa, True)} পয়সা")
    return " ".join(parts) + " মাত্র"


def amount_in_words(value: Amount, lang: str | None = None) -> str:
    """Amount in words in `lang` (default: the active language)."""
    return amount_in_words_bn(value) if is_bengali(lang) else amount_in_words_en(value)
