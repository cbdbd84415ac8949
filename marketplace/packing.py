"""Packing lists (PDF, reportlab, DejaVu Sans for Vietnamese diacritics) and the orders CSV export."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from backend import csvfiles
from backend.formatting import vnd
from marketplace.models import Order
from tracing.units import quantity_text

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = "HG-DejaVuSans", "HG-DejaVuSans-Bold"
_fonts_ready = False


def _register_fonts() -> None:
    global _fonts_ready
    if not _fonts_ready:
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        _fonts_ready = True


def _wrap(text: str, width: float, size: float) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(candidate, FONT, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def packing_list_pdf(orders: Iterable[Order]) -> bytes:
    """One A4 page per order: reference, buyer, delivery or pickup, lines with a tick box, totals, payment."""
    _register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Packing list"))
    width, height = A4
    left, right = 18 * mm, width - 18 * mm
    for order in orders:
        y = height - 20 * mm
        pdf.setFont(FONT_BOLD, 16)
        pdf.drawString(left, y, f"{_('Packing list')} · {order.reference}")
        y -= 8 * mm
        pdf.setFont(FONT, 10)
        header = [
            f"{order.producer.name}",
            _("Placed at %(when)s") % {"when": date_format(timezone.localtime(order.placed_at), "DATETIME_FORMAT")},
            _("Status: %(status)s") % {"status": order.get_status_display()},
            _("Buyer: %(name)s · %(phone)s") % {"name": order.contact_name, "phone": order.phone},
        ]
        if order.pickup_point_id:
            point = order.pickup_point
            header.append(_("Pickup at: %(name)s, %(address)s") % {"name": point.name, "address": point.address})
        else:
            header.append(_("Deliver to: %(address)s") % {"address": order.delivery_address})
        payment = {"method": order.get_payment_method_display()}
        header.append((_("Payment: %(method)s (paid)") if order.is_paid else _("Payment: %(method)s")) % payment)
        for line in header:
            for part in _wrap(line, right - left, 10):
                pdf.drawString(left, y, part)
                y -= 5 * mm
        y -= 3 * mm
        pdf.setFont(FONT_BOLD, 10)
        pdf.drawString(left, y, _("Packed"))
        pdf.drawString(left + 18 * mm, y, _("Product"))
        pdf.drawRightString(right - 45 * mm, y, _("Quantity"))
        pdf.drawRightString(right, y, _("Amount"))
        y -= 2 * mm
        pdf.line(left, y, right, y)
        y -= 5 * mm
        pdf.setFont(FONT, 10)
        for line in order.lines.all():
            pdf.rect(left, y - 1 * mm, 4 * mm, 4 * mm)
            names = _wrap(line.product_name, right - left - 80 * mm, 10)
            pdf.drawString(left + 18 * mm, y, names[0])
            pdf.drawRightString(right - 45 * mm, y, quantity_text(line.quantity, line.unit))
            pdf.drawRightString(right, y, vnd(line.line_total_vnd))
            for extra in names[1:]:
                y -= 5 * mm
                pdf.drawString(left + 18 * mm, y, extra)
            y -= 7 * mm
            if y < 40 * mm:
                pdf.showPage()
                pdf.setFont(FONT, 10)
                y = height - 20 * mm
        pdf.line(left, y + 3 * mm, right, y + 3 * mm)
        for label, amount in (
            (_("Goods"), order.subtotal_vnd),
            (_("Delivery fee"), order.delivery_fee_vnd),
            (_("Total"), order.total_vnd),
        ):
            pdf.drawRightString(right - 45 * mm, y, label)
            pdf.drawRightString(right, y, vnd(amount))
            y -= 5 * mm
        if order.note:
            y -= 3 * mm
            for part in _wrap(_("Note: %(note)s") % {"note": order.note}, right - left, 10):
                pdf.drawString(left, y, part)
                y -= 5 * mm
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


CSV_COLUMNS = (
    "reference",
    "placed_at",
    "status",
    "contact_name",
    "phone",
    "email",
    "delivery_method",
    "pickup_point",
    "province",
    "commune",
    "address",
    "payment_method",
    "paid_at",
    "products",
    "subtotal_vnd",
    "delivery_fee_vnd",
    "total_vnd",
    "note",
)


def orders_csv(orders: Iterable[Order]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 Vietnamese correctly only with a BOM
    writer = csvfiles.writer(out)
    writer.writerow(CSV_COLUMNS)
    for order in orders:
        products = "; ".join(f"{line.quantity} {line.unit} {line.product_name}" for line in order.lines.all())
        writer.writerow(
            (
                order.reference,
                timezone.localtime(order.placed_at).isoformat(timespec="seconds"),
                order.status,
                order.contact_name,
                order.phone,
                order.email,
                order.delivery_method,
                order.pickup_point.name if order.pickup_point_id else "",
                order.province.name if order.province_id else "",
                order.commune.name if order.commune_id else order.commune_name,
                order.address,
                order.payment_method,
                timezone.localtime(order.paid_at).isoformat(timespec="seconds") if order.paid_at else "",
                products,
                order.subtotal_vnd,
                order.delivery_fee_vnd,
                order.total_vnd,
                order.note,
            )
        )
    return out.getvalue()
