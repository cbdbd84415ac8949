from django.db import migrations

KINDS = [
    ("tea", "Chè Shan tuyết", "Shan tuyết tea", "#2e7d32"),
    ("orange", "Cam sành", "Cam sành orange", "#ef6c00"),
    ("honey", "Mật ong bạc hà", "Mint honey", "#c49000"),
]


def create(apps, schema_editor):
    ProductKind = apps.get_model("geo", "ProductKind")
    for code, name_vi, name_en, colour in KINDS:
        ProductKind.objects.update_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en, "colour": colour}
        )


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
