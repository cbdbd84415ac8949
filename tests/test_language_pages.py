"""What a new user read wrongly in each language (issue 13, "Language"), page by page: dates, units,
labels of keys, titles, quantities and amounts. The sweep in tests/test_language_sweep.py looks for the
same kinds of mistakes on every page; these tests pin the cases that were reported."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from tests.language_sweep import marked, visible_text
from tests.site_world import build_world, sign_in_client


@pytest.fixture
def world(db):
    return build_world(text=marked)


def read(client, path: str, language: str) -> str:
    """The page's visible text in the language, one line per block."""
    client.cookies["hg_language"] = language
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return "\n".join(visible_text(response.content.decode(), language))


def today(pattern: str) -> str:
    return timezone.localdate().strftime(pattern)


def test_the_scan_and_survey_pages_say_ngay_once_before_a_date(world, client):
    scan = read(client, reverse("tracing:scan", args=[world["stamps"][0].serial]), "vi")
    assert f"kể từ {today('%d/%m/%Y')}" in scan
    sign_in_client(client, world, "official")
    survey = read(client, reverse("oversight:record_survey", args=[world["waiting"].pk]), "vi")
    assert f"dự kiến ngày {today('%d/%m/%Y')}" in survey
    file = read(client, reverse("oversight:producer_file", args=[world["producer"].pk]), "vi")
    assert f"Đã khảo sát ngày {today('%d/%m/%Y')}" in file
    for text in (scan, survey, file):
        assert not re.search(r"ngày\s+ngày", text, re.IGNORECASE)


@pytest.mark.parametrize(("language", "two", "one"), [("vi", "2 hộp", "1 hộp"), ("en", "2 boxes", "1 box")])
def test_orders_count_the_units_in_the_readers_language(world, client, language, two, one):
    sign_in_client(client, world, "consumer")
    order = read(client, reverse("marketplace:order_detail", args=[world["home_order"].token]), language)
    assert two in order and "2 box\n" not in order + "\n"
    checkout = read(client, reverse("marketplace:checkout"), language)
    assert f"{one} ×" in checkout
    sign_in_client(client, world, "producer")
    desk = read(client, reverse("marketplace:desk_order", args=[world["home_order"].pk]), language)
    assert two in desk


def test_order_emails_count_the_units_in_each_language(world):
    from marketplace.models import OrderStatusChange
    from marketplace.notifications import send_order_emails

    mail.outbox.clear()
    send_order_emails(OrderStatusChange.objects.filter(order=world["home_order"], action="place").get().pk)
    body = mail.outbox[0].body
    vietnamese, english = body.split("— — —")
    assert "- 2 hộp ×" in vietnamese and "box" not in vietnamese
    assert "- 2 boxes ×" in english


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_the_packing_slip_speaks_vietnamese_to_a_vietnamese_producer(world, client):
    sign_in_client(client, world, "producer")
    client.cookies["hg_language"] = "vi"
    slip = pdf_text(client.get(reverse("marketplace:desk_packing", args=[world["home_order"].pk])).content)
    assert "Người mua:" in slip and "Giao đến:" in slip and "2 hộp" in slip
    assert "Buyer" not in slip and "Deliver to" not in slip and "box" not in slip
    client.cookies["hg_language"] = "en"
    slip = pdf_text(client.get(reverse("marketplace:desk_packing", args=[world["home_order"].pk])).content)
    assert "Buyer:" in slip and "Deliver to:" in slip and "2 boxes" in slip and "90,000" in slip


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("vi", "đã cấp: 1 · đã kích hoạt: 3 · đã bán: 0 · đã thu hồi: 2"),
        ("en", "issued: 1 · activated: 3 · sold: 0 · revoked: 2"),
    ],
)
def test_the_run_page_names_the_stamp_statuses(world, client, language, counts):
    sign_in_client(client, world, "official")
    run = read(client, reverse("tracing:stamp_run", args=[world["run"].pk]), language)
    assert counts in run


def test_the_evaluation_form_shows_no_field_made_up_from_a_code_name(world, client):
    sign_in_client(client, world, "official")
    for language in ("vi", "en"):
        page = read(client, reverse("oversight:evaluation"), language)
        assert "Fmt" not in page and "fmt" not in page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_cases_and_the_audit_trail_show_labels_and_keep_the_keys(world, client, language):
    sign_in_client(client, world, "official")
    client.cookies["hg_language"] = language
    case_html = client.get(reverse("oversight:case", args=[world["flag_case"].pk])).content.decode()
    audit_html = client.get(reverse("oversight:audit")).content.decode()
    case, audit = ("\n".join(visible_text(html, language)) for html in (case_html, audit_html))
    for key in ("not_in_circulation", "scan_ids", "producer.approved", "tracing.producer", "shop_authorised"):
        assert key not in case and key not in audit
    with translation.override(language):
        from tracing.models.producers import ProducerStatus
        from tracing.stamps.clone_rules import RULES

        assert str(RULES["not_in_circulation"]).capitalize() in case
        approved = str(ProducerStatus.APPROVED.label)
    assert {"vi": "Trạng thái tem", "en": "Stamp status"}[language] in case
    assert {"vi": f"Hồ sơ cơ sở: {approved}", "en": f"Producer's application: {approved}"}[language] in audit
    # The keys stay in the data, for searches and scripts.
    assert 'data-rule="not_in_circulation"' in case_html and 'data-audit="producer.approved"' in audit_html


def test_cross_check_titles_follow_the_page_language(world, client):
    sign_in_client(client, world, "official")
    english = read(client, reverse("oversight:checks"), "en")
    vietnamese = read(client, reverse("oversight:checks"), "vi")
    assert "Activated above what the production areas can yield" in english
    assert "Kích hoạt vượt sản lượng" not in english
    assert "Kích hoạt vượt sản lượng vùng sản xuất có thể đạt" in vietnamese


@pytest.mark.parametrize(
    ("net", "unit", "vi", "en"),
    [(Decimal("200"), "g", "200 g", "200 g"), (Decimal("1.5"), "kg", "1,5 kg", "1.5 kg")],
)
def test_net_quantities_read_as_people_write_them(world, client, net, unit, vi, en):
    from tracing import services

    product = services.product_update(
        by=world.users["producer"], product=world["product"], net_quantity=net, net_quantity_unit=unit
    )
    path = reverse("tracing:product", args=[product.pk])
    assert vi in read(client, path, "vi")
    page = read(client, path, "en")
    assert en in page and "200.000" not in page and "1.500" not in page
    sign_in_client(client, world, "producer")
    form = client.get(reverse("tracing:product_edit", args=[product.pk])).content.decode()
    assert re.search(r'name="net_quantity" value="(200|1\.5)"', form), "the form gives back what was typed"


@pytest.mark.parametrize(
    ("language", "date", "amount"),
    [("vi", "%d/%m/%Y", "120.000 ₫"), ("en", "%m/%d/%Y", "120,000 ₫")],  # (visible_text makes every space plain)
)
def test_dates_and_amounts_follow_the_language(world, client, language, date, amount):
    sign_in_client(client, world, "consumer")
    orders = read(client, reverse("marketplace:my_orders"), language)
    assert today(date) in orders and amount in orders
    sign_in_client(client, world, "official")
    file = read(client, reverse("oversight:producer_file", args=[world["producer"].pk]), language)
    assert amount in file and not re.search(r"\d đ\b", file)
