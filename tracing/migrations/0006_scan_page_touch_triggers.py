"""A change to anything the scan page shows writes a new version of its product, batch or producer row.

The scan page is cached per state of what it shows (tracing/scan_page.py), under a digest that the
statement recording each scan computes from the versions (xmin, ctid) of the rows the page reads.
Reading the versions of every related row (journey, shops, photos, certificates, region, commune,
shop listing) cost the busiest statement six subqueries; instead, these triggers "touch" the parent
row (`UPDATE … SET id = id`, a new version with the same values) when a related row changes, so
the digest only reads the product, batch and producer rows it has already joined:

- a journey step added, changed or removed → its batch; a shop renamed → the batches it is a step of;
- a photo or a certificate link added, changed or removed, a certificate changed → the product;
- a growing region renamed → its products; a commune renamed → its producers.

The shop listing's trigger is marketplace's own (tracing does not know marketplace). Columns the
page does not show (a shop's location, a region's boundary) do not touch anything.
"""

from django.db import migrations

TRIGGERS = """
CREATE FUNCTION tracing_touch_batch_of_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- OLD is NULL on INSERT, NEW on DELETE: IN (NULL, x) touches x.
    UPDATE tracing_batch SET id = id WHERE id IN (OLD.batch_id, NEW.batch_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER tracing_touch_batch_of_event AFTER INSERT OR UPDATE OR DELETE ON tracing_batchevent
    FOR EACH ROW EXECUTE FUNCTION tracing_touch_batch_of_event();

CREATE FUNCTION tracing_touch_batches_of_shop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tracing_batch SET id = id
    WHERE id IN (SELECT batch_id FROM tracing_batchevent WHERE retail_point_id = NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER tracing_touch_batches_of_shop AFTER UPDATE OF name ON geo_retailpoint
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION tracing_touch_batches_of_shop();

CREATE FUNCTION tracing_touch_product_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tracing_product SET id = id WHERE id IN (OLD.product_id, NEW.product_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER tracing_touch_product_of_photo AFTER INSERT OR UPDATE OR DELETE ON tracing_productphoto
    FOR EACH ROW EXECUTE FUNCTION tracing_touch_product_of_row();
CREATE TRIGGER tracing_touch_product_of_certificate_link
    AFTER INSERT OR UPDATE OR DELETE ON tracing_product_certificates
    FOR EACH ROW EXECUTE FUNCTION tracing_touch_product_of_row();

CREATE FUNCTION tracing_touch_products_of_certificate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tracing_product SET id = id
    WHERE id IN (SELECT product_id FROM tracing_product_certificates WHERE certificate_id = NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER tracing_touch_products_of_certificate AFTER UPDATE ON tracing_certificate
    FOR EACH ROW EXECUTE FUNCTION tracing_touch_products_of_certificate();

CREATE FUNCTION tracing_touch_products_of_region() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tracing_product SET id = id WHERE growing_region_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER tracing_touch_products_of_region AFTER UPDATE OF name, name_en ON geo_growingregion
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.name_en IS DISTINCT FROM NEW.name_en)
    EXECUTE FUNCTION tracing_touch_products_of_region();

CREATE FUNCTION tracing_touch_producers_of_commune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tracing_producer SET id = id WHERE commune_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER tracing_touch_producers_of_commune AFTER UPDATE OF name ON geo_adminunit
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION tracing_touch_producers_of_commune();
"""

DROP_TRIGGERS = """
DROP TRIGGER tracing_touch_producers_of_commune ON geo_adminunit;
DROP FUNCTION tracing_touch_producers_of_commune();
DROP TRIGGER tracing_touch_products_of_region ON geo_growingregion;
DROP FUNCTION tracing_touch_products_of_region();
DROP TRIGGER tracing_touch_products_of_certificate ON tracing_certificate;
DROP FUNCTION tracing_touch_products_of_certificate();
DROP TRIGGER tracing_touch_product_of_certificate_link ON tracing_product_certificates;
DROP TRIGGER tracing_touch_product_of_photo ON tracing_productphoto;
DROP FUNCTION tracing_touch_product_of_row();
DROP TRIGGER tracing_touch_batches_of_shop ON geo_retailpoint;
DROP FUNCTION tracing_touch_batches_of_shop();
DROP TRIGGER tracing_touch_batch_of_event ON tracing_batchevent;
DROP FUNCTION tracing_touch_batch_of_event();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0002_product_kinds"),
        ("tracing", "0005_scan_partial_indexes"),
    ]

    operations = [migrations.RunSQL(TRIGGERS, DROP_TRIGGERS)]
