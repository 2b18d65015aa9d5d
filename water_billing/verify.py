"""Water bills on the public /verify/<code>/ page (payments.views.receipts): the lookup is
declared in water_billing/portal.py, so payments never imports water bills."""

from __future__ import annotations

from payments.views.receipts import Verified

from .models import WaterBill

TEMPLATE = "water_billing/billing/verify_bill.html"


def water_bill_lookup(code: str) -> Verified | None:
    """The month's bill with this code (printed as a QR code on its PDF): genuine, with its
    amount, due date and whether it is paid; the consumer's name partly hidden."""
    code = (code or "").strip().lower()
    if len(code) != 16:
        return None
    bill = WaterBill.objects.select_related("connection__ward").filter(verify_code=code).first()
    if bill is None:
        return None
    from core.privacy import mask_name

    connection = bill.connection
    return Verified(
        kind="water_bill",
        valid=True,
        template=TEMPLATE,
        data={
            "bill": bill,
            "connection": connection,
            "name_masked": mask_name(connection.name_en or connection.name_bn),
            "paid": bill.status == WaterBill.Status.PAID,
        },
    )
