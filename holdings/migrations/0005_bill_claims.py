"""Claims for the holding-tax bills issued before bills claimed their dues: each open or
paid bill claims its instalments and arrears (and an arrear the unpaid instalments of its
year). Where two live bills claim one due, the paid one (else the newest) keeps it; an
open loser is cancelled, a paid loser keeps a released claim (check_ledger names it)."""

from django.db import migrations
from django.utils import timezone


def claim(apps, schema_editor):
    Bill = apps.get_model("payments", "Bill")
    BillClaim = apps.get_model("payments", "BillClaim")
    Item = apps.get_model("holdings", "HoldingBillItem")
    Instalment = apps.get_model("holdings", "Instalment")
    dues_by_bill: dict[int, set[str]] = {}
    for item in Item.objects.all().iterator():
        dues = dues_by_bill.setdefault(item.bill_id, set())
        if item.instalment_id:
            dues.add(f"holdings:instalment:{item.instalment_id}")
        if item.arrear_id:
            dues.add(f"holdings:arrear:{item.arrear_id}")
            for inst in Instalment.objects.filter(demand__arrear=item.arrear_id):
                if inst.status == "due" or inst.paid_bill_id == item.bill_id:
                    dues.add(f"holdings:instalment:{inst.pk}")
    bills = Bill.objects.filter(pk__in=dues_by_bill).exclude(
        claims__isnull=False).order_by("-paid_at", "-created_at", "-pk")
    paid_first = sorted(bills, key=lambda b: b.status != "paid")
    taken: set[str] = set()
    now = timezone.now()
    for bill in paid_first:
        dues = dues_by_bill[bill.pk]
        live = bill.status in ("open", "paid") and not (dues & taken)
        if bill.status == "open" and not live:
            bill.status = "cancelled"
            bill.save(update_fields=["status"])
        BillClaim.objects.bulk_create([
            BillClaim(bill=bill, due=due, live=live, released_at=None if live else now)
            for due in sorted(dues)])
        if live:
            taken |= dues


class Migration(migrations.Migration):
    dependencies = [
        ("holdings", "0004_demandrun_one_live_demand_run_per_year"),
        ("payments", "0003_bill_claims"),
    ]

    operations = [migrations.RunPython(claim, migrations.RunPython.noop)]
