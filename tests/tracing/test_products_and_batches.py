"""Products (GTIN, region, certificates), batches (lot codes, template, quantity floor) and the journey's order."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from geo.models import RetailPoint
from tests.tracing.conftest import BAC_QUANG, png_bytes, upload
from tracing import services
from tracing.gs1 import gtin_check_digit
from tracing.lots import suggest_next_lot_code
from tracing.models import Batch, Product

NOW = timezone.now
TODAY = timezone.localdate


# --- Products ------------------------------------------------------------------------------------


@given(body=st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_a_gtin13_with_its_check_digit_validates_and_any_other_last_digit_does_not(body):
    from tracing.gs1 import gtin_is_valid, gtin_to_14

    good = body + gtin_check_digit(body)
    assert gtin_is_valid(good) and gtin_to_14(good) == "0" + good
    for digit in "0123456789":
        if digit != good[-1]:
            assert not gtin_is_valid(body + digit)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("8934563138165", "08934563138165"), ("96385074", "00000096385074"), ("036000291452", "00036000291452")],
    ids=["gtin13", "gtin8", "gtin12"],
)
def test_a_product_gtin_is_stored_as_gtin14(typed, stored, approved_producer, owner, kinds):
    product = services.product_create(
        by=owner, producer=approved_producer, kind=kinds["tea"], name_vi="Chè", net_quantity=1, gtin=typed
    )
    assert product.gtin == stored


@pytest.mark.parametrize("typed", ["8934563138161", "12345", "89345631381a0"])
def test_a_wrong_gtin_is_refused_naming_the_field(typed, approved_producer, owner, kinds):
    with pytest.raises(ValidationError) as error:
        services.product_create(
            by=owner, producer=approved_producer, kind=kinds["tea"], name_vi="Chè", net_quantity=1, gtin=typed
        )
    assert "gtin" in error.value.message_dict


def test_two_products_cannot_share_a_gtin(product, owner, kinds):
    services.product_update(by=owner, product=product, gtin="8934563138165")
    with pytest.raises(ValidationError) as error:
        services.product_create(
            by=owner,
            producer=product.producer,
            kind=kinds["orange"],
            name_vi="Cam",
            net_quantity=1,
            gtin="8934563138165",
        )
    assert "gtin" in error.value.message_dict


def test_a_product_region_must_grow_its_kind(approved_producer, owner, kinds, tea_region):
    with pytest.raises(ValidationError) as error:
        services.product_create(
            by=owner,
            producer=approved_producer,
            kind=kinds["orange"],
            name_vi="Cam",
            net_quantity=1,
            growing_region=tea_region,
        )
    assert "growing_region" in error.value.message_dict


def test_a_product_relies_only_on_its_own_producers_certificates(product, owner, stranger, other_producer):
    foreign = services.certificate_add(
        by=stranger, producer=other_producer, scheme="organic", number="ORG-1", issuer="x", valid_from=TODAY()
    )
    with pytest.raises(ValidationError) as error:
        services.product_update(by=owner, product=product, certificates=[foreign])
    assert "certificates" in error.value.message_dict


def test_only_active_products_of_approved_producers_are_public(product, owner, official):
    assert Product.objects.public().filter(pk=product.pk).exists()
    services.product_update(by=owner, product=product, is_active=False)
    assert not Product.objects.public().filter(pk=product.pk).exists()
    services.product_update(by=owner, product=product, is_active=True)
    services.producer_suspend(by=official, producer=product.producer, reason="Kiểm tra lại.")
    assert not Product.objects.public().filter(pk=product.pk).exists()


def test_another_producers_staff_cannot_change_a_product(product, stranger):
    with pytest.raises(PermissionDenied):
        services.product_update(by=stranger, product=product, name_vi="Cam giả")
    with pytest.raises(PermissionDenied):
        services.product_photo_add(by=stranger, product=product, image=upload("p.png", png_bytes()))


# --- Batches -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "expected"),
    [("CAM-2025-07", "CAM-2025-08"), ("LO09", "LO10"), ("L099", "L100"), ("CHE", "CHE-2"), ("A1B", "A2B")],
)
def test_the_next_lot_code_increases_the_last_number(previous, expected):
    assert suggest_next_lot_code(previous) == expected


def test_the_next_lot_code_skips_codes_already_used():
    assert suggest_next_lot_code("CAM-07", {"CAM-08", "CAM-09"}) == "CAM-10"


def test_a_batch_is_created_from_the_previous_one_as_a_template(batch, owner):
    area = services.production_area_add(by=owner, producer=batch.producer, name="Vườn", location=BAC_QUANG)
    services.batch_update(by=owner, batch=batch, production_area=area)
    batch.refresh_from_db()
    new = services.batch_create_from_previous(by=owner, previous=batch, harvest_started_on=TODAY())
    assert new.lot_code == "CAM-2025-02"
    assert (new.product, new.unit, new.production_area, new.quantity) == (
        batch.product,
        batch.unit,
        area,
        batch.quantity,
    )


def test_a_lot_code_is_unique_per_producer_but_not_across_producers(batch, owner, stranger, other_producer, kinds):
    with pytest.raises(ValidationError) as error:
        services.batch_create(
            by=owner, product=batch.product, lot_code=batch.lot_code, harvest_started_on=TODAY(), quantity=1
        )
    assert "lot_code" in error.value.message_dict
    tea = services.product_create(
        by=stranger, producer=other_producer, kind=kinds["tea"], name_vi="Chè", net_quantity=1
    )
    services.batch_create(by=stranger, product=tea, lot_code=batch.lot_code, harvest_started_on=TODAY(), quantity=1)


@pytest.mark.parametrize("lot_code", ["", "LÔ-1", "A" * 21, "CAM 07"])
def test_a_lot_code_must_fit_a_gs1_lot(lot_code, product, owner):
    with pytest.raises(ValidationError) as error:
        services.batch_create(by=owner, product=product, lot_code=lot_code, harvest_started_on=TODAY(), quantity=1)
    assert "lot_code" in error.value.message_dict


def test_a_harvest_cannot_be_in_the_future_or_end_before_it_starts(product, owner):
    with pytest.raises(ValidationError) as error:
        services.batch_create(
            by=owner,
            product=product,
            lot_code="X1",
            harvest_started_on=TODAY() + datetime.timedelta(days=1),
            quantity=1,
        )
    assert "harvest_started_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.batch_create(
            by=owner,
            product=product,
            lot_code="X1",
            harvest_started_on=TODAY(),
            harvest_ended_on=TODAY() - datetime.timedelta(days=1),
            quantity=1,
        )
    assert "harvest_ended_on" in error.value.message_dict


def test_the_quantity_never_drops_below_what_is_already_stamped_or_sold(batch, owner):
    with mock.patch.object(Batch, "units_committed", return_value=Decimal(300)):
        with pytest.raises(ValidationError) as error:
            services.batch_update(by=owner, batch=batch, quantity=Decimal(299))
        assert "quantity" in error.value.message_dict
        services.batch_update(by=owner, batch=batch, quantity=Decimal(300))
        with pytest.raises(ValidationError):
            services.batch_update(by=owner, batch=batch, lot_code="OTHER-1")
    batch.refresh_from_db()
    assert batch.quantity == Decimal(300)


def test_a_batch_may_not_use_another_producers_area(batch, owner, stranger, other_producer):
    area = services.production_area_add(by=stranger, producer=other_producer, name="Nương", location=BAC_QUANG)
    with pytest.raises(ValidationError) as error:
        services.batch_update(by=owner, batch=batch, production_area=area)
    assert "production_area" in error.value.message_dict


# --- The journey ---------------------------------------------------------------------------------


@pytest.fixture
def shop(db):
    return RetailPoint.objects.create(
        name="Cửa hàng đặc sản Hà Giang", address="Nguyễn Trãi, Hà Giang", location=Point(104.98, 22.82, srid=4326)
    )


def add_event(batch, owner, event_type, when, **extra):
    return services.batch_event_add(by=owner, batch=batch, event_type=event_type, occurred_at=when, **extra)


def test_a_full_journey_is_recorded_in_order_with_cbv_steps(batch, owner, shop):
    start = NOW() - datetime.timedelta(days=9)
    steps = ["commissioning", "transforming", "packing", "inspecting", "shipping", "receiving", "retail_selling"]
    for hours, step in enumerate(steps):
        add_event(
            batch,
            owner,
            step,
            start + datetime.timedelta(hours=hours * 5),
            retail_point=shop if step in ("receiving", "retail_selling") else None,
            location=BAC_QUANG if step == "commissioning" else None,
            actor="Tổ thu hoạch số 2",
        )
    assert list(batch.events.values_list("event_type", flat=True)) == steps
    assert batch.events.first().cbv_business_step == "https://ref.gs1.org/cbv/BizStep-commissioning"


def test_an_event_earlier_than_the_latest_one_is_refused_with_the_latest_named(batch, owner):
    later = NOW() - datetime.timedelta(days=2)
    add_event(batch, owner, "packing", later)
    with pytest.raises(ValidationError) as error:
        add_event(batch, owner, "inspecting", later - datetime.timedelta(minutes=1))
    message = error.value.message_dict["occurred_at"][0]
    assert "latest step" in message and "packing" in message


def test_an_event_at_the_same_time_as_the_latest_one_is_accepted(batch, owner):
    moment = NOW() - datetime.timedelta(days=2)
    add_event(batch, owner, "packing", moment)
    add_event(batch, owner, "inspecting", moment)
    assert batch.events.count() == 2


def test_no_event_happens_before_the_harvest_date(batch, owner):
    harvest_midnight = timezone.make_aware(datetime.datetime.combine(batch.harvest_started_on, datetime.time.min))
    with pytest.raises(ValidationError) as error:
        add_event(batch, owner, "commissioning", harvest_midnight - datetime.timedelta(seconds=1))
    assert "before the harvest" in error.value.message_dict["occurred_at"][0]
    add_event(batch, owner, "commissioning", harvest_midnight)


def test_the_harvest_date_is_read_in_vietnam_time(batch, owner):
    # 23:30 UTC the day before the harvest is 06:30 in Hà Giang on the harvest day.
    utc_evening = datetime.datetime.combine(
        batch.harvest_started_on - datetime.timedelta(days=1), datetime.time(23, 30), tzinfo=datetime.UTC
    )
    assert add_event(batch, owner, "commissioning", utc_evening).occurred_at == utc_evening


def test_no_receiving_without_an_earlier_shipping(batch, owner, shop):
    with pytest.raises(ValidationError) as error:
        add_event(batch, owner, "receiving", NOW() - datetime.timedelta(days=1), retail_point=shop)
    assert "shipping" in error.value.message_dict["event_type"][0]
    add_event(batch, owner, "shipping", NOW() - datetime.timedelta(days=1))
    add_event(batch, owner, "receiving", NOW(), retail_point=shop)


def test_receiving_names_the_shop(batch, owner):
    add_event(batch, owner, "shipping", NOW() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        add_event(batch, owner, "receiving", NOW())
    assert "retail_point" in error.value.message_dict


def test_the_harvest_is_recorded_once_and_first(batch, owner):
    add_event(batch, owner, "commissioning", NOW() - datetime.timedelta(days=5))
    with pytest.raises(ValidationError) as error:
        add_event(batch, owner, "commissioning", NOW() - datetime.timedelta(days=4))
    assert "already" in error.value.message_dict["event_type"][0]


def test_the_harvest_cannot_follow_other_steps(batch, owner):
    add_event(batch, owner, "packing", NOW() - datetime.timedelta(days=5))
    with pytest.raises(ValidationError) as error:
        add_event(batch, owner, "commissioning", NOW() - datetime.timedelta(days=4))
    assert "event_type" in error.value.message_dict


@pytest.mark.parametrize(
    "when",
    [NOW() + datetime.timedelta(hours=1), datetime.datetime(2030, 1, 1, 8, 0)],
    ids=["future", "naive"],
)
def test_a_future_or_zoneless_time_is_refused(when, batch, owner):
    with pytest.raises(ValidationError) as error:
        add_event(batch, owner, "packing", when)
    assert "occurred_at" in error.value.message_dict


def test_an_event_keeps_its_photos_without_metadata(batch, owner):
    event = add_event(
        batch,
        owner,
        "packing",
        NOW() - datetime.timedelta(hours=3),
        photos=[upload("a.jpg", png_bytes((100, 100), exif_gps=True, fmt="JPEG"))],
        note="Đóng thùng 10 kg",
    )
    assert event.photos.count() == 1


def test_another_producers_staff_cannot_add_events(batch, stranger):
    with pytest.raises(PermissionDenied):
        add_event(batch, stranger, "packing", NOW())


def test_a_net_quantity_of_zero_is_refused_naming_the_field(approved_producer, owner, kinds):
    with pytest.raises(ValidationError) as error:
        services.product_create(
            by=owner, producer=approved_producer, kind=kinds["honey"], name_vi="Mật ong", net_quantity=Decimal(0)
        )
    assert "net_quantity" in error.value.message_dict
