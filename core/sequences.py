"""Numbers per fiscal year without gaps or twins (receipts, licences, certificates)."""

from __future__ import annotations

from django.db import IntegrityError, connection, models, transaction


def next_in_year(counter_model: type[models.Model], fiscal_year: str) -> int:
    """Take the year's next number from `counter_model` (fields `fiscal_year`, unique, and
    `last`). The UPDATE locks the counter row until the caller's transaction commits, so
    concurrent callers queue and none skips or repeats a number."""
    table = counter_model._meta.db_table
    sql = f"UPDATE {table} SET last = last + 1 WHERE fiscal_year = %s RETURNING last"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [fiscal_year])
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    counter_model._default_manager.create(fiscal_year=fiscal_year, last=0)
            except IntegrityError:
                pass  # created concurrently by another caller
            cursor.execute(sql, [fiscal_year])
            row = cursor.fetchone()
    last: int = row[0]
    return last
