"""A small world for the sweeps over every route: one of each thing a path can name, and a user per role.

Built through the services and the apps' factories, in a database whose sequences start again at 1
(the sweep fills every `<int:…>` with 1, the first row of whatever model the route names). The
names of path parameters whose value is not a row id map to real values in `path_values`.
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib.gis.geos import Point
from django.utils import timezone

from backend import roles
from backend.jobs import job_enqueue
from marketplace.models import Cart, Listing
from marketplace.services import checkout_place
from marketplace.services.catalogue import retail_stock_declare
from oversight import services as oversight_services
from tests.conftest import make_user
from tests.geo.pages_data import ensure_product_kinds
from tests.marketplace import factories as shop_factories
from tests.oversight import factories as f
from tests.tracing.conftest import png_bytes, upload, valid_tax_number
from tracing import dl_compression, services

PERSONAS = ("anonymous", "consumer", "producer", "retailer", "official", "admin")


def _sequences_after_existing_rows() -> None:
    """The test's sequences start at 1, but groups, permissions and content types are already there (made after
    each migrate and flush): their sequences go past their rows, as `manage.py sqlsequencereset` sets them."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def build() -> dict:
    """Every persona and one of each record; returns {"users": {persona: user}, "path_values": {...}}."""
    _sequences_after_existing_rows()
    ensure_product_kinds()
    places = f.make_map()
    official = f.make_official("sweep_official")
    admin = make_user("sweep_admin", roles.ADMINISTRATOR, is_staff=True, is_superuser=True)
    consumer = make_user("sweep_consumer", roles.CONSUMER)

    producer = f.make_producer("HTX Cam sành Việt Quang", commune=places["viet_quang_old"], lat=22.41, lng=104.82)
    staff = f.make_staff("sweep_producer", producer)
    product = f.make_product(staff, producer, "orange")
    batch = f.make_batch(staff, product, quantity="50")
    services.product_photo_add(by=staff, product=product, image=upload("p.png", png_bytes()))
    area = f.make_area(staff, producer, name="Vườn đồi", location=Point(104.82, 22.41, srid=4326))
    f.make_certificate(staff, producer, products=[product])
    services.batch_event_add(
        by=staff,
        batch=batch,
        event_type="commissioning",
        occurred_at=timezone.now() - datetime.timedelta(days=29),
        location=Point(104.82, 22.41, srid=4326),
    )
    stamps = f.issue_and_activate(official, staff, batch, 3, issue=5)
    # A second producer that has only applied: the officials' decisions have something to decide.
    applicant = make_user("sweep_applicant", roles.CONSUMER)
    services.producer_apply(
        by=applicant,
        kind="household",
        name="Hộ Giàng A Páo",
        tax_number=valid_tax_number(),
        address="Thôn Tân Thành",
        commune=places["viet_quang_new"],
        location=Point(104.85, 22.70, srid=4326),
        representative="Giàng A Páo",
        phone="0912 345 679",
        email="pao@example.test",
    )

    retailer = make_user("sweep_retailer", roles.RETAILER_STAFF)
    shop = shop_factories.make_shop("Cửa hàng Cam Việt Quang", 22.406, 104.821, staff=[retailer])
    retail_stock_declare(by=retailer, retail_point=shop, items=[(product, True)])
    shop_factories.make_terms(producer, areas=[places["viet_quang_new"]])
    listing = shop_factories.make_listing(product, stock=20, pickup_points=[shop])

    cart = Cart.objects.create(owner=consumer)
    cart.items.create(listing=listing, quantity=2)
    checkout_token = uuid.uuid4()
    order = checkout_place(
        cart=cart,
        buyer=consumer,
        token=checkout_token,
        contact_name="Trần Thị Bình",
        phone="0987654321",
        email="binh@example.test",
        delivery_method="pickup",
        pickup_points={producer.pk: shop},
        commune=None,
        address="",
        payment_method="cod",
    ).orders[0]
    Cart.objects.get_or_create(owner=consumer)[0].items.get_or_create(listing=listing, defaults={"quantity": 1})

    services.scan_record(serial=stamps[0].serial, user_agent="Mozilla/5.0 (Linux; Android 14)")
    services.scan_record(serial=stamps[4].serial)  # never activated: a suspicion flag, and a case
    services.report_create(serial=stamps[1].serial, note="Tem mờ, nghi làm giả", shop="Chợ Hà Giang")
    oversight_services.cases_sync()
    oversight_services.inspection_record(
        by=official, serial=stamps[2].serial, result="conform", note="Đúng lô", retail_point=shop
    )
    job = job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", owner=official, arguments={"n": 2})

    assert Listing.objects.filter(pk=1).exists() and area.pk == 1 and order.pk == 1, "sequences did not start at 1"
    return {
        "users": {
            "anonymous": None,
            "consumer": consumer,
            "producer": staff,
            "retailer": retailer,
            "official": official,
            "admin": admin,
        },
        # Path parameters that are not row ids, by name: real values, so that the sweep reaches the views.
        "path_values": {
            "serial": stamps[0].serial,
            "code": stamps[0].serial,
            "token": order.token,
            "uuid:token": str(checkout_token),
            "uuid:pk": str(job.pk),
            "fmt": "png",
            "uidb64": "MQ",
            "app_label": "tracing",
        },
        # Slugs whose valid values depend on the route (a workflow step).
        "route_values": {
            "marketplace:desk_action": {"action": "confirm"},
            "oversight:decide": {"action": "approve"},
            "oversight:moved_decide": {"action": "approve"},
            # A root segment is the compressed resolver's only when it decompresses as a Digital Link.
            "gs1-compressed": {
                "segment": dl_compression.compress([("01", "08938500000010"), ("21", stamps[0].serial)])
            },
        },
        "stamps": stamps,
        "order": order,
    }
