"""IPN signature checks for SSLCommerz, anchored on the public test vector in DOMAIN.md."""

from __future__ import annotations

import pytest

from payments.gateways.sslcommerz import (
    REQUIRED_SIGNED_KEYS,
    sign_ipn_payload,
    verify_ipn_signature,
)

STORE_PASSWORD = "test_testemi@ssl"

VERIFY_KEY = (
    "amount,bank_tran_id,base_fair,card_brand,card_issuer,card_issuer_country,"
    "card_issuer_country_code,card_no,card_type,currency,currency_amount,currency_rate,"
    "currency_type,risk_level,risk_title,status,store_amount,store_id,tran_date,tran_id,"
    "val_id,value_a,value_b,value_c,value_d"
)

VECTOR: dict[str, str | None] = {
    "tran_id": "5E121A0D01F92",
    "val_id": "200105225826116qFnATY9sHIwo",
    "amount": "10.00",
    "card_type": "VISA-Dutch Bangla",
    "store_amount": "9.75",
    "card_no": "418117XXXXXX6675",
    "bank_tran_id": "200105225825DBgSoRGLvczhFjj",
    "status": "VALID",
    "tran_date": "2020-01-05 22:58:21",
    "currency": "BDT",
    "card_issuer": "TRUST BANK, LTD.",
    "card_brand": "VISA",
    "card_issuer_country": "Bangladesh",
    "card_issuer_country_code": "BD",
    "store_id": "test_testemi",
    "currency_type": "BDT",
    "currency_amount": "10.00",
    "currency_rate": "1.0000",
    "base_fair": "0.00",
    "value_a": "",
    "value_b": "",
    "value_c": "",
    "value_d": "",
    "risk_level": "0",
    "risk_title": "Safe",
    "verify_key": VERIFY_KEY,
    "verify_sign": "d42fab70ae0bcbda5280e7baffef60b0",
    "verify_sign_sha2": "02c0417ff467c109006382d56eedccecd68382e47245266e7b47abbb3d43976e",
}

SIGNED_KEYS = VERIFY_KEY.split(",")


def vector() -> dict[str, str | None]:
    return dict(VECTOR)


def unsigned(payload: dict[str, str | None]) -> dict[str, str | None]:
    return {
        k: v
        for k, v in payload.items()
        if k not in {"verify_key", "verify_sign", "verify_sign_sha2"}
    }


def test_public_vector_verifies() -> None:
    assert verify_ipn_signature(vector(), STORE_PASSWORD) is True


def test_public_vector_verifies_with_md5_only() -> None:
    payload = vector()
    del payload["verify_sign_sha2"]
    assert verify_ipn_signature(payload, STORE_PASSWORD) is True


def test_uppercase_hex_signature_is_accepted() -> None:
    payload = vector()
    payload["verify_sign"] = str(payload["verify_sign"]).upper()
    assert verify_ipn_signature(payload, STORE_PASSWORD) is True


@pytest.mark.parametrize("key", SIGNED_KEYS)
def test_every_tampered_signed_field_is_refused(key: str) -> None:
    payload = vector()
    payload[key] = (payload[key] or "") + "X"
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False


@pytest.mark.parametrize("key", SIGNED_KEYS)
def test_every_tampered_signed_field_is_refused_by_md5_alone(key: str) -> None:
    payload = vector()
    del payload["verify_sign_sha2"]
    payload[key] = (payload[key] or "") + "X"
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False


def test_unsigned_extra_field_does_not_matter() -> None:
    payload = vector()
    payload["card_sub_brand"] = "Classic"
    assert verify_ipn_signature(payload, STORE_PASSWORD) is True


def test_wrong_password_is_refused() -> None:
    assert verify_ipn_signature(vector(), "test_testemi@ssl2") is False
    assert verify_ipn_signature(vector(), "") is False


@pytest.mark.parametrize("value", [None, ""])
def test_missing_verify_sign_is_refused(value: str | None) -> None:
    payload = vector()
    payload["verify_sign"] = value
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False
    del payload["verify_sign"]
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False


@pytest.mark.parametrize("value", [None, ""])
def test_missing_verify_key_is_refused(value: str | None) -> None:
    payload = vector()
    payload["verify_key"] = value
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False
    del payload["verify_key"]
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False


@pytest.mark.parametrize("left_out", sorted(REQUIRED_SIGNED_KEYS))
def test_verify_key_leaving_out_a_required_field_is_refused(left_out: str) -> None:
    keys = [k for k in SIGNED_KEYS if k != left_out]
    payload = sign_ipn_payload(unsigned(vector()), STORE_PASSWORD, keys)
    # The signature itself is correct: only the coverage rule refuses it.
    assert left_out not in str(payload["verify_key"]).split(",")
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False
    # Control: the same construction with full coverage verifies.
    full = sign_ipn_payload(unsigned(vector()), STORE_PASSWORD, SIGNED_KEYS)
    assert verify_ipn_signature(full, STORE_PASSWORD) is True


def test_required_fields_are_exactly_the_documented_ones() -> None:
    assert {"amount", "currency", "tran_id", "val_id", "status"} == REQUIRED_SIGNED_KEYS


def test_none_instead_of_empty_string_is_treated_as_empty() -> None:
    payload = vector()
    payload["value_a"] = None
    assert verify_ipn_signature(payload, STORE_PASSWORD) is True


def test_signed_key_missing_from_payload_counts_as_empty() -> None:
    payload = vector()
    del payload["value_b"]
    assert verify_ipn_signature(payload, STORE_PASSWORD) is True


def test_tampered_sha2_with_correct_md5_is_refused() -> None:
    payload = vector()
    sha2 = str(payload["verify_sign_sha2"])
    payload["verify_sign_sha2"] = ("0" if sha2[0] != "0" else "1") + sha2[1:]
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False


def test_wrong_md5_with_correct_sha2_is_refused() -> None:
    payload = vector()
    payload["verify_sign"] = "0" * 32
    assert verify_ipn_signature(payload, STORE_PASSWORD) is False


def test_sign_ipn_payload_reproduces_the_public_vector() -> None:
    signed = sign_ipn_payload(unsigned(vector()), STORE_PASSWORD, SIGNED_KEYS)
    assert signed["verify_key"] == VECTOR["verify_key"]
    assert signed["verify_sign"] == VECTOR["verify_sign"]
    assert signed["verify_sign_sha2"] == VECTOR["verify_sign_sha2"]


def test_sign_ipn_payload_round_trips_with_default_keys() -> None:
    original = {
        "tran_id": "KCC-2025-000123",
        "val_id": "250101120000abcDEF",
        "amount": "1050.00",
        "store_amount": "1023.75",
        "currency": "BDT",
        "status": "VALID",
        "bank_tran_id": "250101120000xyz",
        "risk_level": "0",
        "risk_title": "Safe",
        "value_a": "",
        "value_b": None,
    }
    signed = sign_ipn_payload(original, "sim-password")
    assert original.keys() == {k for k in signed if not k.startswith("verify_")}
    assert "verify_key" not in original  # a copy, not the caller's dict
    assert set(str(signed["verify_key"]).split(",")) == set(original)
    assert verify_ipn_signature(signed, "sim-password") is True
    assert verify_ipn_signature(signed, "other-password") is False
    re_signed = sign_ipn_payload(signed, "sim-password")  # old signature fields ignored
    assert re_signed["verify_sign"] == signed["verify_sign"]


def test_sign_ipn_payload_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="store_password must be a non-empty string"):
        sign_ipn_payload({"amount": "10.00"}, "")
    with pytest.raises(ValueError, match="'store_passwd' cannot be a signed field"):
        sign_ipn_payload({"amount": "10.00"}, "pw", ["amount", "store_passwd"])
    with pytest.raises(ValueError, match="invalid key to sign: 'a,b'"):
        sign_ipn_payload({"amount": "10.00"}, "pw", ["a,b"])
    with pytest.raises(TypeError):
        sign_ipn_payload({"amount": 10}, "pw")  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "verify_key=amount",
        ["amount"],
        42,
        {"verify_key": 5, "verify_sign": "x"},
        {"verify_key": VERIFY_KEY, "verify_sign": b"d42fab70ae0bcbda5280e7baffef60b0"},
        {**VECTOR, "amount": 10},
        {**VECTOR, "amount": ["10.00"]},
        {**VECTOR, "verify_sign": "d42fab70ae0bcbda5280e7baffef60b\u00e9"},
        {**VECTOR, "verify_sign_sha2": 123},
        {**VECTOR, "verify_key": VERIFY_KEY + ","},
        {**VECTOR, "verify_key": VERIFY_KEY + ",store_passwd"},
        {**VECTOR, "tran_id": "\ud800"},
    ],
)
def test_garbage_never_raises(garbage: object) -> None:
    assert verify_ipn_signature(garbage, STORE_PASSWORD) is False  # type: ignore[arg-type]


def test_garbage_password_never_raises() -> None:
    assert verify_ipn_signature(vector(), None) is False  # type: ignore[arg-type]
    assert verify_ipn_signature(vector(), b"test_testemi@ssl") is False  # type: ignore[arg-type]
