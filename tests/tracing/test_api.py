"""The public API contract: who may write what, errors that name the field, lists without N+1 queries."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend import roles
from tests.conftest import make_user
from tests.tracing.conftest import HA_GIANG, apply_as, approve, png_bytes, square, upload
from tests.tracing.media import mp3_silence, png_bomb, windows_program
from tracing import services

TODAY = timezone.localdate


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def client_for(who, api_client, request):
    if who != "anonymous":
        api_client.force_authenticate(request.getfixturevalue(who))
    return api_client


# -- one world per module -----------------------------------------------------------------------------
# Every test here reads or writes the data of the same approved producer (`world`, tests/tracing/conftest.py).
# It is built once for the module inside a transaction rolled back at the end; each test runs in a
# savepoint of it (pytest-django's `db`), so what a test writes is gone before the next one.


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    from tests.conftest import official as official_persona
    from tests.conftest import owner as owner_persona
    from tests.conftest import stranger as stranger_persona
    from tests.tracing import conftest as tracing

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            owner = owner_persona.__wrapped__(None)
            stranger = stranger_persona.__wrapped__(None)
            official = official_persona.__wrapped__(None)
            commune = tracing.commune.__wrapped__(None)
            kinds = tracing.kinds.__wrapped__(None)
            approved = tracing.approve(tracing.apply_as(owner, commune), official)
            other = tracing.approve(tracing.apply_as(stranger, commune, name="HTX Chè Shan tuyết Phìn Hồ"), official)
            product = tracing.product.__wrapped__(approved, owner, kinds)
            batch = tracing.batch.__wrapped__(product, owner)
            world = tracing.world.__wrapped__(approved, owner, other, stranger, product, batch, kinds)
            yield {"world": world, "owner": owner, "stranger": stranger, "official": official, "commune": commune}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def fresh(value):
    """The row read again: a test must not see what an earlier one cached on a shared instance."""
    if isinstance(value, Model):
        return type(value).objects.get(pk=value.pk)
    if isinstance(value, dict):
        return {key: fresh(item) for key, item in value.items()}
    return value


@pytest.fixture
def world(_module_world, db):
    return {key: fresh(value) for key, value in _module_world["world"].items()}


@pytest.fixture
def owner(_module_world, db):
    return fresh(_module_world["owner"])


@pytest.fixture
def stranger(_module_world, db):
    return fresh(_module_world["stranger"])


@pytest.fixture
def official(_module_world, db):
    return fresh(_module_world["official"])


@pytest.fixture
def commune(_module_world, db):
    return fresh(_module_world["commune"])


@pytest.fixture
def kinds(_module_world, db):
    return _module_world["world"]["kinds"]


# Every write endpoint a producer's staff use: (name, method, url template, body builder, format).
STAFF_WRITES = [
    ("update producer", "patch", "/api/v1/producers/{producer}/", lambda w: {"representative": "Lò Văn Sử"}, "json"),
    ("add staff", "post", "/api/v1/producers/{producer}/staff/", lambda w: {"username": "newbie"}, "json"),
    ("remove staff", "delete", "/api/v1/producers/{producer}/staff/{colleague}/", lambda w: None, "json"),
    (
        "add certificate",
        "post",
        "/api/v1/certificates/",
        lambda w: {
            "producer": w["producer"].pk,
            "scheme": "organic",
            "number": "ORG-9",
            "issuer": "Cục Trồng trọt",
            "valid_from": str(TODAY()),
        },
        "json",
    ),
    ("change certificate", "patch", "/api/v1/certificates/{certificate}/", lambda w: {"issuer": "Sở NN"}, "json"),
    ("delete certificate", "delete", "/api/v1/certificates/{certificate}/", lambda w: None, "json"),
    (
        "add area",
        "post",
        "/api/v1/production-areas/",
        lambda w: {"producer": w["producer"].pk, "name": "Vườn 2", "location": point(104.9, 22.5)},
        "json",
    ),
    ("change area", "patch", "/api/v1/production-areas/{area}/", lambda w: {"note": "Đồi phía nam"}, "json"),
    ("delete area", "delete", "/api/v1/production-areas/{area}/", lambda w: None, "json"),
    (
        "add product",
        "post",
        "/api/v1/products/",
        lambda w: {"producer": w["producer"].pk, "kind": "honey", "name_vi": "Mật ong bạc hà", "net_quantity": "0.5"},
        "json",
    ),
    ("change product", "patch", "/api/v1/products/{product}/", lambda w: {"name_en": "Cam sanh orange"}, "json"),
    (
        "add photo",
        "post",
        "/api/v1/products/{product}/photos/",
        lambda w: {"image": upload("a.png", png_bytes())},
        "multipart",
    ),
    ("delete photo", "delete", "/api/v1/products/{product}/photos/{photo}/", lambda w: None, "json"),
    (
        "set audio",
        "put",
        "/api/v1/products/{product}/audio/",
        lambda w: {"audio": upload("v.mp3", mp3_silence(1))},
        "multipart",
    ),
    ("remove audio", "delete", "/api/v1/products/{product}/audio/", lambda w: None, "json"),
    (
        "add batch",
        "post",
        "/api/v1/batches/",
        lambda w: {
            "product": w["product"].pk,
            "lot_code": "CAM-9",
            "harvest_started_on": str(TODAY()),
            "quantity": "80",
        },
        "json",
    ),
    ("change batch", "patch", "/api/v1/batches/{batch}/", lambda w: {"quantity": "450"}, "json"),
    ("next batch", "post", "/api/v1/batches/{batch}/next/", lambda w: {"harvest_started_on": str(TODAY())}, "json"),
    (
        "add event",
        "post",
        "/api/v1/batches/{batch}/events/",
        lambda w: {"event_type": "packing", "occurred_at": timezone.now().isoformat()},
        "json",
    ),
]


def url_of(template, world):
    ids = {key: getattr(value, "pk", None) for key, value in world.items()}
    return template.format(**ids)


@pytest.mark.parametrize(("name", "method", "template", "body", "fmt"), STAFF_WRITES, ids=[w[0] for w in STAFF_WRITES])
@pytest.mark.parametrize("who", ["owner", "stranger", "official", "anonymous"])
def test_only_the_producers_own_staff_may_write_its_data(
    name, method, template, body, fmt, who, world, api_client, request
):
    newbie = make_user("newbie", roles.CONSUMER)
    client = client_for(who, api_client, request)
    response = getattr(client, method)(url_of(template, world), body(world), format=fmt)
    if who == "owner":
        assert response.status_code in (200, 201, 204), response.content
    else:
        assert response.status_code in (401, 403, 404), response.content
        assert response.json()["error"]["code"] in ("permission_denied", "not_authenticated", "not_found")
    allowed = who == "owner"
    if name == "add staff":  # the newcomer manages the producer's data, with the role to do so
        assert world["producer"].memberships.filter(user=newbie).exists() == allowed
        assert newbie.groups.filter(name=roles.PRODUCER_STAFF).exists() == allowed
    if name == "remove staff":  # the colleague no longer manages it, and lost the role with their last producer
        colleague = world["colleague"]
        assert world["producer"].memberships.filter(user=colleague).exists() == (not allowed)
        assert colleague.groups.filter(name=roles.PRODUCER_STAFF).exists() == (not allowed)
        if allowed:
            with pytest.raises(PermissionDenied):
                services.producer_update(by=colleague, producer=world["producer"], representative="Trần Thị Hoa")
        else:
            services.producer_update(by=colleague, producer=world["producer"], representative="Trần Thị Hoa")


def test_a_bad_gtin_is_a_400_naming_the_field(world, owner, api_client):
    api_client.force_authenticate(owner)
    response = api_client.patch(f"/api/v1/products/{world['product'].pk}/", {"gtin": "8934563138161"}, format="json")
    assert response.status_code == 400
    assert "gtin" in response.json()["error"]["fields"]


def test_an_area_outside_vietnam_is_a_400(world, owner, api_client):
    api_client.force_authenticate(owner)
    polygon = json.loads(square(100.5, 13.7, 0.01).geojson)
    response = api_client.post(
        "/api/v1/production-areas/",
        {"producer": world["producer"].pk, "name": "Bangkok", "boundary": polygon},
        format="json",
    )
    assert response.status_code == 400
    assert "boundary" in response.json()["error"]["fields"]


def test_an_area_answers_with_its_hectares_and_warnings(world, owner, api_client, orange_region):
    api_client.force_authenticate(owner)
    polygon = json.loads(square(104.85, 22.45, 0.01).geojson)
    response = api_client.post(
        "/api/v1/production-areas/",
        {
            "producer": world["producer"].pk,
            "name": "Vườn đồi",
            "boundary": polygon,
            "capacities": [{"product_kind": "tea", "yearly_kg": "900"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert 110 < body["area_ha"] < 115
    assert body["growing_regions"][0]["name"] == orange_region.name
    assert len(body["warnings"]) == 1  # tea declared in an orange region


@pytest.mark.parametrize(
    ("path", "field", "upload_file"),
    [
        ("photos/", "image", upload("photo.jpg", windows_program(), "image/jpeg")),
        ("audio/", "audio", upload("voice.mp3", windows_program(), "audio/mpeg")),
    ],
    ids=["photo", "audio"],
)
def test_a_renamed_program_upload_is_a_400_naming_the_field(path, field, upload_file, world, owner, api_client):
    api_client.force_authenticate(owner)
    product = world["product"]
    method = api_client.put if field == "audio" else api_client.post
    response = method(f"/api/v1/products/{product.pk}/{path}", {field: upload_file}, format="multipart")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_certificate_document_renamed_from_an_exe_is_a_400(world, owner, api_client):
    api_client.force_authenticate(owner)
    response = api_client.post(
        "/api/v1/certificates/",
        {
            "producer": world["producer"].pk,
            "scheme": "vietgap",
            "number": "VG-7",
            "issuer": "TT",
            "valid_from": str(TODAY()),
            "document": upload("cert.pdf", windows_program(), "application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "document" in response.json()["error"]["fields"]


def test_an_event_out_of_order_is_a_400_naming_the_time(world, owner, api_client):
    api_client.force_authenticate(owner)
    url = f"/api/v1/batches/{world['batch'].pk}/events/"
    now = timezone.now()
    assert (
        api_client.post(url, {"event_type": "packing", "occurred_at": now.isoformat()}, format="json").status_code
        == 201
    )
    earlier = (now - datetime.timedelta(hours=2)).isoformat()
    response = api_client.post(url, {"event_type": "shipping", "occurred_at": earlier}, format="json")
    assert response.status_code == 400
    assert "occurred_at" in response.json()["error"]["fields"]


def test_the_journey_is_public_for_an_approved_producer(world, owner, api_client):
    services.batch_event_add(
        by=owner, batch=world["batch"], event_type="packing", occurred_at=timezone.now(), location=HA_GIANG
    )
    events = api_client.get(f"/api/v1/batches/{world['batch'].pk}/events/").json()
    assert events[0]["event_type"] == "packing"
    assert events[0]["location"]["coordinates"] == pytest.approx([HA_GIANG.x, HA_GIANG.y])


def test_expired_certificates_are_flagged_in_the_producer_api(world, owner, api_client):
    services.certificate_add(
        by=owner,
        producer=world["producer"],
        scheme="globalgap",
        number="GG-1",
        issuer="x",
        valid_from=TODAY() - datetime.timedelta(days=800),
        valid_to=TODAY() - datetime.timedelta(days=1),
    )
    body = api_client.get(f"/api/v1/producers/{world['producer'].pk}/").json()
    flags = {c["number"]: c["is_expired"] for c in body["certificates"]}
    assert flags == {"VG-1": False, "GG-1": True}


# --- Lists without N+1 ---------------------------------------------------------------------------


def ours(context) -> list[str]:
    """The statements of the view itself: rate-limit counters (and their periodic clean-up) live in the
    database too, and the cache table; they are the same for any number of rows."""
    housekeeping = ("hg_cache", "backend_rate_counter", "hg_rate_hit", "SAVEPOINT")
    return [q["sql"] for q in context.captured_queries if not any(part in q["sql"] for part in housekeeping)]


def grow(world, owner, official, commune, kinds, count):
    """Add `count` more approved producers, each with a certificate, an area, a product with a photo, a batch."""
    for index in range(count):
        user = make_user(f"grower{index}", roles.CONSUMER)
        producer = approve(apply_as(user, commune, name=f"HTX {index}"), official)
        services.certificate_add(
            by=user, producer=producer, scheme="vietgap", number=f"V{index}", issuer="TT", valid_from=TODAY()
        )
        services.production_area_add(
            by=user, producer=producer, name="Vườn", location=HA_GIANG, capacities=[(kinds["tea"], 100)]
        )
        product = services.product_create(by=user, producer=producer, kind=kinds["tea"], name_vi="Chè", net_quantity=1)
        services.product_photo_add(by=user, product=product, image=upload("p.png", png_bytes()))
        services.batch_create(by=user, product=product, lot_code="L1", harvest_started_on=TODAY(), quantity=Decimal(5))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/producers/",
        "/api/v1/products/",
        "/api/v1/batches/",
        "/api/v1/certificates/",
        "/api/v1/production-areas/",
    ],
)
def test_lists_take_the_same_number_of_queries_for_more_rows(url, world, owner, official, commune, kinds, api_client):
    def count_queries():
        with CaptureQueriesContext(connection) as context:
            response = api_client.get(url)
        assert response.status_code == 200
        return len(ours(context)), response.json()["count"]

    few, rows_before = count_queries()
    grow(world, owner, official, commune, kinds, 3)
    many, rows_after = count_queries()
    assert rows_after == rows_before + 3
    assert many == few


def test_the_product_list_for_the_public_takes_four_queries(world, api_client):
    with CaptureQueriesContext(connection) as context:
        assert api_client.get("/api/v1/products/").status_code == 200
    # Rate-limit counters live in the cache table; the rest is: count, products, certificates, photos.
    assert len(ours(context)) == 4, ours(context)


def test_a_decompression_bomb_sent_as_a_product_photo_is_a_400_with_the_limit(world, owner, api_client):
    api_client.force_authenticate(owner)
    response = api_client.post(
        f"/api/v1/products/{world['product'].pk}/photos/",
        {"image": upload("bomb.png", png_bomb(30_000, 30_000, rows=10), "image/png")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["image"] == ["The image is too large: at most 25 megapixels."]
