"""Tax numbers, certificates (validity, OCOP stars) and production areas (area, regions, Viet Nam)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from geographiclib.geodesic import Geodesic
from hypothesis import given
from hypothesis import strategies as st

from backend.phones import normalise_phone
from geo.spatial import area_hectares, is_within_vietnam
from tests.tracing.conftest import BAC_QUANG, apply_as, square
from tracing import services
from tracing.identifiers import mst_check_digit, normalise_tax_number
from tracing.models import Certificate

TODAY = timezone.localdate


# --- Tax numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0100233488", "0100233488"),
        ("01.00.233.488", "0100233488"),
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        (" 0100 233 488 ", "0100233488"),
    ],
)
def test_valid_tax_numbers_are_stored_in_one_form(typed, stored):
    assert normalise_tax_number(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["0100233480", "010023348", "01002334881", "0100233488-000", "0200000003", "ABCDEFGHIJ", ""],
    ids=["check-digit", "too-short", "eleven-digits", "branch-000", "zero-sequence", "letters", "empty"],
)
def test_invalid_tax_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        normalise_tax_number(typed)


def test_the_check_digit_follows_the_weights_31_29_23_19_17_13_7_5_3():
    assert mst_check_digit("010023348") == "8"  # 167 mod 11 = 2 → 10 - 2


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_changing_any_digit_of_a_valid_tax_number_breaks_it(first_nine):
    check = mst_check_digit(first_nine)
    if check is None or first_nine[2:] == "0000000":
        return
    number = first_nine + check
    assert normalise_tax_number(number) == number
    for position in range(10):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            typo = number[:position] + digit + number[position + 1 :]
            # One changed digit is always caught, because the weights and 11 are coprime.
            if position < 9 and typo[2:9] != "0000000":
                with pytest.raises(ValidationError):
                    normalise_tax_number(typo)


def test_a_household_business_may_register_with_the_owners_personal_id(owner, commune):
    producer = apply_as(owner, commune, kind="household", tax_number="002090123456")
    assert producer.tax_number == "002090123456"


def test_an_enterprise_may_not_register_with_a_personal_id(owner, commune):
    with pytest.raises(ValidationError) as error:
        apply_as(owner, commune, kind="enterprise", tax_number="002090123456")
    assert "tax_number" in error.value.message_dict


def test_a_tax_number_is_registered_once(producer, stranger, commune):
    with pytest.raises(ValidationError) as error:
        apply_as(stranger, commune, tax_number=producer.tax_number)
    assert "tax_number" in error.value.message_dict


@pytest.mark.parametrize(("typed", "stored"), [("+84 912 345 678", "0912345678"), ("0219.3868.686", "02193868686")])
def test_phone_numbers_are_normalised(typed, stored):
    assert normalise_phone(typed) == stored


def test_a_producer_located_outside_vietnam_is_refused(owner, commune):
    with pytest.raises(ValidationError) as error:
        apply_as(owner, commune, location=Point(102.6, 17.97, srid=4326))  # Vientiane
    assert "location" in error.value.message_dict


def test_a_commune_no_longer_in_force_is_refused(owner, commune):
    commune.valid_to = datetime.date(2025, 6, 30)
    commune.save()
    with pytest.raises(ValidationError) as error:
        apply_as(owner, commune)
    assert "commune" in error.value.message_dict


# --- Certificates ----------------------------------------------------------------------------


def add_certificate(owner, producer, **overrides):
    data = {
        "scheme": "vietgap",
        "number": "VG-2024-118",
        "issuer": "Trung tâm Kiểm định và Chứng nhận",
        "valid_from": TODAY() - datetime.timedelta(days=400),
        "valid_to": TODAY() + datetime.timedelta(days=300),
    }
    data.update(overrides)
    return services.certificate_add(by=owner, producer=producer, **data)


def test_certificates_valid_on_a_day_and_expired_ones_are_computed(producer, owner):
    current = add_certificate(owner, producer)
    expired = add_certificate(owner, producer, number="VG-2021-007", valid_to=TODAY() - datetime.timedelta(days=1))
    endless = add_certificate(owner, producer, scheme="gi", number="GI-00055", valid_to=None)
    assert set(Certificate.objects.valid_on(TODAY())) == {current, endless}
    assert set(Certificate.objects.expired_on(TODAY())) == {expired}
    assert expired.is_expired and not current.is_expired and not endless.is_expired
    assert expired.is_valid_on(TODAY() - datetime.timedelta(days=2))


@pytest.mark.parametrize(("scheme", "stars"), [("ocop", None), ("ocop", 6), ("ocop", 0), ("vietgap", 3)])
def test_ocop_stars_are_one_to_five_and_only_for_ocop(scheme, stars, producer, owner):
    with pytest.raises(ValidationError) as error:
        add_certificate(owner, producer, scheme=scheme, ocop_stars=stars)
    assert "ocop_stars" in error.value.message_dict


def test_an_ocop_certificate_shows_its_stars(producer, owner):
    assert add_certificate(owner, producer, scheme="ocop", ocop_stars=4).label == "OCOP 4★"


def test_a_certificate_cannot_end_before_it_starts(producer, owner):
    with pytest.raises(ValidationError) as error:
        add_certificate(owner, producer, valid_to=TODAY() - datetime.timedelta(days=500))
    assert "valid_to" in error.value.message_dict


# --- Production areas ------------------------------------------------------------------------


def test_the_area_of_a_polygon_matches_the_geodesic_area(db):
    polygon = square(104.95, 22.8, 0.01)
    polygon_area = Geodesic.WGS84.Polygon()
    for lon, lat in polygon.coords[0][:-1]:
        polygon_area.AddPoint(lat, lon)
    _count, _perimeter, area_m2 = polygon_area.Compute(reverse=False, sign=False)
    assert area_hectares(polygon) == pytest.approx(area_m2 / 10_000, rel=1e-4)
    assert 110 < area_hectares(polygon) < 115  # ~1.11 km × 1.03 km at 22.8° N


def test_a_production_areas_hectares_are_computed_by_the_database(producer, owner, kinds, orange_region):
    polygon = square(104.85, 22.45, 0.01)
    area = services.production_area_add(
        by=owner, producer=producer, name="Vườn đồi Tân Quang", boundary=polygon, capacities=[(kinds["orange"], 12000)]
    )
    assert area.area_ha == pytest.approx(area_hectares(polygon), rel=1e-9)
    assert isinstance(area.boundary, MultiPolygon)
    assert [(link.region, link.share) for link in area.region_links.all()] == [(orange_region, pytest.approx(1.0))]
    assert area.region_warnings() == []
    assert area.capacities.get().yearly_kg == Decimal(12000)


def test_an_area_outside_every_growing_region_is_accepted_with_a_warning(producer, owner, orange_region):
    area = services.production_area_add(by=owner, producer=producer, name="Nương chè", location=Point(105.3, 23.2))
    assert area.area_ha is None
    assert area.region_warnings() == ["This area lies outside every registered growing region."]


def test_an_area_declaring_a_product_outside_its_regions_is_warned(producer, owner, kinds, orange_region):
    area = services.production_area_add(
        by=owner, producer=producer, name="Vườn cam", location=BAC_QUANG, capacities=[(kinds["tea"], 500)]
    )
    assert len(area.region_warnings()) == 1
    assert "Shan tuyết tea" in area.region_warnings()[0]
    with translation.override("vi"):
        assert "Chè Shan tuyết" in area.region_warnings()[0]


def test_a_half_overlapping_area_records_its_share(producer, owner, orange_region):
    # The orange region spans 104.80-105.00 E: this square straddles its eastern edge.
    area = services.production_area_add(by=owner, producer=producer, name="Bờ", boundary=square(104.995, 22.5, 0.01))
    assert area.region_links.get().share == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(
    "geometry",
    [
        {"location": Point(22.82, 104.97)},  # latitude and longitude swapped: the Indian Ocean
        {"location": Point(100.5, 13.75)},  # Bangkok
        {"boundary": square(104.9, 25.0, 0.01)},  # Yunnan
    ],
    ids=["swapped", "bangkok", "yunnan"],
)
def test_an_area_outside_vietnam_is_refused(geometry, producer, owner):
    with pytest.raises(ValidationError) as error:
        services.production_area_add(by=owner, producer=producer, name="Xa", **geometry)
    assert set(error.value.message_dict) & {"location", "boundary"}


def test_an_area_needs_a_polygon_or_a_point(producer, owner):
    with pytest.raises(ValidationError) as error:
        services.production_area_add(by=owner, producer=producer, name="Trống")
    assert "boundary" in error.value.message_dict


def test_capacities_are_positive_kilograms_once_per_product(producer, owner, kinds):
    for capacities in ([(kinds["tea"], 0)], [(kinds["tea"], 10), (kinds["tea"], 20)]):
        with pytest.raises(ValidationError) as error:
            services.production_area_add(
                by=owner, producer=producer, name="Vườn", location=BAC_QUANG, capacities=capacities
            )
        assert "capacities" in error.value.message_dict


@pytest.mark.parametrize(
    ("lon", "lat", "inside"),
    [
        (104.98, 22.82, True),  # Hà Giang
        (105.85, 21.03, True),  # Hà Nội
        (106.70, 10.78, True),  # Thành phố Hồ Chí Minh
        (104.98, 8.60, True),  # Cà Mau cape
        (112.33, 16.83, True),  # Hoàng Sa
        (102.60, 17.97, False),  # Vientiane
        (104.92, 11.56, False),  # Phnom Penh
        (102.70, 25.04, False),  # Kunming
    ],
)
def test_the_vietnam_outline_holds_its_cities_and_not_its_neighbours_capitals(lon, lat, inside, db):
    assert is_within_vietnam(Point(lon, lat, srid=4326)) is inside
