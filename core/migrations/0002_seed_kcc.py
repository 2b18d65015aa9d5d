from django.db import migrations


def seed(apps, schema_editor):
    from core.cities import HERE, apply_city, read_city

    apply_city(
        read_city(HERE / "kcc.json"),
        CityProfile=apps.get_model("core", "CityProfile"),
        Zone=apps.get_model("core", "Zone"),
        Ward=apps.get_model("core", "Ward"),
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
