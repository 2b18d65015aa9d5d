"""The default lease rules (market_leases.defaults), when the city has none yet."""

from django.db import migrations


def seed(apps, schema_editor):
    from market_leases.defaults import ensure_default_rules

    ensure_default_rules(LeaseRules=apps.get_model("market_leases", "LeaseRules"))


class Migration(migrations.Migration):
    dependencies = [("market_leases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
