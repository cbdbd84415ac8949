"""Printing through the background job: the right number of labels, each QR decodes to its stamp's link;
big ranges arrive as a ZIP of PDF parts; one stamp's QR as PNG/SVG for its producer and officials only."""

import io
import re
import subprocess
import zipfile

import pytest
import zxingcpp
from django.core.management import call_command
from PIL import Image

from backend.models import Job
from tests.tracing.stamp_fixtures import (  # noqa: F401
    activate_range,
    issue,
    product_kinds_present,
    stamps_of,
)
from tracing import services
from tracing.models import Stamp, StampEvent
from tracing.stamps import jobs
from tracing.stamps.runs import stamp_url

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


@pytest.fixture
def gtin_run(official, approved_producer, owner, product, batch):
    services.product_update(by=owner, product=product, gtin="8938500000010")
    run = issue(official, approved_producer, quantity=40, product=product)
    activate_range(owner, batch, stamps_of(run)[:3])
    return run


def test_a_print_job_makes_a_pdf_with_one_label_per_stamp_and_the_first_qr_decodes_to_its_link(
    tmp_path, official, gtin_run
):
    job = services.stamps_print(by=official, run=gtin_run, layout="a4-3x8-70x37", first=1, last=30)
    run_worker()
    job.refresh_from_db()

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["labels"] == 30 and job.result["pages"] == 2
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(job.result_file.read())
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    image = Image.open(next(tmp_path.glob("p*.png")))
    decoded = {b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)}
    stamps = Stamp.objects.filter(run=gtin_run, number__lte=24).select_related("run__product", "batch")
    assert decoded == {stamp_url(s) for s in stamps}
    assert any("/10/CAM-2025-01/21/" in url for url in decoded)  # activated stamps carry their lot
    assert StampEvent.objects.get(action="labels_printed").ranges == [[1, 30]]


def test_a_large_range_arrives_as_a_zip_whose_manifest_counts_every_label(monkeypatch, official, gtin_run):
    monkeypatch.setattr(jobs, "PRINT_SINGLE_PDF_MAX", 10)
    job = services.stamps_print(by=official, run=gtin_run, layout="roll-50x30")
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    archive = zipfile.ZipFile(io.BytesIO(job.result_file.read()))
    manifest = archive.read("manifest.csv").decode().splitlines()
    assert sum(int(line.split(",")[3]) - int(line.split(",")[2]) + 1 for line in manifest[1:]) == 40
    assert job.result["labels"] == 40 and job.result["pages"] == 40


def test_one_stamps_qr_is_served_to_its_producer_and_officials_only(
    client, official, owner, stranger, other_producer, gtin_run
):
    stamp = stamps_of(gtin_run)[0]
    client.force_login(owner)
    png = client.get(f"/tem/ma/{stamp.serial}.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert decoded[0].text == stamp_url(Stamp.objects.select_related("run__product", "batch").get(pk=stamp.pk))
    client.force_login(official)
    assert client.get(f"/tem/ma/{stamp.serial}.svg").content.startswith(b"<svg")
    client.force_login(stranger)
    assert client.get(f"/tem/ma/{stamp.serial}.png").status_code == 404
    client.logout()
    assert client.get(f"/tem/ma/{stamp.serial}.png").status_code == 302


LONG_SITE = "https://nguongoc.hagiang.test/" + "truy-xuat-nguon-goc/" * 5  # a site served under a long prefix


def test_printing_on_labels_too_small_for_gs1s_qr_x_dimension_is_refused_with_a_reason(
    client, settings, official, gtin_run
):
    settings.SITE_URL = LONG_SITE
    client.force_login(official)
    response = client.post(
        f"/tem/dot/{gtin_run.pk}/", {"layout": "a4-4x10-48x25", "first": 1, "last": 10}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "under the 0.396 mm minimum of GS1 for QR codes" in response.content.decode()
    api = client.post(f"/api/v1/stamp-runs/{gtin_run.pk}/print", {"layout": "roll-40x25"}, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    assert "0.396 mm" in api.json()["error"]["fields"]["layout"][0]
    assert not Job.objects.exists()
    ok = client.post(f"/api/v1/stamp-runs/{gtin_run.pk}/print", {"layout": "a4-3x8-70x37"}, HTTP_ACCEPT_LANGUAGE="en")
    assert ok.status_code == 202  # a larger label holds the same code at a readable size
