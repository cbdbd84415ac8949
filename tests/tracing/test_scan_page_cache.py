"""The scan page's cache (tracing/stamps/scan_page.py): rendered once per state of the product, filled in per scan.

What a visitor must never see: another scan's values, an unescaped value, or a page older than the
product's rows. What the cache must give: the same page as an ordinary render, in few statements.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tracing.stamp_fixtures import (
    activate_range,
    issue,
    pins_of,
    product_kinds_present,  # noqa: F401  (autouse)
    stamps_of,
)
from tracing import services
from tracing.models import Product, Scan
from tracing.stamps import scan_page, scan_sql, serials

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value="|name="scan" value="|data-scan=")[^"]+"')


@pytest.fixture
def live(official, approved_producer, owner, product, batch):
    run = issue(official, approved_producer, quantity=6, product=product)
    stamps = stamps_of(run)
    activate_range(owner, batch, stamps[:4])
    services.batch_event_add(
        by=owner, batch=batch, event_type="packing", occurred_at=timezone.now() - datetime.timedelta(days=2)
    )
    scan_page.pages.clear()
    return stamps, pins_of(official, run)


def page(client, serial, lang="en", **headers):
    return client.get(f"/t/{serial}", HTTP_ACCEPT_LANGUAGE=lang, HTTP_USER_AGENT=IPHONE, **headers)


def test_the_second_scan_of_a_batch_is_served_from_the_cache_with_its_own_values(client, live):
    stamps, _pins = live
    first = page(client, stamps[0].serial).content.decode()
    assert len(scan_page.pages) == 1
    second = page(client, stamps[1].serial).content.decode()
    assert len(scan_page.pages) == 1  # another stamp of the same batch: the same rendered page

    assert stamps[1].serial in second and stamps[0].serial not in second
    assert f"/t/{stamps[1].serial}/xac-nhan" in second and f"?ma={stamps[1].serial}" in second
    assert "HG" + scan_page._NONCE not in second  # every slot filled
    tokens = [re.findall(r'name="scan" value="([^"]+)"', html)[0] for html in (first, second)]
    scans = list(Scan.objects.order_by("pk").values_list("pk", flat=True))
    assert [scan_page.scan_id_from_token(t) for t in tokens] == scans


def test_a_cached_page_is_the_ordinary_render_apart_from_the_tokens(client, live, monkeypatch):
    stamps, _pins = live
    page(client, stamps[0].serial)  # fills the cache
    cached = page(client, stamps[1].serial, HTTP_X_FORWARDED_FOR="198.51.100.7").content.decode()
    monkeypatch.setattr(scan_page, "_cacheable", lambda request, outcome: False)
    ordinary = page(client, stamps[2].serial, HTTP_X_FORWARDED_FOR="198.51.100.8").content.decode()

    def normal(html, serial):
        return TOKENS.sub(r"\1…", html).replace(serial, "SERIAL").replace(serials.format_serial(serial), "GROUPED")

    assert normal(cached, stamps[1].serial) == normal(ordinary, stamps[2].serial)


def test_the_pin_form_of_a_cached_page_works_with_its_csrf_token(live):
    from django.test import Client

    stamps, pins = live
    browser = Client(enforce_csrf_checks=True)
    page(browser, stamps[0].serial)
    html = page(browser, stamps[1].serial).content.decode()  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    scan = re.search(r'name="scan" value="([^"]+)"', html).group(1)
    response = browser.post(
        f"/t/{stamps[1].serial}/xac-nhan",
        {"csrfmiddlewaretoken": token, "scan": scan, "pin": pins[stamps[1].serial]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    again = page(browser, stamps[1].serial).content.decode()
    assert "already confirmed on" in again and 'name="pin"' not in again


def test_a_change_to_what_the_page_shows_is_seen_by_the_next_scan(client, live, owner, product, batch):
    stamps, _pins = live
    html = page(client, stamps[0].serial).content.decode()
    assert "Cam sành Bắc Quang" in html
    steps = html.count("<li><strong>")

    services.product_update(by=owner, product=product, name_vi="Cam sành Hà Giang loại 1")
    assert "Cam sành Hà Giang loại 1" in page(client, stamps[1].serial, lang="vi").content.decode()

    # A write that bypasses the model's save() (no updated_at) still changes the digest.
    Product.objects.filter(pk=product.pk).update(description_vi="Vỏ mỏng, nhiều nước")
    assert "Vỏ mỏng, nhiều nước" in page(client, stamps[2].serial, lang="vi").content.decode()

    services.batch_event_add(by=owner, batch=batch, event_type="shipping", occurred_at=timezone.now())
    html = page(client, stamps[3].serial).content.decode()
    assert html.count("<li><strong>") == steps + 1 and "Shipping" in html


def test_a_certificate_that_expires_shows_as_not_valid_the_day_after(
    client, live, owner, approved_producer, product, monkeypatch
):
    stamps, _pins = live
    today = timezone.localdate()
    certificate = services.certificate_add(
        by=owner,
        producer=approved_producer,
        scheme="vietgap",
        number="VG-9",
        issuer="TT",
        valid_from=today - datetime.timedelta(days=300),
        valid_to=today,
    )
    product.certificates.add(certificate)  # through the link table only: the digest still sees it
    html = page(client, stamps[0].serial).content.decode()
    assert "VG-9" in html and "not valid today" not in html

    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert "not valid today" in page(client, stamps[1].serial).content.decode()


def test_per_scan_values_are_escaped_in_a_cached_page(client, live):
    stamps, _pins = live
    page(client, stamps[0].serial)
    Scan.objects.filter(stamp=stamps[1]).delete()
    Scan.objects.create(stamp=stamps[1], serial=stamps[1].serial, verdict="genuine", place_name="<b>Xã A</b> & co")
    html = page(client, stamps[1].serial).content.decode()
    assert "first near &lt;b&gt;Xã A&lt;/b&gt; &amp; co" in html and "<b>Xã A</b>" not in html


def test_each_language_has_its_own_page(client, live):
    stamps, _pins = live
    assert "Genuine product" in page(client, stamps[0].serial, lang="en").content.decode()
    assert "Hàng chính hãng" in page(client, stamps[1].serial, lang="vi").content.decode()
    assert len(scan_page.pages) == 2


def test_signed_in_staff_get_the_ordinary_render_and_are_not_counted(client, live, owner):
    stamps, _pins = live
    client.force_login(owner)
    html = page(client, stamps[0].serial).content.decode()
    assert len(scan_page.pages) == 0
    assert owner.username in html and Scan.objects.get().channel == "staff"


def test_an_anonymous_scan_costs_one_statement(client, live):
    stamps, _pins = live
    page(client, stamps[0].serial)
    with CaptureQueriesContext(connection) as queries:
        response = page(client, stamps[1].serial)
    assert response.status_code == 200
    # The rate-limit counters, the stamp's facts (and the digest) and the INSERT of the scan, in one.
    statements = [q["sql"] for q in queries if not q["sql"].startswith("PREPARE")]
    assert len(statements) == 1, statements
    assert statements[0].startswith("EXECUTE hg_rate_hit_many2_hg_scan_record1")
    assert Scan.objects.filter(stamp=stamps[1]).count() == 1


@pytest.mark.skipif(not settings.PREPARED_STATEMENTS, reason="statements are sent unprepared")
def test_the_scan_statement_settles_on_a_generic_plan(client, live):
    """PostgreSQL plans a prepared statement for its first five executions, then keeps one generic
    plan if that is no worse. Planning this statement costs ~4 ms against ~0.5 ms to run it: a
    change that made PostgreSQL plan it afresh every time would make every scan several times
    slower without changing any result."""
    stamps, _pins = live
    for n in range(8):
        assert page(client, stamps[n % 4].serial, HTTP_X_FORWARDED_FOR=f"10.9.0.{n}").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            ["hg_rate_hit_many2_hg_scan_record1"],
        )
        generic, custom = cursor.fetchone()
    assert generic >= 2 and custom <= 5, (generic, custom)


def test_a_scan_refused_by_the_rate_limit_is_not_recorded(client, live, monkeypatch):
    from tracing.stamps import scan_limits

    stamps, _pins = live
    monkeypatch.setattr(scan_limits, "SCAN_PER_CODE", 2)
    monkeypatch.setattr(scan_limits, "clock", lambda: 1_800_000_030.0)  # no window ends mid-test
    statuses = [page(client, stamps[0].serial, REMOTE_ADDR=f"10.9.0.{i}").status_code for i in range(1, 5)]
    assert statuses == [200, 200, 429, 429]
    assert Scan.objects.filter(stamp=stamps[0]).count() == 2


@pytest.fixture
def full_story(live, owner, approved_producer, product, batch, orange_region):
    """A product with every kind of row the page shows: region, commune, a journey step at a shop,
    a photo, a certificate and a shop listing."""
    from django.contrib.gis.geos import Point

    from geo.models import RetailPoint
    from marketplace.models import Listing
    from tests.tracing.conftest import png_bytes, upload

    Product.objects.filter(pk=product.pk).update(growing_region=orange_region)
    shop = RetailPoint.objects.create(name="Cửa hàng", address="Hà Giang", location=Point(104.98, 22.82, srid=4326))
    event = services.batch_event_add(
        by=owner, batch=batch, event_type="shipping", occurred_at=timezone.now(), retail_point=shop
    )
    photo = services.product_photo_add(by=owner, product=product, image=upload("a.png", png_bytes(), "image/png"))
    today = timezone.localdate()
    certificate = services.certificate_add(
        by=owner,
        producer=approved_producer,
        scheme="vietgap",
        number="VG-1",
        issuer="TT",
        valid_from=today - datetime.timedelta(days=10),
        valid_to=today + datetime.timedelta(days=300),
    )
    product.certificates.add(certificate)
    listing = Listing.objects.create(
        producer=approved_producer, product=product, price_vnd=35_000, stock=10, unit=product.unit
    )
    link = Product.certificates.through.objects.get(product=product, certificate=certificate)
    rows = {
        "product": product,
        "producer": approved_producer,
        "batch": batch,
        "region": orange_region,
        "commune": approved_producer.commune,
        "event": event,
        "shop": shop,
        "photo": photo,
        "certificate": certificate,
        "certificate link": link,
        "listing": listing,
    }
    return live[0], rows


def _digest(serial):
    return scan_sql.read_facts(serial, with_digest=True).digest


# What each kind of row changes: anything, or (for rows the page shows one thing of) that thing.
CHANGES = {
    "product": "id = id",
    "producer": "id = id",
    "batch": "id = id",
    "region": "name = name || ' '",
    "commune": "name = name || ' '",
    "event": "id = id",
    "shop": "name = name || ' '",
    "photo": "id = id",
    "certificate": "id = id",
    "certificate link": "id = id",
    "listing": "is_active = NOT is_active",
}


@pytest.mark.parametrize("what", list(CHANGES))
def test_the_digest_changes_with_any_write_to_a_row_the_page_shows(full_story, what):
    """Even a write that changes no value, from raw SQL, in the same transaction as the last read (the
    tests' own): each UPDATE writes a new version of the row, of its product, batch or producer by
    trigger, and the digest follows versions."""
    stamps, rows = full_story
    row = rows[what]
    table = row._meta.db_table
    before = _digest(stamps[0].serial)
    assert before == _digest(stamps[1].serial)  # the digest is the product's, not the stamp's
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [row.pk])  # noqa: S608
        assert _digest(stamps[0].serial) == before  # a lock is not a change
        cursor.execute(f"UPDATE {table} SET {CHANGES[what]} WHERE id = %s", [row.pk])  # noqa: S608
    after = _digest(stamps[0].serial)
    assert after != before
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {CHANGES[what]} WHERE id = %s", [row.pk])  # noqa: S608
    assert _digest(stamps[0].serial) not in (before, after)


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("listing", "stock = stock - 1"),  # every order: the page does not show stock
        ("shop", "location = ST_SetSRID(ST_MakePoint(105.0, 22.9), 4326)::geography"),
        ("region", "designation_detail = 'x'"),
        ("commune", "code = code"),
    ],
)
def test_the_digest_ignores_what_the_page_does_not_show(full_story, what, change):
    stamps, rows = full_story
    row = rows[what]
    before = _digest(stamps[0].serial)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {row._meta.db_table} SET {change} WHERE id = %s", [row.pk])  # noqa: S608
        assert cursor.rowcount == 1
    assert _digest(stamps[0].serial) == before


def test_the_digest_changes_when_a_row_goes(full_story):
    stamps, rows = full_story
    before = _digest(stamps[0].serial)
    rows["event"].delete()
    assert _digest(stamps[0].serial) != before
