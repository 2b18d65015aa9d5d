"""Django's SQLite backend (the embedded default, `make run` and `make test`), with one
change: a computed decimal — a Sum, a Coalesce, an annotation declared as a DecimalField
with decimal places — comes back with at least those places, as a sum of PostgreSQL's
numeric(…, 2) columns does. SQLite computes in floating point and drops trailing zeros, and
Django quantizes only plain columns there, so a sum of 4,250.00 read back as
Decimal("4250") and a report printed "4250" or "6217.5" where PostgreSQL prints "4250.00"
and "6217.50". The same floating point leaves noise far beyond those places when amounts
cancel out (15,884.14 + 500.01 − 15,884.14 read back as 500.009999999998, never equal to
500.01): a value within NOISE of its declared places is read at them. A value with real
places of its own (1.005 declared with two) is kept as it is: nothing else is rounded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.backends.sqlite3 import base, operations
from django.db.models.expressions import Col

#: How far below its last declared place a computed decimal may differ from it and still be
#: floating-point noise (a ten-thousandth of a paisa for money): SQLite's floats carry 15
#: significant digits, so sums of money up to about a billion taka stay well inside it.
NOISE = Decimal("1e-4")


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression: Any) -> Any:
        converter = super().get_decimalfield_converter(expression)
        places = getattr(expression.output_field, "decimal_places", None)
        if isinstance(expression, Col) or places is None:
            return converter
        quantum = Decimal(1).scaleb(-places)
        noise = quantum * NOISE

        def padded(value: Any, expression: Any, connection: Any) -> Any:
            value = converter(value, expression, connection)
            if value is None or not value.is_finite():
                return value
            at_places = value.quantize(quantum)
            if value.as_tuple().exponent > -places or abs(value - at_places) < noise:
                return at_places  # the places SQLite dropped, or its floating-point noise
            return value  # places of its own: never rounded

        return padded


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
