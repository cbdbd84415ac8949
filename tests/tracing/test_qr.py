"""QR codes for one stamp, as PNG and SVG: what a phone reads back is exactly the stamp's link."""

import io
import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from backend import qr
from tracing.digital_link import build_url
from tracing.stamps import serials

URL = build_url("https://origin.test", serial=serials.new_serial(), gtin14="08938500000010", lot="2025/07")


def decode(image: Image.Image) -> list:
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def svg_to_image(svg: str, scale: int = 6) -> Image.Image:
    """Paint our SVG (a viewBox and one path of ``M x y h n v1 h-n z`` runs) to check its geometry."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        x, y, n = int(x), int(y), int(n)
        draw.rectangle([x * scale, y * scale, (x + n) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def test_a_png_decodes_to_the_stamp_link_with_at_least_medium_error_correction():
    png = qr.qr_png(URL)
    assert png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png))
    [found] = decode(image)
    assert found.text == URL
    assert found.ec_level in {"M", "Q", "H"}


def test_a_png_has_the_quiet_zone_and_the_asked_module_size():
    matrix = qr.qr_matrix(URL)
    image = Image.open(io.BytesIO(qr.qr_png(URL, scale=5)))
    assert image.size == ((matrix.size + 2 * qr.QUIET_ZONE) * 5,) * 2
    border = qr.QUIET_ZONE * 5
    assert image.convert("L").crop((0, 0, image.size[0], border)).getextrema() == (255, 255)


def test_a_higher_error_correction_can_be_asked_for():
    [found] = decode(Image.open(io.BytesIO(qr.qr_png(URL, ec="H"))))
    assert found.text == URL
    assert found.ec_level == "H"


def test_an_svg_draws_the_same_symbol_and_decodes_to_the_stamp_link():
    svg = qr.qr_svg(URL, module_mm=0.5)
    assert svg.startswith("<svg") and 'width="' in svg and "mm" in svg
    [found] = decode(svg_to_image(svg))
    assert found.text == URL


def test_an_svg_without_a_size_fills_its_container():
    svg = qr.qr_svg(URL)
    assert "width=" not in svg.split(">", 1)[0].replace('viewBox="', "")
    [found] = decode(svg_to_image(svg))
    assert found.text == URL


def test_vietnamese_text_round_trips_through_a_qr_code():
    text = "Cam sành Hà Giang – đặc sản"
    [found] = decode(qr.qr_image(text))
    assert found.text == text


def test_the_bulk_bitmap_and_the_matrix_describe_the_same_symbol():
    matrix = qr.qr_matrix(URL)
    width, pixels = qr.qr_bitmap(URL)
    assert width == matrix.size + 2 * qr.QUIET_ZONE
    inner = b"".join(
        pixels[(y + qr.QUIET_ZONE) * width + qr.QUIET_ZONE : (y + qr.QUIET_ZONE) * width + qr.QUIET_ZONE + matrix.size]
        for y in range(matrix.size)
    )
    assert inner == bytes(0 if d else 255 for d in matrix.dark)
    assert sum(n for _x, _y, n in matrix.runs) == sum(matrix.dark)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: qr.qr_png(""), "needs some data"),
        (lambda: qr.qr_png(URL, ec="X"), "error correction"),
        (lambda: qr.qr_png(URL, scale=0), "scale"),
        (lambda: qr.qr_png(URL, border=-1), "border"),
    ],
)
def test_impossible_requests_are_refused_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()
