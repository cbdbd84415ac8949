"""Demo accounts and producers: each applies, is surveyed and approved by an official, declares its
certificates and production areas, and describes its products with photos and an audio clip.

Everything goes through backend's and tracing's services, on the day it happens (demo.clock).
Records that already exist are found by their natural key (username, tax number, area name,
GTIN) and left as they are: a demo user may have changed them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from backend import roles
from backend.services import user_create
from demo import geography, media
from demo import province as spec
from demo.clock import Clock
from geo.models import GrowingRegion, ProductKind
from tracing import gs1, services
from tracing.identifiers import mst_check_digit
from tracing.models import Certificate, Producer, ProducerMembership, Product, ProductionArea

ROLE_OF = {
    "official": roles.OFFICIAL,
    "producer_staff": roles.PRODUCER_STAFF,
    "retailer_staff": roles.RETAILER_STAFF,
    "consumer": roles.CONSUMER,
    "administrator": roles.ADMINISTRATOR,
}


def accounts_ensure() -> dict[str, User]:
    """Every demo account (password spec.PASSWORD), created once; {username: user}."""
    existing = {u.username: u for u in User.objects.filter(username__in=[a.username for a in spec.ACCOUNTS])}
    for account in spec.ACCOUNTS:
        if account.username in existing:
            continue
        role = ROLE_OF[account.role]
        existing[account.username] = user_create(
            username=account.username,
            email=f"{account.username}@demo.hagiang.local",
            password=spec.PASSWORD,
            role=role,
            first_name=account.first_name,
            last_name=account.last_name,
            is_staff=role in (roles.ADMINISTRATOR, roles.OFFICIAL),
            is_superuser=role == roles.ADMINISTRATOR,
        )
    return existing


def tax_number(tax9: str) -> str:
    check = mst_check_digit(tax9)
    if check is None:
        raise ValueError(f"{tax9}: no check digit is valid; choose another demo tax number")
    return tax9 + check


def _point(lat: float, lng: float) -> Point:
    return Point(lng, lat, srid=4326)


def _apply(item: spec.Producer, user: User, clock: Clock) -> Producer:
    commune = geography.commune_at(item.lat, item.lng, item.commune, district_code=item.district_code)
    with clock.at(days=item.applied_days, hour=10):
        producer = services.producer_apply(
            by=user,
            kind=item.kind,
            name=item.name,
            tax_number=tax_number(item.tax9),
            address=item.address,
            commune=commune,
            location=_point(item.lat, item.lng),
            representative=item.representative,
            phone=item.phone,
            email=f"{item.username}@demo.hagiang.local",
            description_vi=item.description_vi,
            description_en=item.description_en,
        )
        for certificate in item.certificates:
            _certificate(producer, user, certificate, clock)
        for area in item.areas:
            _area(producer, user, area)
    return producer


def _certificate(producer: Producer, user: User, item: spec.Certificate, clock: Clock) -> Certificate:
    valid_from = clock.day(item.valid_from_days)
    valid_to = valid_from + datetime.timedelta(days=item.valid_for_days) if item.valid_for_days else None
    return services.certificate_add(
        by=user,
        producer=producer,
        scheme=item.scheme,
        number=item.number,
        issuer=item.issuer,
        valid_from=valid_from,
        valid_to=valid_to,
        ocop_stars=item.ocop_stars,
        scope=item.scope,
        product_kinds=[kind_of_producer(producer)],
    )


def _area(producer: Producer, user: User, item: spec.Area) -> ProductionArea:
    kind = kind_of_producer(producer)
    if item.width_m:
        boundary = geography.plot(item.lat, item.lng, item.width_m, item.height_m)
        capacity = declared_capacity(item.width_m * item.height_m / 10_000, kind)
    else:
        boundary, capacity = None, item.yearly_kg
    return services.production_area_add(
        by=user,
        producer=producer,
        name=item.name,
        boundary=boundary,
        location=_point(item.lat, item.lng),
        note=item.note,
        capacities=[(kind, capacity)],
    )


def kind_of_producer(producer: Producer) -> ProductKind:
    item = next(p for p in spec.PRODUCERS if p.name == producer.name)
    return ProductKind.objects.get(code=item.specialty)


#: What a grower expects a hectare to give in a year (kg), a little below oversight's default yields.
EXPECTED_KG_PER_HA = {"orange": Decimal(12_000), "tea": Decimal(800), "honey": Decimal(120)}


def declared_capacity(hectares: float, kind: ProductKind) -> Decimal:
    """The yearly kg a producer declares for a drawn field."""
    return (Decimal(str(hectares)) * EXPECTED_KG_PER_HA[kind.code]).quantize(Decimal(1))


def _decide(producer: Producer, item: spec.Producer, official: User, clock: Clock) -> None:
    """The official's side of the workflow on its days: schedule the survey, record it, approve."""
    if item.status == "applied":
        return
    survey_day = item.applied_days - 10 if item.status == "approved" else -4  # -4: in four days
    if producer.status == Producer.Status.APPLIED:
        with clock.at(days=item.applied_days - 2, hour=14):
            services.producer_schedule_survey(
                by=official,
                producer=producer,
                scheduled_for=clock.day(survey_day),
                note="Đoàn khảo sát gồm cán bộ Sở Công Thương và Sở Nông nghiệp (dữ liệu minh hoạ).",
            )
        producer.refresh_from_db()
    if item.status != "approved":
        return
    if producer.status == Producer.Status.SURVEY_SCHEDULED:
        with clock.at(days=survey_day, hour=15):
            services.producer_record_survey(
                by=official,
                producer=producer,
                surveyed_on=clock.day(survey_day),
                location=_point(item.lat + 0.0004, item.lng - 0.0003),
                identity_confirmed=True,
                certificates_genuine=True,
                areas_as_declared=True,
                gap_practice_seen=True,
                findings="Cơ sở, giấy tờ và vùng sản xuất đúng như hồ sơ khai báo (dữ liệu minh hoạ).",
            )
        producer.refresh_from_db()
    if producer.status == Producer.Status.SURVEYED:
        with clock.at(days=approved_day(item), hour=10):
            services.producer_approve(
                by=official, producer=producer, reason="Đủ điều kiện tham gia chương trình tem truy xuất (demo)."
            )
        producer.refresh_from_db()


def approved_day(item: spec.Producer) -> int:
    """Days ago the producer was approved (see _decide)."""
    return item.applied_days - 20


def _product(producer: Producer, user: User, item: spec.Product, clock: Clock, days: int) -> Product:
    gtin = item.gtin12 + gs1.gtin_check_digit(item.gtin12)
    product = Product.objects.filter(gtin=gtin.zfill(14)).first()
    if product is None:
        kind = kind_of_producer(producer)
        with clock.at(days=days, hour=16):
            product = services.product_create(
                by=user,
                producer=producer,
                kind=kind,
                name_vi=item.name_vi,
                name_en=item.name_en,
                description_vi=item.description_vi,
                description_en=item.description_en,
                unit=item.unit,
                net_quantity=item.net_quantity,
                net_quantity_unit=item.net_unit,
                gtin=gtin,
                growing_region=_region_of(producer, kind),
                certificates=list(producer.certificates.all()),
            )
    if not product.photos.exists():
        with clock.at(days=days, hour=17):
            for name in item.photos:
                services.product_photo_add(by=user, product=product, image=media.photo(name))
    if not product.audio:
        with clock.at(days=days, hour=17, minute=30):
            services.product_audio_set(by=user, product=product, audio=media.audio(item.audio))
    return product


def _region_of(producer: Producer, kind: ProductKind) -> GrowingRegion | None:
    """The growing region of the product's kind that covers the producer's production areas."""
    regions = GrowingRegion.objects.filter(product_kind=kind, area_links__area__producer=producer)
    return regions.order_by("-area_links__share", "pk").first()


def producer_ensure(item: spec.Producer, users: dict[str, User], official: User, clock: Clock) -> Producer:
    """The demo producer `item`, brought to its status with its areas and products; found again on later runs.

    The demo user "producer" of an older demo keeps its organisation, moved to its real commune.
    """
    user = users[item.username]
    producer = Producer.objects.filter(tax_number=tax_number(item.tax9)).first()
    if producer is None:
        membership = ProducerMembership.objects.filter(user=user).select_related("producer").first()
        producer = membership.producer if membership is not None else None
        if producer is not None:
            _move_to_spec(producer, item, user)
    if producer is None:
        producer = _apply(item, user, clock)
    _decide(producer, item, official, clock)
    if producer.status == Producer.Status.APPROVED:
        for product in item.products:
            _product(producer, user, product, clock, approved_day(item) - 1)
    return producer


def _move_to_spec(producer: Producer, item: spec.Producer, user: User) -> None:
    commune = geography.commune_at(item.lat, item.lng, item.commune, district_code=item.district_code)
    location = _point(item.lat, item.lng)
    if producer.commune_id != commune.pk or producer.location.distance(location) > 1e-6:
        services.producer_update(by=user, producer=producer, commune=commune, location=location, address=item.address)
    for area in item.areas:
        if not ProductionArea.objects.filter(producer=producer, name=area.name).exists():
            _area(producer, user, area)
    for certificate in item.certificates:
        if not Certificate.objects.filter(
            producer=producer, scheme=certificate.scheme, number=certificate.number
        ).exists():
            _certificate(producer, user, certificate, Clock())  # the old demo's producer: dated from today
