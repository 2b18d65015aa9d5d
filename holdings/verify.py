"""No-dues certificates on the public /verify/<code>/ page (payments.receipt_views), plugged
in from HoldingsConfig.ready() so that payments never imports holdings. Importing this
module registers the lookup (register_verify_lookup ignores a second registration)."""

from __future__ import annotations

from django.utils import timezone

from payments.receipt_views import Verified, register_verify_lookup

from .citizen_forms import masked_owner_names
from .models import NoDuesCertificate

TEMPLATE = "holdings/documents/verify_no_dues.html"


def no_dues_lookup(code: str) -> Verified | None:
    """The certificate with this code: valid until the end of its fiscal year; the owners'
    names partly hidden."""
    certificate = (NoDuesCertificate.objects.select_related("holding__ward")
                   .filter(verify_code=code.strip().lower()).first())
    if certificate is None:
        return None
    holding = certificate.holding
    valid = timezone.localdate() <= certificate.valid_until
    return Verified(kind="no_dues", valid=valid, template=TEMPLATE, data={
        "certificate": certificate,
        "holding": holding,
        "owners_masked": masked_owner_names(holding),
        "issued_on": timezone.localtime(certificate.issued_at).date(),
        "expired": not valid,
    })


register_verify_lookup(no_dues_lookup)
