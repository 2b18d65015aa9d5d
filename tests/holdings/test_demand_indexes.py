"""The tables a year's demand writes (a row per holding in demand, three lines and four
instalments) and a month's water bills carry one index per purpose: every index is upkeep
on each of the millions of rows a run inserts. No foreign key keeps an index of its own
where a unique index leads with the same column, and no column has the LIKE twin that
``db_index=True`` adds on PostgreSQL (nothing searches these columns by prefix)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BULK_TABLES = [
    "holdings_demand",
    "holdings_demandline",
    "holdings_instalment",
    "holdings_arrear",
    "water_billing_waterbill",
    "water_billing_waterbillline",
]


def indexes(table: str) -> list[tuple[str, list[str], bool, bool, str]]:
    """(name, columns, unique, partial, definition) of each index of `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname,
                   array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n
                         ORDER BY k.o),
                   x.indisunique, x.indpred IS NOT NULL, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = %s
            """,
            [table],
        )
        return [
            (name, list(cols), unique, partial, sql) for name, cols, unique, partial, sql in cursor
        ]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own indexes")


@pytest.mark.parametrize("table", BULK_TABLES)
def test_no_index_is_shadowed_or_doubled(table):
    found = indexes(table)
    assert found, table
    assert not [name for name, _, _, _, sql in found if "pattern_ops" in sql]
    shadowed = [
        (name, other)
        for name, cols, unique, _, _ in found
        if not unique
        for other, other_cols, other_unique, other_partial, _ in found
        if other != name
        and other_unique
        and not other_partial
        and other_cols[: len(cols)] == cols
        and len(other_cols) > len(cols)
    ]
    assert shadowed == []


def test_the_demand_tables_keep_the_indexes_their_queries_use():
    columns = {
        table: sorted(tuple(cols) for _, cols, _, _, _ in indexes(table))
        for table in ("holdings_demand", "holdings_demandline", "holdings_instalment")
    }
    assert columns == {
        "holdings_demand": [
            ("assessment_id",),
            ("fiscal_year",),
            ("holding_id", "fiscal_year"),
            ("id",),
            ("schedule_id",),
        ],
        "holdings_demandline": [("demand_id", "head"), ("id",)],
        "holdings_instalment": [("demand_id", "quarter"), ("id",), ("paid_bill_id",), ("status",)],
    }
