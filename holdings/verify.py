"""No-dues certificates on the public /verify/<code>/ page (payments.views.receipts): the
lookup is declared in holdings/portal.py, so payments never imports holdings."""

from __future__ import annotations

from django.utils import timezone

from payments.views.receipts import Verified

from .citizen_forms import masked_owner_names
from .models import NoDuesCertificate

TEMPLATE = "holdings/documents/verify_no_dues.html"


def no_dues_lookup(code: str) -> Verified | None:
    """The certificate with this code: valid until the end of its fiscal year; the owners'
    names partly hidden."""
    certificate = (
        NoDuesCertificate.objects.select_related("holding__ward")
        .filter(verify_code=code.strip().lower())
        .first()
    )
    if certificate is None:
        return None
    holding = certificate.holding
    valid = timezone.localdate() <= certificate.valid_until
    return Verified(
        kind="no_dues",
        valid=valid,
        template=TEMPLATE,
        data={
            "certificate": certificate,
            "holding": holding,
            "owners_masked": masked_owner_names(holding),
            "issued_on": timezone.localtime(certificate.issued_at).date(),
            "expired": not valid,
        },
    )
