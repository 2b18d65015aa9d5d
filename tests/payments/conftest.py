"""Payments fixtures: bills, the gateway simulator on the live server, and helpers."""

from __future__ import annotations

import itertools
import time
from datetime import date
from decimal import Decimal

import pytest

from payments.services import LineSpec, bill_issue
from payments.simulator.client import hidden_fields, pay


@pytest.fixture
def gateway(live_server, settings):
    """Point the real client at the simulator on the live server (and callbacks at it)."""
    settings.SITE_URL = live_server.url
    settings.SSLCOMMERZ_BASE_URL = live_server.url + settings.SSLCOMMERZ_SIMULATOR_PATH
    return live_server


_dues = itertools.count(1)


def next_due() -> str:
    """A due no other test bill claims (tests that mean to share a due pass `dues`)."""
    return f"due-{next(_dues)}"


@pytest.fixture
def make_bill():
    def make(
        payer=None,
        amount: str = "1500.00",
        *,
        service: str = "test",
        subject_id: str = "H-1",
        lines: list[LineSpec] | None = None,
        dues: list[str] | None = None,
        **kwargs,
    ):
        lines = lines or [
            LineSpec(
                head="holding_tax",
                amount=Decimal(amount) - Decimal("500.00"),
                description_en="Holding tax",
                description_bn="হোল্ডিং ট্যাক্স",
            ),
            LineSpec(
                head="conservancy",
                amount=Decimal("500.00"),
                description_en="Conservancy",
                description_bn="পরিচ্ছন্নতা",
            ),
        ]
        return bill_issue(
            service=service,
            subject_type="test",
            subject_id=subject_id,
            dues=dues or [next_due()],
            lines=lines,
            fiscal_year_label="2025-26",
            due_date=date(2026, 6, 30),
            payer=payer,
            **kwargs,
        )

    return make


def pay_at_gateway(payment, action: str = "bkash", **switches) -> dict[str, str]:
    """Press a button on the simulator's checkout page; returns the signed return fields."""
    return pay(payment.gateway_url, action, **switches)


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def gateway_pay():
    return pay_at_gateway


@pytest.fixture
def wait_until():
    return wait_for


@pytest.fixture
def signed_return_fields():
    return hidden_fields
