"""The embedded SQLite backend (core.sqlite) reads a computed decimal with its declared
places, as PostgreSQL does: reports and exports print 4250.00, never 4250 or 6217.5."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Case, DecimalField, F, Sum, Value, When
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


@pytest.mark.django_db
def test_amounts_that_cancel_out_sum_to_the_paisa(make_user):
    """SQLite adds in floating point: 15,884.14 + 500.01 − 15,884.14 came back as
    500.009999999998, so a total never equalled the same money counted another way."""
    first, second, third = make_user(), make_user(), make_user()
    amounts = {first.pk: "15884.14", second.pk: "500.01", third.pk: "-15884.14"}
    rows = User.objects.filter(pk__in=amounts).annotate(
        amount=Case(
            *(When(pk=pk, then=Value(Decimal(a))) for pk, a in amounts.items()),
            output_field=MONEY,
        )
    )
    total = rows.order_by("pk").aggregate(total=Sum("amount"))["total"]
    assert total == Decimal("500.01")
    assert str(total) == "500.01"
