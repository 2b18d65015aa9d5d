"""The stand-in "demo" service is gone: its open bills are cancelled (their dues released,
an audit row each) and its subject table is dropped. Paid demo bills stay as history."""

from django.db import migrations
from django.utils import timezone

REASON = "The demo service was removed; its fake bills are no longer payable."


def cancel_open_demo_bills(apps, schema_editor):
    Bill = apps.get_model("payments", "Bill")
    BillClaim = apps.get_model("payments", "BillClaim")
    AuditLog = apps.get_model("core", "AuditLog")
    now = timezone.now()
    for bill in Bill.objects.filter(service="demo", status="open").order_by("pk"):
        BillClaim.objects.filter(bill=bill, live=True).update(live=False, released_at=now)
        bill.status = "cancelled"
        bill.save(update_fields=["status"])
        AuditLog.objects.create(
            action="bill.cancelled", object_type="payments.bill", object_id=str(bill.pk),
            object_repr=bill.number[:200], before={"status": "open"},
            after={"status": "cancelled"}, reason=REASON)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_seed_kcc"),
        ("payments", "0003_bill_claims"),
    ]

    operations = [
        migrations.RunPython(cancel_open_demo_bills, migrations.RunPython.noop),
        migrations.DeleteModel(name="DemoSubject"),
    ]
