# One index each on the tables a year's demand writes: the foreign keys' own indexes go where
# a unique index leads with the same column (demand → holding, line → demand, instalment →
# demand), and the LIKE twins of db_index=True on fiscal_year and the statuses go too.
# The foreign keys only lose their index (the constraints are kept as they are, not dropped
# and validated again over every row).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("holdings", "0013_holding_import_jobs"),
        ("payments", "0013_paper_receipt_books"),
    ]

    operations = [
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
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "holdings_demand_holding_id_30fb9d5a"',
                    reverse_sql='CREATE INDEX "holdings_demand_holding_id_30fb9d5a" ON "holdings_demand" ("holding_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "holdings_demandline_demand_id_1a67f8c4"',
                    reverse_sql='CREATE INDEX "holdings_demandline_demand_id_1a67f8c4" ON "holdings_demandline" ("demand_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "holdings_instalment_demand_id_24d0fd2f"',
                    reverse_sql='CREATE INDEX "holdings_instalment_demand_id_24d0fd2f" ON "holdings_instalment" ("demand_id")',
                ),
            ],
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
    ]
