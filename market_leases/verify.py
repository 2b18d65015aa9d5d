"""Allotment letters on the public /verify/<code>/ page (payments.views.receipts): the lookup
is declared in market_leases/portal.py, so payments never imports market shops."""

from __future__ import annotations

from payments.views.receipts import Verified

from .models import Allotment

TEMPLATE = "market_leases/verify_letter.html"


def allotment_letter_lookup(code: str) -> Verified | None:
    """The allotment whose letter carries this code: genuine, the shop, the agreement and
    its status; the lessee's name partly hidden."""
    code = (code or "").strip().lower()
    if len(code) != 16:
        return None
    allotment = (
        Allotment.objects.select_related("shop__market", "lessee").filter(verify_code=code).first()
    )
    if allotment is None:
        return None
    from core.privacy import mask_name

    return Verified(
        kind="allotment_letter",
        valid=True,
        template=TEMPLATE,
        data={
            "allotment": allotment,
            "name_masked": mask_name(allotment.lessee.name_en or allotment.lessee.name_bn),
        },
    )
