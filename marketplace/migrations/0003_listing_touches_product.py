"""Listing a product in the shop, or taking it off, writes a new version of the product's row.

The scan page shows a "Buy online" button for a product with an active listing, and is cached
under the versions of the product, batch and producer rows (see tracing's migration 0006 and
tracing.services.scans._facts_sql). This trigger touches the product (`UPDATE … SET id = id`)
when a listing is created or deleted, changes product or is switched on or off. Stock changes,
which every order makes, do not touch it: the page does not show stock.
"""

from django.db import migrations

TRIGGERS = """
CREATE FUNCTION marketplace_listing_touch_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- OLD is NULL on INSERT, NEW on DELETE: IN (NULL, x) touches x.
    UPDATE tracing_product SET id = id WHERE id IN (OLD.product_id, NEW.product_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER marketplace_listing_touch_product AFTER INSERT OR DELETE ON marketplace_listing
    FOR EACH ROW EXECUTE FUNCTION marketplace_listing_touch_product();
CREATE TRIGGER marketplace_listing_switched_touch_product AFTER UPDATE OF is_active, product_id ON marketplace_listing
    FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION marketplace_listing_touch_product();
"""

DROP_TRIGGERS = """
DROP TRIGGER marketplace_listing_switched_touch_product ON marketplace_listing;
DROP TRIGGER marketplace_listing_touch_product ON marketplace_listing;
DROP FUNCTION marketplace_listing_touch_product();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0002_retail_stock_location_and_near_index"),
        ("tracing", "0006_scan_page_touch_triggers"),
    ]

    operations = [migrations.RunSQL(TRIGGERS, DROP_TRIGGERS)]
