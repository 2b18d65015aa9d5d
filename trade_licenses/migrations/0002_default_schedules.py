from django.db import migrations


def seed(apps, schema_editor):
    from trade_licenses.defaults import ensure_schedule

    for year in range(2022, 2028):
        ensure_schedule(f"{year}-{(year + 1) % 100:02d}",
                        FeeSchedule=apps.get_model("trade_licenses", "FeeSchedule"),
                        BusinessCategory=apps.get_model("trade_licenses", "BusinessCategory"),
                        CapitalBand=apps.get_model("trade_licenses", "CapitalBand"))


class Migration(migrations.Migration):
    dependencies = [("trade_licenses", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
