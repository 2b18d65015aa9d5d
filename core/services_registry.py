"""The services the portal offers, shown on the home page; a service with pages names
their URLs (by name, so core imports no service app)."""

from django.utils.translation import gettext_lazy as _

SERVICES = [
    {"key": "holdings", "title": _("Holding tax"), "url_name": "my_holdings",
     "public_url_name": "holding_quick_pay", "public_link": _("Quick pay without an account"),
     "text": _("See and pay your holding tax, with rebate for early payment. "
               "Relatives abroad can pay by ward and holding number.")},
    {"key": "trade_licenses", "title": _("Trade licence"), "url_name": "my_licences",
     "text": _("Apply from home, upload documents, follow the application and renew "
               "for the next fiscal year in one step.")},
    {"key": "water_billing", "title": _("Water bills"),
     "text": _("Monthly water bills from meter readings, paid online or at the counter.")},
    {"key": "market_leases", "title": _("Market shops and leases"),
     "text": _("Shop rent for corporation markets, and leases of haats, bazars and ghats.")},
    {"key": "ezbike", "title": _("E-bike registration"),
     "text": _("Register a battery-run e-bike, renew each year, get the digital number "
               "plate and RFID card.")},
]
