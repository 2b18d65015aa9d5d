from django.db import migrations


def seed(apps, schema_editor):
    from holdings.defaults import ensure_schedule

    for year in range(2022, 2028):
        ensure_schedule(f"{year}-{(year + 1) % 100:02d}",
                        RateSchedule=apps.get_model("holdings", "RateSchedule"),
                        RateHead=apps.get_model("holdings", "RateHead"),
                        RebateGrade=apps.get_model("holdings", "RebateGrade"))


class Migration(migrations.Migration):
    dependencies = [("holdings", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
