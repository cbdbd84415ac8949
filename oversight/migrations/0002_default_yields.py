"""The documented default yields (oversight/models.py) as rows officials can then change."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    "orange": (Decimal("15000"), Decimal("1")),
    "tea": (Decimal("1000"), Decimal("1")),
    "honey": (Decimal("150"), Decimal("1.4")),
}


def add_defaults(apps, schema_editor):
    ProductKind = apps.get_model("geo", "ProductKind")
    YieldSetting = apps.get_model("oversight", "YieldSetting")
    for kind in ProductKind.objects.filter(code__in=DEFAULTS):
        kg_per_ha, kg_per_litre = DEFAULTS[kind.code]
        YieldSetting.objects.get_or_create(
            product_kind=kind, defaults={"yield_kg_per_ha": kg_per_ha, "kg_per_litre": kg_per_litre}
        )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_audit_cases_yields_inspections"), ("geo", "0002_product_kinds")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
