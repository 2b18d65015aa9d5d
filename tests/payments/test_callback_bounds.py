"""The public gateway callbacks are bounded: known fields only, each cut; refused
callbacks counted and logged but not stored in full; a body-size cap, a per-address rate
limit, and NUL characters answered with 400 (never a 500 that loses the event)."""

from __future__ import annotations

import json
import logging

import pytest
import requests
from django.conf import settings
from django.db import transaction

from payments.gateways.sslcommerz import sign_ipn_payload
from payments.models import Payment, PaymentEvent
from payments.services.callbacks import CALLBACK_FIELDS, refused_today
from payments.services.online import create_payment

CALLBACKS = [
    "/payments/sslcommerz/ipn/",
    "/payments/sslcommerz/success/",
    "/payments/sslcommerz/fail/",
    "/payments/sslcommerz/cancel/",
]
IPN = CALLBACKS[0]
SUCCESS = CALLBACKS[1]


@pytest.fixture
def strict_client(client):
    client.raise_request_exception = False  # a server error is an answer, as in production
    return client


@pytest.fixture
def online_payment(db, citizen, make_bill):
    with transaction.atomic():
        return create_payment(
            bills=[make_bill(citizen, "1500.00")], channel=Payment.Channel.ONLINE, payer=citizen
        )


def signed(payment_or_tran_id, **changes) -> dict[str, str]:
    tran_id = getattr(payment_or_tran_id, "tran_id", payment_or_tran_id)
    amount = str(getattr(payment_or_tran_id, "amount", "1500.00"))
    base = {
        "tran_id": tran_id,
        "val_id": "VAL123",
        "amount": amount,
        "currency": "BDT",
        "status": "VALID",
        "store_id": settings.SSLCOMMERZ_STORE_ID,
        "bank_tran_id": "BANK1",
        "risk_level": "0",
        "risk_title": "Safe",
        "value_a": tran_id,
    }
    base.update(changes)
    return sign_ipn_payload(base, settings.SSLCOMMERZ_STORE_PASSWORD)


def payload_size(event: PaymentEvent) -> int:
    return len(json.dumps(event.payload, ensure_ascii=False))


# --- body-size cap -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", CALLBACKS)
def test_ten_megabyte_callback_is_refused_and_not_stored(strict_client, url):
    body = {"tran_id": "P1", "status": "VALID", "value_a": "x" * (10 * 1024 * 1024)}
    response = strict_client.post(url, body)
    assert response.status_code == 413
    assert PaymentEvent.objects.count() == 0
    assert refused_today() == 1


@pytest.mark.django_db
def test_the_cap_is_a_setting_and_a_long_query_string_counts_too(strict_client, settings):
    settings.PAYMENTS_CALLBACK_MAX_BYTES = 2048
    assert strict_client.post(IPN, {"junk": "y" * 3000}).status_code == 413
    assert strict_client.get(SUCCESS + "?junk=" + "y" * 3000).status_code == 413
    assert PaymentEvent.objects.count() == 0
    # Under the cap the callback is handled (a forged IPN: 400, a small record kept).
    assert strict_client.post(IPN, {"junk": "y" * 1000}).status_code == 400
    assert PaymentEvent.objects.count() == 1


# --- only known fields, each cut -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_signed_ipn_with_junk_keeps_known_fields_cut(
    gateway, citizen, make_bill, gateway_pay, wait_until
):
    from payments.services import payment_initiate_online

    payment = payment_initiate_online(bills=[make_bill(citizen, "1500.00")], payer=citizen)
    fields = gateway_pay(payment, "bkash", no_ipn=True)
    assert fields["status"] == "VALID"
    junk = {f"junk_{i}": "j" * 100 for i in range(150)}
    fields.update(junk, emi_description="e" * 5000)  # a known field the signature omits
    response = requests.post(gateway.url + IPN, data=fields, timeout=30)
    assert response.status_code == 200
    assert wait_until(lambda: Payment.objects.get(pk=payment.pk).status == "succeeded")
    event = PaymentEvent.objects.get(payment=payment, kind="ipn")
    stored = event.payload
    assert not any(key.startswith("junk_") for key in stored)
    assert stored["_dropped_fields"] == 150
    assert stored["emi_description"] == "e" * 255 and stored["_cut_fields"] == ["emi_description"]
    assert stored["verify_sign"] == fields["verify_sign"]  # kept whole: the proof
    assert set(stored) - {"_dropped_fields", "_cut_fields"} <= set(CALLBACK_FIELDS)
    assert payload_size(event) < 8 * 1024


@pytest.mark.django_db
def test_signature_is_checked_on_the_raw_values_before_they_are_cut(strict_client, online_payment):
    long_value = "v" * 300  # signed at full length, stored cut to 255
    fields = signed(online_payment, value_b=long_value)
    response = strict_client.post(SUCCESS, fields)
    assert response.status_code == 303
    assert response["Location"].endswith(f"/payments/p/{online_payment.tran_id}/")
    event = PaymentEvent.objects.get(kind="return_success")
    assert event.outcome == "browser returned"  # the signature held on the raw value
    assert event.payload["value_b"] == "v" * 255
    assert event.payload["_cut_fields"] == ["value_b"]
    assert refused_today() == 0


# --- refused callbacks: counted, logged, only a small record ------------------------------


@pytest.mark.django_db
def test_forged_ipn_is_counted_logged_and_kept_small(strict_client, online_payment, caplog):
    fields = signed(online_payment)
    fields["amount"] = "1.00"  # tampered after signing
    fields.update({name: "z" * 250 for name in CALLBACK_FIELDS if name not in fields})
    fields.update({f"junk_{i}": "q" * 50 for i in range(100)})
    with caplog.at_level(logging.WARNING, logger="payments.callbacks"):
        response = strict_client.post(IPN, fields)
    assert response.status_code == 400
    event = PaymentEvent.objects.get(kind="ipn")
    assert event.outcome == "refused: bad signature"
    assert event.tran_id == online_payment.tran_id
    assert set(event.payload) == {
        "tran_id",
        "val_id",
        "status",
        "amount",
        "currency",
        "store_id",
        "_fields",
        "_chars",
    }
    assert event.payload["_fields"] == len(fields)
    assert payload_size(event) < 1024
    assert refused_today() == 1
    assert "bad signature" in caplog.text and online_payment.tran_id in caplog.text
    online_payment.refresh_from_db()
    assert online_payment.status == "initiated"


@pytest.mark.django_db
def test_unknown_tran_id_ipn_and_return_are_counted_and_kept_small(strict_client):
    response = strict_client.post(IPN, signed("NOPE123", risk_title="r" * 200))
    assert response.status_code == 404
    response = strict_client.post(SUCCESS, {"tran_id": "NOPE456", "card_no": "c" * 250})
    assert response.status_code == 302 and response["Location"] == "/"
    events = {e.tran_id: e for e in PaymentEvent.objects.all()}
    assert set(events) == {"NOPE123", "NOPE456"}
    assert all(e.outcome == "refused: unknown tran_id" for e in events.values())
    assert "risk_title" not in events["NOPE123"].payload
    assert "card_no" not in events["NOPE456"].payload
    assert refused_today() == 2


@pytest.mark.django_db
def test_unsigned_return_for_a_known_payment_is_kept_small(strict_client, online_payment):
    response = strict_client.post(
        SUCCESS, {"tran_id": online_payment.tran_id, "status": "VALID", "card_issuer": "i" * 250}
    )
    assert response.status_code == 303  # the payer still sees the honest status page
    event = PaymentEvent.objects.get(kind="return_success")
    assert event.payment == online_payment and event.outcome == "refused: bad signature"
    assert "card_issuer" not in event.payload


# --- NUL characters --------------------------------------------------------------------------


@pytest.mark.django_db
def test_nul_in_an_ipn_field_is_a_400_with_a_trimmed_event(strict_client, online_payment):
    fields = signed(online_payment)
    fields["tran_id"] = online_payment.tran_id + "\x00"
    response = strict_client.post(IPN, fields)
    assert response.status_code == 400
    event = PaymentEvent.objects.get(kind="ipn")
    assert event.outcome == "refused: NUL byte"
    assert event.tran_id == online_payment.tran_id  # the NUL removed
    assert "\x00" not in json.dumps(event.payload)


@pytest.mark.django_db
@pytest.mark.parametrize("url", CALLBACKS[1:])
def test_nul_in_a_return_field_is_a_400_with_a_trimmed_event(strict_client, online_payment, url):
    response = strict_client.post(url, {"tran_id": online_payment.tran_id, "error": "bad\x00value"})
    assert response.status_code == 400
    event = PaymentEvent.objects.get()
    assert event.outcome == "refused: NUL byte" and event.tran_id == online_payment.tran_id


@pytest.mark.django_db
def test_nul_in_a_return_query_is_a_400(strict_client, online_payment):
    response = strict_client.get(SUCCESS + f"?tran_id={online_payment.tran_id}%00")
    assert response.status_code == 400


# --- per-address rate limit -------------------------------------------------------------------


@pytest.mark.django_db
def test_callbacks_are_rate_limited_per_address(strict_client, settings):
    settings.PAYMENTS_CALLBACK_RATE_LIMIT = 5
    codes = [strict_client.post(IPN, {"tran_id": f"X{i}"}).status_code for i in range(8)]
    assert codes == [400] * 5 + [429] * 3
    assert PaymentEvent.objects.count() == 5  # nothing stored once over the limit
    # Another address is not affected.
    other = strict_client.post(IPN, {"tran_id": "Y"}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 400
    # The gateway's own servers are never limited.
    settings.PAYMENTS_CALLBACK_TRUSTED_IPS = ["127.0.0.1"]
    assert strict_client.post(IPN, {"tran_id": "Z"}).status_code == 400


def test_default_rate_limit_leaves_room_for_the_gateway():
    assert settings.PAYMENTS_CALLBACK_RATE_LIMIT >= 300
    assert settings.PAYMENTS_CALLBACK_RATE_WINDOW <= 60
    assert settings.PAYMENTS_CALLBACK_MAX_BYTES >= 16 * 1024
