"""Trade licences on the public /verify/<code>/ page (payments.receipt_views), plugged in
from TradeLicensesConfig.ready() so that payments never imports trade licences. Importing
this module registers the lookup (register_verify_lookup ignores a second registration)."""

from __future__ import annotations

from django.utils import timezone

from payments.receipt_views import Verified, register_verify_lookup

from .certificates import category_names, is_valid
from .models import Licence

TEMPLATE = "trade_licenses/verify_licence.html"


def licence_lookup(code: str) -> Verified | None:
    """The licence with this code: valid while current and up to 30 June of its fiscal
    year, expired after (or when a transfer replaced it); unknown codes are not ours."""
    licence = (Licence.objects.select_related("business__ward", "application")
               .filter(verify_code=code.strip().lower()).first())
    if licence is None:
        return None
    valid = is_valid(licence)
    business = licence.business
    return Verified(kind="trade_licence", valid=valid, template=TEMPLATE, data={
        "licence": licence,
        "business": business,
        "category": category_names(licence.application.category_code
                                   or business.category_code, licence.fiscal_year),
        "issued_on": timezone.localtime(licence.issued_at).date(),
        "expired": not valid,
        "replaced": not licence.is_current and not licence.withdrawn_reason,
        "withdrawn": bool(licence.withdrawn_reason),
    })


register_verify_lookup(licence_lookup)
