"""Stock rows carry their shop's location, kept equal by the database, and a GiST index over (product, location).

The locator's "genuine, in stock" search for a product then walks only that product's genuine,
in-stock rows by distance (about a dozen index entries) instead of every shop around the point
(about 40 times more, since few shops carry a given product). The copy is written by triggers only:
- before a stock row is inserted or updated (any column: Django saves whole rows), its location is
  read from its shop;
- after a shop's location changes, its stock rows are updated (which runs the first trigger again,
  reading the same new location).
The backfill runs after the triggers exist (CREATE TRIGGER locks geo_retailpoint against writes until
this migration commits), so no move can slip between the two.
"""

import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION marketplace_retailstock_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT p.location INTO NEW.location FROM geo_retailpoint p WHERE p.id = NEW.retail_point_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER marketplace_retailstock_location BEFORE INSERT OR UPDATE ON marketplace_retailstock
    FOR EACH ROW EXECUTE FUNCTION marketplace_retailstock_location();

CREATE FUNCTION marketplace_retailpoint_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE marketplace_retailstock SET location = NEW.location WHERE retail_point_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER marketplace_retailpoint_moved AFTER UPDATE OF location ON geo_retailpoint
    FOR EACH ROW WHEN (ST_AsBinary(OLD.location) IS DISTINCT FROM ST_AsBinary(NEW.location))
    EXECUTE FUNCTION marketplace_retailpoint_moved();

UPDATE marketplace_retailstock s SET location = p.location FROM geo_retailpoint p WHERE p.id = s.retail_point_id;
"""

DROP_TRIGGERS = """
DROP TRIGGER marketplace_retailpoint_moved ON geo_retailpoint;
DROP FUNCTION marketplace_retailpoint_moved();
DROP TRIGGER marketplace_retailstock_location ON marketplace_retailstock;
DROP FUNCTION marketplace_retailstock_location();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0002_product_kinds"),
        ("marketplace", "0001_listings_carts_orders_retail_stock"),
    ]

    operations = [
        BtreeGistExtension(),  # the GiST operator class of the product column
        migrations.AddField(
            model_name="retailstock",
            name="location",
            field=django.contrib.gis.db.models.fields.PointField(
                editable=False, geography=True, null=True, spatial_index=False, srid=4326
            ),
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.AlterField(
            model_name="retailstock",
            name="location",
            field=django.contrib.gis.db.models.fields.PointField(
                editable=False, geography=True, spatial_index=False, srid=4326
            ),
        ),
        migrations.AddIndex(
            model_name="retailstock",
            index=django.contrib.postgres.indexes.GistIndex(
                condition=models.Q(("authorised", True), ("in_stock", True)),
                fields=["product", "location"],
                name="retailstock_near_idx",
            ),
        ),
    ]
