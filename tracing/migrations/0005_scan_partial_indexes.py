"""Most scans share no location: the scan table's location and province indexes leave those rows out.

Recording a scan (the busiest write) then maintains two indexes fewer. The partial GiST index is
created in SQL because Django's PostGIS schema editor drops the condition of a spatial index; the
model state gets the same index through state_operations.
"""

import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0002_product_kinds"),
        ("tracing", "0004_scan_stamp_index_covered_by_stamp_time"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scan",
            name="province",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="geo.adminunit",
            ),
        ),
        migrations.AddIndex(
            model_name="scan",
            index=models.Index(
                condition=models.Q(("province__isnull", False)), fields=["province"], name="scan_province_idx"
            ),
        ),
        migrations.AlterField(
            model_name="scan",
            name="location",
            field=django.contrib.gis.db.models.fields.PointField(
                blank=True, geography=True, null=True, spatial_index=False, srid=4326, verbose_name="shared location"
            ),
        ),
        migrations.RunSQL(
            sql='CREATE INDEX "scan_location_gist" ON "tracing_scan" USING gist ("location") WHERE "location" IS NOT NULL',
            reverse_sql='DROP INDEX "scan_location_gist"',
            state_operations=[
                migrations.AddIndex(
                    model_name="scan",
                    index=django.contrib.postgres.indexes.GistIndex(
                        condition=models.Q(("location__isnull", False)), fields=["location"], name="scan_location_gist"
                    ),
                )
            ],
        ),
    ]
