"""Default water tariff and register settings, seeded once (officers edit the tariff in the
admin and add a new one, with its own effective date, whenever the rates change).

Sources (../shared/DOMAIN.md, "Water bills"): Dhaka WASA charges Tk 16.70 per 1,000 litres
for residential and Tk 46.20 for commercial connections (Chattogram WASA Tk 18 / Tk 37);
sewerage, where charged, can equal the water charge (100%). Every other figure below is a
plausible *sample* default with no public source for a municipal water module — the late
fee included — and is to be set by the city's own order.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

#: The first tariff seeded: in effect from the start of FY 2024-25.
DEFAULT_EFFECTIVE_FROM = datetime.date(2024, 7, 1)

#: Taka per 1,000 litres (one cubic metre), by connection category. Industrial pays the
#: commercial rate and institutional connections (schools, hospitals, mosques) the
#: residential rate (sample); exempt connections are never charged.
DEFAULT_PRICES: dict[str, Decimal] = {
    "residential": Decimal("16.70"),
    "commercial": Decimal("46.20"),
    "industrial": Decimal("46.20"),
    "institutional": Decimal("16.70"),
    "exempt": Decimal("0.00"),
}

#: Pipe diameters a connection may have, in millimetres (the inch sizes plumbers use:
#: ½″, ¾″, 1″, 1½″, 2″, 3″, 4″).
PIPE_DIAMETERS_MM = [12, 20, 25, 40, 50, 80, 100]

#: Flat monthly charge of an unmetered connection, and the one-time connection fee, by pipe
#: diameter (sample figures: the flat charge is roughly a household's or a business's
#: monthly use at the metered rate for that size of pipe).
DEFAULT_FLAT_MONTHLY: dict[int, Decimal] = {
    12: Decimal("250.00"),
    20: Decimal("500.00"),
    25: Decimal("900.00"),
    40: Decimal("2500.00"),
    50: Decimal("4000.00"),
    80: Decimal("10000.00"),
    100: Decimal("16000.00"),
}
DEFAULT_CONNECTION_FEE: dict[int, Decimal] = {
    12: Decimal("2000.00"),
    20: Decimal("3500.00"),
    25: Decimal("5000.00"),
    40: Decimal("10000.00"),
    50: Decimal("15000.00"),
    80: Decimal("30000.00"),
    100: Decimal("50000.00"),
}

DEFAULT_SETTINGS: dict[str, object] = {
    "minimum_charge": Decimal("100.00"),  # per month, metered connections (sample)
    "sewerage_percent": Decimal("100"),  # of the water charge, where sewerage is connected
    "late_fee_percent": Decimal("10"),  # of the overdue bill, once (sample)
    "late_fee_fixed": Decimal("0.00"),  # plus a fixed amount, once (sample: none)
    "vat_percent": Decimal("0"),  # none unless the city sets it
    "due_days": 15,  # a bill is due 15 days after its date (sample)
    "spike_multiple": Decimal("3"),  # above 3× the average monthly use is flagged
    "average_months": 6,  # the average is over the last 6 months with a reading
    "disconnection_arrears_months": 3,  # 3 unpaid months make a connection disconnectable
    "road_cutting_fee": Decimal("3000.00"),  # sample
    "reconnection_fee": Decimal("1000.00"),  # sample
}

#: A consumer number when the city profile (core/cities/<city>.json, "water_consumer_no")
#: says nothing: ward and a serial within the ward, "07-00123".
DEFAULT_CONSUMER_NO = {
    "format": "{ward:02d}-{serial:05d}",
    "pattern": r"^\d{2}-\d{5}$",
    "example": "07-00123",
}

#: Dials of a meter: 5 digits unless the meter says otherwise (rolls over 99,999 → 0).
DEFAULT_DIAL_DIGITS = 5


def ensure_default_tariff(*, WaterTariff=None, TariffPrice=None, TariffPipe=None):
    """The default tariff (DEFAULT_EFFECTIVE_FROM), created when no tariff exists at all
    (model classes may be passed in by a migration). Returns it, or None when the city
    already has tariffs of its own."""
    if WaterTariff is None:
        from .models import TariffPipe, TariffPrice, WaterTariff
    if WaterTariff.objects.exists():
        return None
    tariff = WaterTariff.objects.create(
        effective_from=DEFAULT_EFFECTIVE_FROM,
        note=(
            "Default: Dhaka WASA's rates per 1,000 litres (residential 16.70, commercial "
            "46.20); the other figures are sample defaults to be set by the city's order."
        ),
        **DEFAULT_SETTINGS,
    )
    TariffPrice.objects.bulk_create(
        [TariffPrice(tariff=tariff, category=c, price=p) for c, p in DEFAULT_PRICES.items()]
    )
    TariffPipe.objects.bulk_create(
        [
            TariffPipe(
                tariff=tariff,
                diameter_mm=d,
                flat_monthly=DEFAULT_FLAT_MONTHLY[d],
                connection_fee=DEFAULT_CONNECTION_FEE[d],
            )
            for d in PIPE_DIAMETERS_MM
        ]
    )
    return tariff
