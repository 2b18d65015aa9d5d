"""Claims for the licence bills issued before bills claimed their dues: an open or paid
bill of a new or renewal application claims the business's licence year, a transfer's its
transfer. Where two live bills claim one year, the paid one (else the newest) keeps it
and an open loser is cancelled."""

from django.db import migrations
from django.utils import timezone


def claim(apps, schema_editor):
    Bill = apps.get_model("payments", "Bill")
    BillClaim = apps.get_model("payments", "BillClaim")
    Application = apps.get_model("trade_licenses", "Application")
    kinds = {}
    for app in Application.objects.all().iterator():
        if app.kind == "transfer":
            kinds[str(app.pk)] = f"trade_licenses:transfer:{app.pk}"
        else:
            kinds[str(app.pk)] = (f"trade_licenses:licence-year:{app.business_id}:"
                                  f"{app.fiscal_year}")
    bills = Bill.objects.filter(service="trade_licenses", status__in=("open", "paid"),
                                claims__isnull=True).order_by("-paid_at", "-created_at", "-pk")
    taken: set[str] = set()
    now = timezone.now()
    for bill in sorted(bills, key=lambda b: b.status != "paid"):
        due = kinds.get(bill.subject_id)
        if due is None:
            continue
        live = due not in taken
        if not live and bill.status == "open":
            bill.status = "cancelled"
            bill.save(update_fields=["status"])
        BillClaim.objects.create(bill=bill, due=due, live=live,
                                 released_at=None if live else now)
        taken.add(due)


class Migration(migrations.Migration):
    dependencies = [
        ("trade_licenses", "0003_licence_withdrawn_reason"),
        ("payments", "0003_bill_claims"),
    ]

    operations = [migrations.RunPython(claim, migrations.RunPython.noop)]
