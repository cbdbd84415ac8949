"""Print-ready label PDFs: right number of labels and pages, every QR decodes to its stamp's link,
Vietnamese names printed intact, crop marks where paper is cut, PINs kept out of the label files."""

import csv
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tracing.digital_link import build_url
from tracing.stamps import layouts, print_runs, printing, serials

SITE = "https://origin.test"
PRODUCT = "Cam sành Hà Giang hữu cơ – loại đặc biệt"
SUBTITLE = "Lô 2025-07 · HTX Cam Bắc Quang"
CAPTION = "Quét để kiểm tra hàng thật"


def make_labels(n: int, *, gtin: bool = True) -> list[layouts.Label]:
    return [
        layouts.Label(
            url=build_url(SITE, serial=s, gtin14="08938500000010" if gtin else None, lot="2025-07" if gtin else None),
            serial=s,
            product_name=PRODUCT,
            subtitle=SUBTITLE,
        )
        for s in serials.new_serials(n)
    ]


def write_pdf(tmp_path: Path, labels, layout, **kwargs) -> Path:
    path = tmp_path / "labels.pdf"
    with path.open("wb") as out:
        printing.labels_pdf(labels, layout=layout, out=out, **kwargs)
    return path


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def page_size_mm(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE).groups()
    return round(float(w) / 72 * 25.4, 1), round(float(h) / 72 * 25.4, 1)


def decoded_per_page(pdf: Path, tmp_path: Path, dpi: int = 300) -> list[list[str]]:
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    out = []
    for png in pages:
        with Image.open(png) as image:
            found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        out.append(sorted(b.text for b in found))
        png.unlink()
    return out


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_an_a4_sheet_run_has_the_right_pages_and_every_qr_decodes_to_its_stamp_link(tmp_path):
    layout = layouts.PRESETS["a4-3x8-70x37"]
    labels = make_labels(30)
    pdf = write_pdf(tmp_path, labels, layout, caption=CAPTION)
    assert page_count(pdf) == 2
    assert page_size_mm(pdf) == (210.0, 297.0)
    pages = decoded_per_page(pdf, tmp_path)
    assert [len(p) for p in pages] == [24, 6]
    assert sorted(url for page in pages for url in page) == sorted(label.url for label in labels)


def test_the_serial_in_groups_and_the_vietnamese_product_name_are_printed(tmp_path):
    labels = make_labels(5)
    pdf = write_pdf(tmp_path, labels, layouts.PRESETS["a4-3x8-70x37"], caption=CAPTION)
    text = text_of(pdf)
    for label in labels:
        assert serials.format_serial(label.serial) in text
    flat = " ".join(text.split())
    for word in ["sành", "Hà", "Giang", "hữu", "đặc", "biệt", "Bắc", "Quét", "để", "kiểm", "thật"]:
        assert word in flat


def test_a_roll_run_prints_one_label_per_page_of_the_label_size(tmp_path):
    labels = make_labels(7, gtin=False)
    pdf = write_pdf(tmp_path, labels, layouts.PRESETS["roll-50x30"])
    assert page_count(pdf) == 7
    assert page_size_mm(pdf) == (50.0, 30.0)
    pages = decoded_per_page(pdf, tmp_path, dpi=400)
    assert pages == [[label.url] for label in labels]
    assert all("/t/" in label.url for label in labels)


@pytest.mark.parametrize("preset", ["a4-4x10-48x25", "roll-40x25", "roll-60x40", "a4-3x8-cut-60x30"])
def test_every_preset_prints_decodable_codes(tmp_path, preset):
    layout = layouts.PRESETS[preset]
    labels = make_labels(min(layout.per_page, 12))
    pdf = write_pdf(tmp_path, labels, layout, caption=CAPTION)
    found = [url for page in decoded_per_page(pdf, tmp_path, dpi=400) for url in page]
    assert sorted(found) == sorted(label.url for label in labels)


def test_crop_marks_are_drawn_in_the_margins_in_line_with_the_label_edges(tmp_path):
    layout = layouts.PRESETS["a4-3x8-cut-60x30"]
    pdf = write_pdf(tmp_path, make_labels(3), layout)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", str(pdf), str(tmp_path / "crop")], check=True)
    with Image.open(next(tmp_path.glob("crop-*.png"))) as page:
        image = page.convert("L")
        px_per_mm = image.size[0] / 210
        left_edge = round(layout.margin_left * px_per_mm)
        top_margin = image.crop((left_edge - 1, 0, left_edge + 2, int(layout.margin_top * px_per_mm) - 2))
        assert top_margin.getextrema()[0] < 128, "a vertical mark above the first label's left edge"
        untouched = image.crop((left_edge + 20, 0, left_edge + 40, int(layout.margin_top * px_per_mm) - 2))
        assert untouched.getextrema() == (255, 255)
    no_marks = write_pdf(tmp_path, make_labels(3), layouts.PRESETS["a4-3x8-70x37"])
    assert page_count(no_marks) == 1


def test_progress_is_reported_as_pages_complete(tmp_path):
    calls = []
    write_pdf(tmp_path, make_labels(50), layouts.PRESETS["a4-3x8-70x37"], progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_layout_that_does_not_fit_its_page_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        layouts.LabelLayout("too-many", 210, 297, 70, 37, columns=4, rows=8)
    with pytest.raises(ValueError, match="unknown label layout"):
        layouts.layout_named("a3-everything")


def test_a_label_too_small_for_a_readable_qr_code_is_refused(tmp_path):
    tiny = layouts.LabelLayout("roll-14x9", 14, 9, 14, 9, padding=0.5)
    with pytest.raises(layouts.LabelTooSmall, match=r"under the 0\.396 mm minimum of GS1 for QR codes"):
        write_pdf(tmp_path, make_labels(1), tiny)


def test_a_qr_module_under_gs1s_minimum_x_dimension_is_refused_even_above_the_old_limit(tmp_path):
    """GS1's minimum X-dimension for QR codes is 0.396 mm; this label would print 0.33 mm modules."""
    small = layouts.LabelLayout("roll-30x17", 30, 17, 30, 17, padding=1.0)
    url = make_labels(1)[0].url
    assert 0.3 < layouts.module_mm(small, url) < layouts.MIN_MODULE_MM == 0.396
    with pytest.raises(layouts.LabelTooSmall, match=r"modules of 0\.3\d mm"):
        layouts.check_layout(small, url)
    with pytest.raises(layouts.LabelTooSmall):
        write_pdf(tmp_path, make_labels(1), small)


def test_every_ready_made_layout_prints_a_stamp_link_at_gs1s_x_dimension_or_more():
    url = build_url(
        "https://nguongoc.hagiang.gov.vn", serial=serials.new_serial(), gtin14="08938500000010", lot="L" * 20
    )
    for layout in layouts.PRESETS.values():
        layouts.check_layout(layout, url)
        assert layouts.module_mm(layout, url) >= 0.396, layout.name


def test_a_long_product_name_is_shortened_to_fit_rather_than_overflowing(tmp_path):
    label = make_labels(1)[0]
    long_name = "Mật ong bạc hà cao nguyên đá Đồng Văn thu hoạch vụ xuân chính vụ loại thượng hạng " * 3
    pdf = write_pdf(tmp_path, [layouts.Label(label.url, label.serial, long_name)], layouts.PRESETS["roll-40x25"])
    text = " ".join(text_of(pdf).split())
    assert "Mật ong" in text and "…" in text
    assert serials.format_serial(label.serial).replace("-", "") in text.replace("-", "").replace(" ", "")


def test_a_whole_run_on_all_cores_arrives_as_a_zip_of_parts_with_a_manifest(tmp_path):
    labels = make_labels(90)
    layout = layouts.PRESETS["a4-4x10-48x25"]
    calls = []
    buffer = io.BytesIO()
    result = print_runs.print_run_zip(
        labels, layout=layout, out=buffer, part_size=40, workers=2, progress=lambda d, t: calls.append((d, t))
    )
    assert result == print_runs.PrintRunResult(parts=3, pages=3, labels=90)
    assert calls[-1] == (3, 3)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)
    archive = zipfile.ZipFile(buffer)
    names = archive.namelist()
    assert names == [
        "labels-001-000001-000040.pdf",
        "labels-002-000041-000080.pdf",
        "labels-003-000081-000090.pdf",
        "manifest.csv",
    ]
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [(m["first_serial"], m["last_serial"]) for m in manifest] == [
        (labels[0].serial, labels[39].serial),
        (labels[40].serial, labels[79].serial),
        (labels[80].serial, labels[89].serial),
    ]
    found = []
    for name in names[:-1]:
        part = tmp_path / name
        part.write_bytes(archive.read(name))
        assert page_count(part) == 1
        found += [url for page in decoded_per_page(part, tmp_path) for url in page]
    assert sorted(found) == sorted(label.url for label in labels)


def test_the_pin_file_lists_serials_and_pins_in_label_order_and_the_labels_never_show_a_pin(tmp_path):
    labels = make_labels(4)
    rows = [(label.serial, f"{i:08d}") for i, label in enumerate(labels, start=13572468)]
    out = io.StringIO()
    assert print_runs.pins_csv(rows, out) == 4
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["serial"], r["pin"]) for r in parsed] == rows
    assert parsed[0]["number"] == "1"
    assert parsed[0]["serial_grouped"] == serials.format_serial(labels[0].serial)
    assert "origin.test" not in out.getvalue()
    text = text_of(write_pdf(tmp_path, labels, layouts.PRESETS["a4-3x8-70x37"]))
    assert not any(pin in text for _serial, pin in rows)
