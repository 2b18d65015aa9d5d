"""Tests for mobile, NID, birth registration and e-TIN normalizers and validators."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    format_mobile,
    mobile_to_e164,
    normalize_birth_registration,
    normalize_mobile,
    normalize_nid,
    normalize_tin,
    validate_birth_registration,
    validate_mobile,
    validate_nid,
    validate_tin,
)

MOBILE_MESSAGE = "Enter an 11-digit Bangladeshi mobile number such as 01712345678."


@pytest.mark.parametrize(
    "raw",
    [
        "01712345678",
        "০১৭১২৩৪৫৬৭৮",
        "+880 1712-345678",
        "+8801712345678",
        "8801712345678",
        "+880 01712345678",
        "+88 01712-345678",
        "0088 01712345678",
        "00880 1712 345 678",
        "০১৭১২-৩৪৫৬৭৮",
        "+৮৮০ ১৭১২-৩৪৫৬৭৮",
        " 01712 345678 ",
        "(0171) 234-5678",
    ],
)
def test_normalize_mobile_accepts(raw):
    assert normalize_mobile(raw) == "01712345678"


@pytest.mark.parametrize("prefix", ["013", "014", "015", "016", "017", "018", "019"])
def test_every_operator_prefix(prefix):
    assert normalize_mobile(prefix + "12345678") == prefix + "12345678"


@pytest.mark.parametrize(
    "raw",
    [
        "01212345678",  # 012 is not a mobile operator
        "01112345678",
        "0171234567",  # 10 digits
        "017123456789",  # 12 digits
        "1712345678",  # no leading 0 and no country code
        "0171234567a",
        "abcdefghijk",
        "",
        "   ",
        None,
        "+881712345678",
        "+9101712345678",
        "+880 1212345678",
        "01712345678 ext 2",
        "017১২৩৪৫৬৭৮x",
    ],
)
def test_normalize_mobile_refuses(raw):
    with pytest.raises(ValidationError) as excinfo:
        normalize_mobile(raw)
    assert excinfo.value.code == "invalid_mobile"
    assert excinfo.value.messages == [MOBILE_MESSAGE]


def test_mobile_to_e164_and_display():
    assert mobile_to_e164("01712345678") == "+8801712345678"
    assert mobile_to_e164("+880 1712-345678") == "+8801712345678"
    assert format_mobile("+8801712345678", "en") == "01712-345678"
    assert format_mobile("01712345678", "bn") == "০১৭১২-৩৪৫৬৭৮"
    with pytest.raises(ValidationError):
        mobile_to_e164("123")


def test_validate_mobile_checks_canonical_form():
    validate_mobile("01712345678")
    for value in ["+8801712345678", "০১৭১২৩৪৫৬৭৮", "01712-345678", "01212345678", "", None]:
        with pytest.raises(ValidationError) as excinfo:
            validate_mobile(value)
        assert excinfo.value.code == "invalid_mobile"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("1234567890", "1234567890"),
        ("১২৩৪৫৬৭৮৯০", "1234567890"),
        ("123 456 7890", "1234567890"),
        ("1234567890123", "1234567890123"),
        ("19901234567890123", "19901234567890123"),
        ("1990-1234-5678-90123", "19901234567890123"),
    ],
)
def test_normalize_nid_accepts(raw, canonical):
    assert normalize_nid(raw) == canonical
    validate_nid(canonical)


@pytest.mark.parametrize(
    "raw", ["", None, "123456789", "12345678901", "123456789012345678", "12345abcde", "১২৩"]
)
def test_normalize_nid_refuses(raw):
    with pytest.raises(ValidationError) as excinfo:
        normalize_nid(raw)
    assert excinfo.value.code == "invalid_nid"
    assert excinfo.value.messages == ["Enter your National ID (NID) number: 10, 13 or 17 digits."]


def test_validate_nid_checks_canonical_form():
    for value in ["123 456 7890", "১২৩৪৫৬৭৮৯০", "123456789", "", None, 1234567890]:
        with pytest.raises(ValidationError) as excinfo:
            validate_nid(value)
        assert excinfo.value.code == "invalid_nid"


def test_birth_registration():
    assert normalize_birth_registration("২০১০ ৪৭১৮ ৫১২৩ ৪৫৬৭৮") == "20104718512345678"
    validate_birth_registration("20104718512345678")
    for bad in ["2010471851234567", "201047185123456789", "2010471851234567x", ""]:
        with pytest.raises(ValidationError) as excinfo:
            normalize_birth_registration(bad)
        assert excinfo.value.code == "invalid_birth_registration"
    with pytest.raises(ValidationError):
        validate_birth_registration("2010-4718-5123-45678")


def test_tin():
    assert normalize_tin("১২৩৪-৫৬৭৮-৯০১২") == "123456789012"
    validate_tin("123456789012")
    for bad in ["12345678901", "1234567890123", "12345678901a", ""]:
        with pytest.raises(ValidationError) as excinfo:
            normalize_tin(bad)
        assert excinfo.value.code == "invalid_tin"
    with pytest.raises(ValidationError):
        validate_tin("১২৩৪৫৬৭৮৯০১২")
