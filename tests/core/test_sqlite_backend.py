"""The embedded SQLite backend (core.sqlite) reads a computed decimal with its declared
places, as PostgreSQL does: reports and exports print 4250.00, never 4250 or 6217.5."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User

MONEY = DecimalField(max_digits=16, decimal_places=2)


@pytest.mark.django_db
def test_a_sum_of_money_keeps_its_two_places(make_user):
    make_user()
    make_user()
    rows = User.objects.annotate(amount=Value(Decimal("3108.75"), output_field=MONEY))
    total = rows.aggregate(
        total=Coalesce(Sum("amount"), Value(Decimal("0")), output_field=MONEY),
        none=Sum(F("amount") * 0, output_field=MONEY, filter=None),
    )
    assert str(total["total"]) == "6217.50"
    assert str(total["none"]) == "0.00"
    whole = User.objects.aggregate(
        total=Coalesce(
            Sum(Value(Decimal("2125.00"), output_field=MONEY)), Value(0), output_field=MONEY
        )
    )
    assert str(whole["total"]) == "4250.00"
    finer = User.objects.annotate(x=Value(Decimal("1.005"), output_field=MONEY)).values_list(
        "x", flat=True
    )
    assert set(finer) == {Decimal("1.005")}  # places added where missing, never rounded
    if connection.vendor == "sqlite":
        assert type(connection.ops).__module__ == "core.sqlite.base"
