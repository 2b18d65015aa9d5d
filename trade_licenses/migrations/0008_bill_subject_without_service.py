"""Licence bills named their subject "ট্রেড লাইসেন্স: <business>" / "Trade licence:
<business>", and receipts and the verify page put the service's name before the subject, so
they read "ট্রেড লাইসেন্স: ট্রেড লাইসেন্স: …". The subject is the business alone now; this
takes the prefix off the bills already issued."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

SERVICE = "trade_licenses"
PREFIXES = {
    "subject_label_bn": "ট্রেড লাইসেন্স: ",
    "subject_label_en": "Trade licence: ",
}


def strip_prefix(apps, schema_editor):
    Bill = apps.get_model("payments", "Bill")
    for field, prefix in PREFIXES.items():
        Bill.objects.filter(service=SERVICE, **{f"{field}__startswith": prefix}).update(
            **{field: Substr(F(field), len(prefix) + 1, Length(F(field)))}
        )


def add_prefix(apps, schema_editor):
    Bill = apps.get_model("payments", "Bill")
    for field, prefix in PREFIXES.items():
        Bill.objects.filter(service=SERVICE).exclude(**{f"{field}__startswith": prefix}).exclude(
            **{field: ""}
        ).update(**{field: Concat(Value(prefix), F(field))})


class Migration(migrations.Migration):
    dependencies = [
        ("trade_licenses", "0007_application_trader_parents_and_addresses"),
        ("payments", "0006_bill_line_period_arrears"),
    ]

    operations = [migrations.RunPython(strip_prefix, add_prefix)]
