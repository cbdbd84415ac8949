"""The A4 poster for shops: how to check a stamp, in Vietnamese and English, with a QR code to the guide."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from backend import qr
from tracing.stamps import printing

GREEN = (0x1F / 255, 0x5F / 255, 0x3B / 255)

STEPS = [
    ("Quét mã QR trên tem bằng camera điện thoại.", "Scan the QR code on the stamp with your phone camera."),
    (
        "Xem kết quả: “Hàng chính hãng”, nguồn gốc, vùng trồng, hành trình lô hàng.",
        "Read the verdict: “Genuine”, the origin, the growing region, the batch's journey.",
    ),
    (
        "Sau khi mua, cào lớp phủ và nhập mã PIN để xác nhận. Mỗi tem chỉ xác nhận được một lần.",
        "After buying, scratch the layer and enter the PIN to confirm. Each stamp confirms only once.",
    ),
    (
        "Thấy cảnh báo “Nghi vấn” hoặc “Tem đã thu hồi”? Đừng mua — bấm “Báo hàng giả”.",
        "See “Suspicious” or “Revoked”? Do not buy — press “Report a fake”.",
    ),
]


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    matrix = qr.qr_matrix(url, ec="Q")
    total = matrix.size + 2 * qr.QUIET_ZONE
    module = size / total
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for mx, my, n in matrix.runs:
        left = x + (mx + qr.QUIET_ZONE) * module
        top = y + size - (my + qr.QUIET_ZONE) * module
        path.rect(left, top - module, n * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


def _wrapped(
    canvas: Canvas, text: str, font: str, size: float, x: float, y: float, width: float, leading: float
) -> float:
    from reportlab.lib.utils import simpleSplit

    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        canvas.drawString(x, y, line)
        y -= leading
    return y


def poster_pdf(guide_url: str) -> bytes:
    """One A4 page: title, four steps (vi, en beneath), the QR code to *guide_url* and the URL in print."""
    printing.register_fonts()
    buffer = io.BytesIO()
    width, height = 210 * mm, 297 * mm
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle("Kiểm tra tem truy xuất nguồn gốc — How to check a stamp")
    canvas.setCreator("Hà Giang Origin")
    canvas.setFillColorRGB(*GREEN)
    canvas.rect(0, height - 52 * mm, width, 52 * mm, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(printing.FONT_NAME, 30)
    canvas.drawString(18 * mm, height - 26 * mm, "Kiểm tra tem hàng thật")
    canvas.setFont(printing.FONT_TEXT, 16)
    canvas.drawString(18 * mm, height - 36 * mm, "Đặc sản Hà Giang: chè Shan tuyết · cam sành · mật ong bạc hà")
    canvas.drawString(18 * mm, height - 45 * mm, "How to check a Hà Giang Origin stamp")

    canvas.setFillColorRGB(0.1, 0.12, 0.11)
    y = height - 70 * mm
    for number, (vi, en) in enumerate(STEPS, start=1):
        canvas.setFillColorRGB(*GREEN)
        canvas.circle(24 * mm, y + 2 * mm, 6 * mm, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont(printing.FONT_NAME, 16)
        canvas.drawCentredString(24 * mm, y - 0.5 * mm, str(number))
        canvas.setFillColorRGB(0.1, 0.12, 0.11)
        y = _wrapped(canvas, vi, printing.FONT_NAME, 15, 36 * mm, y + 2 * mm, 156 * mm, 19)
        canvas.setFillColorRGB(0.3, 0.35, 0.33)
        y = _wrapped(canvas, en, printing.FONT_TEXT, 12, 36 * mm, y - 1 * mm, 156 * mm, 15)
        y -= 9 * mm

    qr_size = 70 * mm
    _draw_qr(canvas, guide_url, (width - qr_size) / 2, 28 * mm, qr_size)
    canvas.setFillColorRGB(0.1, 0.12, 0.11)
    canvas.setFont(printing.FONT_NAME, 13)
    canvas.drawCentredString(width / 2, 22 * mm, "Quét để xem hướng dẫn · Scan for the guide")
    canvas.setFont(printing.FONT_TEXT, 11)
    canvas.drawCentredString(width / 2, 15 * mm, guide_url)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


#: The sample stamp drawn on the how-to-check page (a well-formed code that is never issued).
SAMPLE_SERIAL = "7K3QMT9XWB2R0D"


def label_illustration_svg(site_url: str = "https://example.org") -> str:
    """An SVG picture of a real stamp label, drawn with our own QR renderer, for the guide page.

    Written to static/tracing/label-example.svg by ``python -c "from tracing.stamps.poster import
    write_label_illustration; write_label_illustration()"`` (its QR points to a sample, never-issued code).
    """
    from tracing.digital_link import build_url
    from tracing.stamps.serials import check_symbol, format_serial

    serial = SAMPLE_SERIAL[:-1] + check_symbol(SAMPLE_SERIAL[:-1])
    url = build_url(site_url, serial=serial, gtin14="08938500000010", lot="CAM-2025-07")
    matrix = qr.qr_matrix(url)
    quiet = qr.QUIET_ZONE
    module = 110 / (matrix.size + 2 * quiet)
    path = "".join(
        f"M{10 + (x + quiet) * module:.2f} {10 + (y + quiet) * module:.2f}"
        f"h{n * module:.2f}v{module:.2f}h{-n * module:.2f}z"
        for x, y, n in matrix.runs
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 140" role="img" '
        'aria-label="Tem mẫu / sample stamp" font-family="DejaVu Sans, sans-serif">'
        '<rect x="1" y="1" width="298" height="138" rx="8" fill="#fff" stroke="#1f5f3b" stroke-width="2"/>'
        f'<path fill="#000" d="{path}"/>'
        '<text x="130" y="28" font-size="10" fill="#4d5a53">Quét để kiểm tra hàng thật</text>'
        '<text x="130" y="46" font-size="13" font-weight="700" fill="#1b1f1d">Cam sành Bắc Quang</text>'
        '<text x="130" y="62" font-size="10" fill="#4d5a53">Lô CAM-2025-07 · HTX Cam sành</text>'
        '<text x="130" y="82" font-size="12" font-family="DejaVu Sans Mono, monospace" font-weight="700">'
        f"{format_serial(serial)}</text>"
        '<rect x="130" y="94" width="150" height="30" rx="4" fill="#b8bcc0"/>'
        '<text x="205" y="113" font-size="10" text-anchor="middle" fill="#1b1f1d">CÀO LẤY MÃ PIN · SCRATCH</text>'
        '<text x="150" y="136" font-size="8" text-anchor="middle" fill="#b3261e">MẪU · SAMPLE</text>'
        "</svg>\n"
    )


def write_label_illustration() -> None:
    from pathlib import Path

    target = Path(__file__).resolve().parent.parent / "static" / "tracing" / "label-example.svg"
    target.write_text(label_illustration_svg(), encoding="utf-8")
