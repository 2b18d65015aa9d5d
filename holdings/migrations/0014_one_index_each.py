# One index each on the tables a year's demand writes: the foreign keys' own indexes go where
# a unique index leads with the same column (demand → holding, line → demand, instalment →
# demand), and the LIKE twins of db_index=True on fiscal_year and the statuses go too.
# Nothing is built again over a city's millions of rows: the foreign-key constraints stay
# as they are (only their indexes are dropped), and the plain indexes on fiscal_year and
# the statuses are renamed, not dropped and created (on PostgreSQL; SQLite has no LIKE
# twins and cannot rename an index, so there the small embedded tables are indexed anew).

import django.db.models.deletion
from django.db import migrations, models

#: (table, column, Django's name for the db_index=True index, the name it has now)
RENAMED = [
    ("holdings_arrear", "status", "holdings_arrear_status_ab366879", "arrear_status"),
    (
        "holdings_demand",
        "fiscal_year",
        "holdings_demand_fiscal_year_6e757a4b",
        "demand_fiscal_year",
    ),
    ("holdings_instalment", "status", "holdings_instalment_status_e1722835", "instalment_status"),
]

#: (table, column, index) of the foreign keys' own indexes, dropped
FOREIGN_KEY_INDEXES = [
    ("holdings_demand", "holding_id", "holdings_demand_holding_id_30fb9d5a"),
    ("holdings_demandline", "demand_id", "holdings_demandline_demand_id_1a67f8c4"),
    ("holdings_instalment", "demand_id", "holdings_instalment_demand_id_24d0fd2f"),
]


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, column, old, new in RENAMED:
        if postgres:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{old}_like"')
            schema_editor.execute(f'ALTER INDEX IF EXISTS "{old}" RENAME TO "{new}"')
        else:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{old}"')
            schema_editor.execute(f'CREATE INDEX "{new}" ON "{table}" ("{column}")')
    for _table, _column, index in FOREIGN_KEY_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, column, old, new in RENAMED:
        if postgres:
            schema_editor.execute(f'ALTER INDEX IF EXISTS "{new}" RENAME TO "{old}"')
            schema_editor.execute(
                f'CREATE INDEX "{old}_like" ON "{table}" ("{column}" varchar_pattern_ops)'
            )
        else:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{new}"')
            schema_editor.execute(f'CREATE INDEX "{old}" ON "{table}" ("{column}")')
    for table, column, index in FOREIGN_KEY_INDEXES:
        schema_editor.execute(f'CREATE INDEX "{index}" ON "{table}" ("{column}")')


class Migration(migrations.Migration):
    dependencies = [
        ("holdings", "0013_holding_import_jobs"),
        ("payments", "0013_paper_receipt_books"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="arrear",
                    name="status",
                    field=models.CharField(
                        choices=[("due", "Due"), ("paid", "Paid")], default="due", max_length=5
                    ),
                ),
                migrations.AlterField(
                    model_name="demand",
                    name="fiscal_year",
                    field=models.CharField(max_length=7),
                ),
                migrations.AlterField(
                    model_name="instalment",
                    name="status",
                    field=models.CharField(
                        choices=[("due", "Due"), ("paid", "Paid")], default="due", max_length=5
                    ),
                ),
                migrations.AddIndex(
                    model_name="arrear",
                    index=models.Index(fields=["status"], name="arrear_status"),
                ),
                migrations.AddIndex(
                    model_name="demand",
                    index=models.Index(fields=["fiscal_year"], name="demand_fiscal_year"),
                ),
                migrations.AddIndex(
                    model_name="instalment",
                    index=models.Index(fields=["status"], name="instalment_status"),
                ),
                migrations.AlterField(
                    model_name="demand",
                    name="holding",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="demands",
                        to="holdings.holding",
                    ),
                ),
                migrations.AlterField(
                    model_name="demandline",
                    name="demand",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="holdings.demand",
                    ),
                ),
                migrations.AlterField(
                    model_name="instalment",
                    name="demand",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="instalments",
                        to="holdings.demand",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
