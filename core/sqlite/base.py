"""Django's SQLite backend (the embedded default, `make run` and `make test`), with one
change: a computed decimal — a Sum, a Coalesce, an annotation declared as a DecimalField
with decimal places — comes back with at least those places, as a sum of PostgreSQL's
numeric(…, 2) columns does. SQLite computes in floating point and drops trailing zeros, and
Django quantizes only plain columns there, so a sum of 4,250.00 read back as
Decimal("4250") and a report printed "4250" or "6217.5" where PostgreSQL prints "4250.00"
and "6217.50". Only the missing places are written: nothing is rounded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.backends.sqlite3 import base, operations
from django.db.models.expressions import Col


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression: Any) -> Any:
        converter = super().get_decimalfield_converter(expression)
        places = getattr(expression.output_field, "decimal_places", None)
        if isinstance(expression, Col) or places is None:
            return converter
        quantum = Decimal(1).scaleb(-places)

        def padded(value: Any, expression: Any, connection: Any) -> Any:
            value = converter(value, expression, connection)
            if value is None or not value.is_finite() or value.as_tuple().exponent <= -places:
                return value  # never rounded: only the places SQLite dropped are written
            return value.quantize(quantum)

        return padded


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
