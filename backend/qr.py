"""QR codes for stamps: PNG and SVG for one code, and a module matrix for bulk PDF printing.

Encoder: zxing-cpp (C++, its writer is Zint). Measured on this machine (bench/stamps_qr.py) it
encodes a stamp URL into a module matrix some 30-50× faster than the pure-Python ``qrcode`` and
``segno``, which is what makes a 100,000-label print run fit in minutes. The same library decodes,
which the tests use to read back what was rendered.

Error correction: level M by default (recovers ~15 % damaged modules: scratches and dirt on a label
on a fruit box). Level Q or H can be asked for where the label is large enough.

Everything here is drawn from the module matrix ourselves (PNG via Pillow, SVG as one path of
horizontal runs, PDF as rectangles in printing.py), so the three outputs cannot disagree.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cached_property

import zxingcpp
from PIL import Image

EC_LEVELS = ("L", "M", "Q", "H")
DEFAULT_EC = "M"
#: The quiet zone the QR standard (ISO/IEC 18004) requires around the symbol, in modules.
QUIET_ZONE = 4


@dataclass(frozen=True)
class QRMatrix:
    """The modules of one QR symbol, without quiet zone: ``size`` × ``size``, row-major, top row first."""

    size: int
    dark: bytes  # one byte per module: 1 dark, 0 light

    @cached_property
    def runs(self) -> tuple[tuple[int, int, int], ...]:
        """Horizontal runs of dark modules as ``(x, y, length)``, y counted from the top row."""
        size, dark = self.size, self.dark
        stride = size + 1
        # Rows joined by a light separator module, so one regex pass finds runs that never wrap.
        padded = b"\0".join([dark[i : i + size] for i in range(0, size * size, size)])
        out = []
        for match in _DARK_RUN.finditer(padded):
            start, end = match.span()
            y, x = divmod(start, stride)
            out.append((x, y, end - start))
        return tuple(out)


_DARK_RUN = re.compile(rb"\x01+")


def _barcode(data: str, ec: str):
    if ec not in EC_LEVELS:
        raise ValueError(f"error correction level must be one of {', '.join(EC_LEVELS)}, not {ec!r}")
    if not data:
        raise ValueError("a QR code needs some data")
    return zxingcpp.create_barcode(data, _QR, ec_level=ec)


_QR = zxingcpp.BarcodeFormat.QRCode


def qr_bitmap(data: str, *, ec: str = DEFAULT_EC) -> tuple[int, bytes]:
    """The bulk-printing fast path: ``(width, pixels)`` of the symbol *with* its 4-module quiet zone.

    One byte per module, row-major, 0 for dark and 255 for light; ``width`` = symbol size + 8. Every
    row starts and ends light, so runs of dark modules can be found in one pass over the buffer.
    """
    image = _barcode(data, ec).to_image(scale=1, add_quiet_zones=True)
    return image.shape[1], bytes(memoryview(image))


def qr_matrix(data: str, *, ec: str = DEFAULT_EC) -> QRMatrix:
    """Encode *data* (UTF-8 text, e.g. a stamp URL) into a QR module matrix at error correction *ec*."""
    image = _barcode(data, ec).to_image(scale=1, add_quiet_zones=False)
    size = image.shape[0]
    # zxing-cpp renders dark modules as 0 and light ones as 255.
    dark = bytes(memoryview(image)).translate(_DARK_FROM_LUMINANCE)
    return QRMatrix(size=size, dark=dark)


_DARK_FROM_LUMINANCE = bytes([1] * 128 + [0] * 128)


def qr_image(data: str, *, scale: int = 8, border: int = QUIET_ZONE, ec: str = DEFAULT_EC) -> Image.Image:
    """A 1-bit Pillow image: *scale* pixels per module, *border* light modules around the symbol."""
    if scale < 1:
        raise ValueError("scale must be at least 1 pixel per module")
    if border < 0:
        raise ValueError("border must not be negative")
    # zxing-cpp scales the symbol itself (whole pixels per module, no resampling): 0 dark, 255 light.
    pixels = _barcode(data, ec).to_image(scale=scale, add_quiet_zones=False)
    height, width = pixels.shape
    symbol = Image.frombytes("L", (width, height), bytes(memoryview(pixels))).convert("1", dither=Image.Dither.NONE)
    if not border:
        return symbol
    image = Image.new("1", (width + 2 * border * scale, height + 2 * border * scale), 1)
    image.paste(symbol, (border * scale, border * scale))
    return image


def qr_png(data: str, *, scale: int = 8, border: int = QUIET_ZONE, ec: str = DEFAULT_EC) -> bytes:
    """PNG bytes of the QR code for *data* (1-bit, *scale* pixels per module, with quiet zone)."""
    buffer = io.BytesIO()
    qr_image(data, scale=scale, border=border, ec=ec).save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str, *, module_mm: float | None = None, border: int = QUIET_ZONE, ec: str = DEFAULT_EC) -> str:
    """An SVG document of the QR code for *data*, one path of horizontal runs, scalable without blur.

    Without *module_mm* the SVG has only a viewBox (it fills the box it is placed in); with it, the
    width and height are set in millimetres for printing.
    """
    matrix = qr_matrix(data, ec=ec)
    total = matrix.size + 2 * border
    path = "".join(f"M{x + border} {y + border}h{n}v1h-{n}z" for x, y, n in matrix.runs)
    size_attrs = f' width="{total * module_mm:g}mm" height="{total * module_mm:g}mm"' if module_mm else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {total}"{size_attrs} '
        f'shape-rendering="crispEdges" role="img">'
        f'<rect width="{total}" height="{total}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )
