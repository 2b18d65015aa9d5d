"""Configure the portal for a city from a JSON file: profile, zones, wards."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from core import audit
from core.cities import apply_city, read_city
from core.models import CityProfile, Ward, Zone


class Command(BaseCommand):
    help = "Load a city's profile, zones and wards from a JSON file (see core/cities/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            data = read_city(path)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        with transaction.atomic():
            apply_city(data, CityProfile=CityProfile, Zone=Zone, Ward=Ward)
            in_use: list[int] = []
            kinds: set[str] = set()
            dropped = Ward.objects.exclude(number__in=[w["number"] for w in data["wards"]])
            for ward in dropped.order_by("number"):
                try:
                    with transaction.atomic():
                        ward.delete()
                except (ProtectedError, RestrictedError) as exc:
                    in_use.append(ward.number)
                    blocking = (
                        exc.protected_objects
                        if isinstance(exc, ProtectedError)
                        else exc.restricted_objects
                    )
                    kinds.update(str(o._meta.verbose_name_plural) for o in blocking)
            if in_use:
                # Bills, holdings, … still point at these wards: refuse; leaving the outer
                # transaction with an error rolls back everything this command did.
                raise CommandError(
                    f"{path} leaves out ward(s) {', '.join(map(str, in_use))} that are still "
                    f"in use (referred to by: {', '.join(sorted(kinds))}). Nothing was "
                    "changed: keep these wards in the file, or move what refers to them first."
                )
            audit.record(
                action="city.loaded",
                object_type="core.cityprofile",
                after={"code": data["code"], "wards": len(data["wards"])},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{data['name_en']}: {len(data['wards'])} wards, "
                f"{len(data.get('zones', []))} zones."
            )
        )
