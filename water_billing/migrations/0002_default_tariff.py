"""The default water tariff (water_billing.defaults), when the city has none yet."""

from django.db import migrations


def seed(apps, schema_editor):
    from water_billing.defaults import ensure_default_tariff

    ensure_default_tariff(
        WaterTariff=apps.get_model("water_billing", "WaterTariff"),
        TariffPrice=apps.get_model("water_billing", "TariffPrice"),
        TariffPipe=apps.get_model("water_billing", "TariffPipe"),
    )


class Migration(migrations.Migration):
    dependencies = [("water_billing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
