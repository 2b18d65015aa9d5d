"""Configure the portal for a city from a JSON file: profile, zones, wards."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import audit
from core.cities import apply_city, read_city
from core.models import CityProfile, Ward, Zone


class Command(BaseCommand):
    help = "Load a city's profile, zones and wards from a JSON file (see core/cities/)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            data = read_city(path)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        with transaction.atomic():
            apply_city(data, CityProfile=CityProfile, Zone=Zone, Ward=Ward)
            Ward.objects.exclude(number__in=[w["number"] for w in data["wards"]]).delete()
            audit.record(action="city.loaded", object_type="core.cityprofile",
                         after={"code": data["code"], "wards": len(data["wards"])})
        self.stdout.write(self.style.SUCCESS(
            f"{data['name_en']}: {len(data['wards'])} wards, {len(data.get('zones', []))} zones."
        ))
