"""E-bikes on the public /verify/<code>/ page (payments.views.receipts): the QR code of the
plate sticker and the blue book leads there; it shows the plate, the type, the ward and the
licence's status and validity — nothing about the owner or the drivers. Declared in
ezbike/portal.py, so payments never imports e-bikes."""

from __future__ import annotations

from payments.views.receipts import Verified

from .models import Licence, Vehicle

TEMPLATE = "ezbike/verify.html"


def ebike_lookup(code: str) -> Verified | None:
    code = (code or "").strip().lower()
    if len(code) != 16:
        return None
    vehicle = Vehicle.objects.select_related("ward").filter(verify_code=code).first()
    if vehicle is None:
        return None
    licence = (
        vehicle.licences.filter(status__in=Licence.ISSUED).order_by("-fiscal_year", "-pk").first()
    )
    from django.utils import timezone

    lapsed = bool(
        licence
        and licence.status == Licence.Status.ACTIVE
        and licence.valid_until
        and licence.valid_until < timezone.localdate()
    )
    return Verified(
        kind="ezbike",
        valid=bool(licence and licence.status == Licence.Status.ACTIVE and not lapsed),
        template=TEMPLATE,
        data={"vehicle": vehicle, "licence": licence, "lapsed": lapsed},
    )
