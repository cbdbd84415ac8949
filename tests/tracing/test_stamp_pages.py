"""The stamp pages of producers and officials, and the public guidance pages and poster."""

import re
import subprocess

import pytest
import zxingcpp
from PIL import Image

from tests.tracing.stamp_fixtures import (  # noqa: F401
    activate_range,
    issue,
    product_kinds_present,
    stamps_of,
)
from tracing.models import Stamp, StampRun, SuspicionFlag

pytestmark = pytest.mark.django_db


def test_an_official_issues_a_run_from_the_page_and_lands_on_it(client, official, approved_producer):
    client.force_login(official)
    assert client.get("/tem/phat-hanh/").status_code == 200
    response = client.post("/tem/phat-hanh/", {"producer": approved_producer.pk, "quantity": 25, "note": "Đợt 1"})
    run = StampRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tem/dot/{run.pk}/"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Download the PIN list (once)" in page and run.stamps.count() == 25


@pytest.mark.parametrize("who", ["owner", "stranger"])
def test_producers_cannot_issue_runs_from_the_page(client, request, approved_producer, other_producer, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post("/tem/phat-hanh/", {"producer": approved_producer.pk, "quantity": 5}).status_code == 403
    assert not StampRun.objects.exists()


def test_the_pin_list_downloads_once_from_the_run_page(client, official, approved_producer, owner):
    run = issue(official, approved_producer, quantity=4)
    client.force_login(owner)
    first = client.post(f"/tem/dot/{run.pk}/ma-pin.csv")
    assert first.status_code == 200 and first["Content-Type"].startswith("text/csv")
    assert first.content.decode().count("\r\n") == 5
    second = client.post(f"/tem/dot/{run.pk}/ma-pin.csv", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "already downloaded" in second.content.decode()


def test_a_producer_activates_a_range_from_the_page_and_sees_refusals_in_the_form(
    client, official, approved_producer, owner, batch
):
    stamps = stamps_of(issue(official, approved_producer, quantity=6))
    client.force_login(owner)
    page = client.get("/tem/kich-hoat/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert batch.lot_code in page and "data-scanner" in page
    done = client.post("/tem/kich-hoat/", {"batch": batch.pk, "first": stamps[0].serial, "last": stamps[2].serial})
    assert done.status_code == 302
    again = client.post(
        "/tem/kich-hoat/",
        {"batch": batch.pk, "serials": f"{stamps[2].serial}\n{stamps[3].serial}"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 400 and "Only new stamps can be activated" in again.content.decode()
    assert Stamp.objects.filter(status="activated").count() == 3


def test_other_producers_batches_are_not_offered_and_cannot_be_posted(
    client, official, approved_producer, owner, stranger, other_producer, batch
):
    stamps = stamps_of(issue(official, other_producer, quantity=2))
    client.force_login(stranger)
    assert batch.lot_code not in client.get("/tem/kich-hoat/").content.decode()
    response = client.post("/tem/kich-hoat/", {"batch": batch.pk, "first": stamps[0].serial, "last": stamps[1].serial})
    assert response.status_code == 400 and not Stamp.objects.filter(status="activated").exists()


def test_revoking_from_the_page_needs_a_reason(client, official, approved_producer, owner):
    stamps = stamps_of(issue(official, approved_producer, quantity=3))
    client.force_login(owner)
    assert client.post("/tem/thu-hoi/", {"first": stamps[0].serial, "last": stamps[1].serial}).status_code == 400
    assert (
        client.post(
            "/tem/thu-hoi/", {"first": stamps[0].serial, "last": stamps[1].serial, "reason": "Rách"}
        ).status_code
        == 302
    )
    assert Stamp.objects.filter(status="revoked").count() == 2


def test_officials_see_and_close_suspicion_flags_others_cannot(client, official, owner, approved_producer):
    """Suspicious stamps are worked in oversight's queue: the case page shows the evidence and closes the flag."""
    from oversight import casework

    stamp = stamps_of(issue(official, approved_producer, quantity=1))[0]
    flag = SuspicionFlag.objects.create(
        stamp=stamp, rule="too_many_scans", evidence={"sightings": 40, "scan_ids": [1, 2]}
    )
    case = casework.open_for_flag(flag)  # as the scan service does for the flags it raises
    client.force_login(owner)
    assert client.get("/tem/nghi-van/", follow=True).status_code == 403
    assert client.get(f"/giam-sat/viec/{case.pk}/").status_code == 403
    client.force_login(official)
    page = client.get(f"/giam-sat/viec/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert stamp.serial in page and "<dt>Separate sightings</dt><dd>40</dd>" in page and "sightings:" not in page
    listing = client.get("/tem/nghi-van/", follow=True).content.decode()
    assert f'data-case="{case.pk}"' in listing
    client.post(f"/giam-sat/viec/{case.pk}/dong/", {"outcome": "false_alarm", "note": "Đã kiểm tra cửa hàng: tem thật"})
    flag.refresh_from_db()
    assert flag.resolved_by == official and not flag.is_open


def test_the_stamp_pages_need_a_login(client, db):
    for path in ("/tem/", "/tem/phat-hanh/", "/tem/kich-hoat/", "/tem/thu-hoi/", "/giam-sat/viec/"):
        assert client.get(path).status_code == 302, path
    for old in ("/tem/nghi-van/", "/tem/bao-cao/"):  # moved to the work queue, which needs a login
        response = client.get(old, follow=True)
        assert response.redirect_chain[0][1] == 301 and response.redirect_chain[-1][0].startswith("/accounts/login/")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_guidance_pages_are_public_in_both_languages(client, db, language):
    for path in ("/kiem-tra-tem/", "/huong-dan-tem/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200 and f'lang="{language}"' in response.content.decode()
    assert "label-example.svg" in client.get("/kiem-tra-tem/").content.decode()


def test_typing_a_code_on_the_guide_opens_its_page_or_explains_the_mistake(client, official, approved_producer):
    serial = stamps_of(issue(official, approved_producer, quantity=1))[0].serial
    response = client.get("/kiem-tra-tem/", {"code": f"{serial[:4]}-{serial[4:].lower()}"})
    assert response.status_code == 302 and response["Location"] == f"/t/{serial}"
    wrong = client.get("/kiem-tra-tem/", {"code": serial[:-2]}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400 and "has 14 characters" in wrong.content.decode()


def test_the_shop_poster_is_an_a4_pdf_whose_qr_opens_the_guide(client, tmp_path, settings, db):
    response = client.get("/kiem-tra-tem/ap-phich.pdf")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+", info)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", str(pdf), str(tmp_path / "poster")], check=True)
    image = Image.open(next(tmp_path.glob("poster*.png")))
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [f"{settings.SITE_URL}/kiem-tra-tem/"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kiểm tra tem hàng thật" in text


def test_the_shipped_label_picture_is_drawn_by_our_renderer():
    from pathlib import Path

    from tracing.stamps.poster import label_illustration_svg

    shipped = Path(__file__).resolve().parents[2] / "static" / "tracing" / "label-example.svg"
    assert shipped.read_text(encoding="utf-8") == label_illustration_svg()
