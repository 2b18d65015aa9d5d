"""City configurations: a city is data (profile, zones, wards), never code.

`kcc.json` is seeded by a migration; another city is loaded with
`manage.py load_city core/cities/gazipur.json` (or a file of its own). The grouping of
wards into zones in these files is a default to be corrected in the admin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def read_city(path: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    for key in ("code", "name_bn", "name_en", "wards"):
        if key not in data:
            raise ValueError(f"city file lacks '{key}'")
    return data


def apply_city(data: dict[str, Any], *, CityProfile: Any, Zone: Any, Ward: Any) -> None:
    """Create or update the profile, zones and wards; model classes are passed in so a
    migration can use its historical models."""
    profile = CityProfile.objects.order_by("pk").first() or CityProfile()
    for key in ("code", "name_bn", "name_en", "address_bn", "address_en"):
        setattr(profile, key, data.get(key, ""))
    for key in ("holding_tax_name_bn", "holding_tax_name_en"):  # else the model's default
        if data.get(key):
            setattr(profile, key, data[key])
    profile.save()
    zone_of_ward = {}
    for z in data.get("zones", []):
        zone, _ = Zone.objects.update_or_create(
            number=z["number"], defaults={"name_bn": z["name_bn"], "name_en": z["name_en"]}
        )
        for number in z.get("wards", []):
            zone_of_ward[number] = zone
    for w in data["wards"]:
        Ward.objects.update_or_create(
            number=w["number"],
            defaults={
                "name_bn": w["name_bn"],
                "name_en": w["name_en"],
                "zone": zone_of_ward.get(w["number"]),
            },
        )
