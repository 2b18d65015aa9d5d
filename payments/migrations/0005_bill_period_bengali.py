"""Bills say their period in Bengali too; existing bills get it from their English period
("FY 2026-27 Q1", "arrears FY 2025-26", "FY 2026-27 (renews …)"), which the services wrote
in these shapes only."""

import re

from django.db import migrations, models

BN = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
SHAPES = [
    (re.compile(r"FY (\d{4}-\d{2}) Q(\d)"), lambda m: f"অর্থবছর {m[1]} কিস্তি {m[2]}"),
    (re.compile(r"arrears FY (\d{4}-\d{2})"), lambda m: f"অর্থবছর {m[1]}-এর বকেয়া"),
    (re.compile(r"FY (\d{4}-\d{2}) \(renews (.+)\)"), lambda m: f"অর্থবছর {m[1]} ({m[2]} নবায়ন)"),
    (re.compile(r"FY (\d{4}-\d{2})"), lambda m: f"অর্থবছর {m[1]}"),
]


def in_bengali(part: str) -> str | None:
    for shape, say in SHAPES:
        match = shape.fullmatch(part)
        if match:
            text = say(match)
            renews = re.search(r"\((.+) নবায়ন\)$", text)
            head = text[: renews.start()] if renews else text
            return head.translate(BN) + (text[renews.start() :] if renews else "")
    return None


def fill(apps, schema_editor):
    Bill = apps.get_model("payments", "Bill")
    for bill in Bill.objects.exclude(period_label="").filter(period_label_bn="").iterator():
        parts = [in_bengali(p) for p in bill.period_label.split(", ")]
        if all(parts):
            bill.period_label_bn = ", ".join(parts)[:200]
            bill.save(update_fields=["period_label_bn"])


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_remove_demo_service"),
    ]

    operations = [
        migrations.AddField(
            model_name="bill",
            name="period_label_bn",
            field=models.CharField(blank=True, max_length=200, verbose_name="period (Bengali)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
