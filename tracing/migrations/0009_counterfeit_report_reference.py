"""Counterfeit reports get a reference number ("HG-2026-7KQ3MZ") the reporter can quote."""

import secrets

from django.db import migrations, models

import tracing.models.stamps

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def give_references(apps, schema_editor):
    CounterfeitReport = apps.get_model("tracing", "CounterfeitReport")
    taken = set()
    for report in CounterfeitReport.objects.filter(reference__isnull=True).only("pk", "created_at"):
        while True:
            reference = f"HG-{report.created_at.year}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))
            if reference not in taken:
                break
        taken.add(reference)
        CounterfeitReport.objects.filter(pk=report.pk).update(reference=reference)


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0008_producer_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="counterfeitreport",
            name="reference",
            field=models.CharField(editable=False, max_length=20, null=True, verbose_name="reference number"),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="counterfeitreport",
            name="reference",
            field=models.CharField(
                default=tracing.models.stamps.new_report_reference,
                editable=False,
                max_length=20,
                unique=True,
                verbose_name="reference number",
            ),
        ),
    ]
