"""Uploaded photos and documents: checked by their content, never by their name or declared type.

Photos are decoded by Pillow, turned upright, re-encoded without their metadata (EXIF carries the
phone's GPS position and serial numbers) at a web size and a thumbnail size. Certificate documents
are a PDF (header and end-of-file marker) or an image (re-encoded the same way). A renamed program,
a truncated file, a decompression bomb or a file over the size limit is refused with a message.

Memory is bounded before any pixel is decoded. Pillow's Image.open reads only the header, so the
format and the dimensions are checked first: a JPEG (what phones make) may have up to MAX_PIXELS and
is decoded at a reduced scale (libjpeg's 1/2, 1/4 or 1/8 "draft" mode, just above the largest size
we keep), so even a 48-megapixel photo takes about 10 MB; a PNG, a WebP or a progressive JPEG is
decoded whole and may have up to MAX_DECODED_PIXELS (about 100 MB at 4 bytes a pixel). Pillow's own
guard (Image.MAX_IMAGE_PIXELS, which Django's and DRF's image fields also meet) is set to the same
limit, and its DecompressionBombWarning is an error.
"""

from __future__ import annotations

import io
import math
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024  # a phone camera's JPEG is 2-6 MB
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a JPEG: well above a 48 MP phone camera; decoded at a reduced scale
MAX_DECODED_PIXELS = 25_000_000  # PNG, WebP and progressive JPEG, decoded whole: at most ~100 MB
WEB_MAX_PX = 1600
THUMBNAIL_MAX_PX = 400
DOCUMENT_MAX_PX = 2400  # a scanned certificate stays legible
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
JPEG_QUALITY = 82

# Pillow refuses (DecompressionBombError) images over twice this many pixels and warns over it;
# the warning is made an error too, so nothing that reaches Pillow can decode past our limit.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)


@deconstructible
class UploadPath:
    """upload_to: "<folder>/<year>/<random>.<ext>" — the uploader's file name is never kept or shown."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        return f"{self.folder}/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other):
        return isinstance(other, UploadPath) and other.folder == self.folder


def read_limited(upload: File, limit: int) -> bytes:
    """The bytes of an upload, or ValidationError when it is empty or larger than `limit` bytes."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(_too_large(limit), code="file_too_large")
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise ValidationError(_too_large(limit), code="file_too_large")
    if not data:
        raise ValidationError(_("The file is empty."), code="empty_file")
    return data


def _too_large(limit: int) -> str:
    return _("The file is too large: the limit is %(megabytes)d MB.") % {"megabytes": limit // (1024 * 1024)}


def _too_many_pixels(limit: int) -> ValidationError:
    return ValidationError(
        _("The image is too large: at most %(megapixels)d megapixels.") % {"megapixels": limit // 1_000_000},
        code="image_too_large",
    )


def _not_an_image() -> ValidationError:
    return ValidationError(_("Upload a photo in JPEG, PNG or WebP format."), code="invalid_image")


def _pixel_limit(image: Image.Image) -> int:
    """How many pixels this image may have: more for a baseline JPEG, which is decoded at a reduced scale."""
    if image.format == "JPEG" and not image.info.get("progressive"):
        return MAX_PIXELS
    return MAX_DECODED_PIXELS


def _open_checked(data: bytes) -> Image.Image:
    """The image with only its header read, once its format and size are known to be acceptable."""
    try:
        image = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(MAX_DECODED_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _not_an_image() from exc
    if image.format not in IMAGE_FORMATS:
        raise _not_an_image()
    limit = _pixel_limit(image)
    if image.width * image.height > limit:
        raise _too_many_pixels(limit)
    return image


def _decode_image(data: bytes, max_px: int) -> Image.Image:
    """A decoded Pillow image from bytes, at least `max_px` on its long side when the original is larger,
    or ValidationError if they are not an acceptable JPEG, PNG or WebP."""
    try:
        _open_checked(data).verify()  # PNG: every chunk's checksum; a damaged file is refused here
        image = _open_checked(data)
        if image.format == "JPEG" and max(image.size) > max_px:
            # libjpeg decodes straight to 1/2, 1/4 or 1/8 of the size: the smallest still >= what we keep.
            ratio = max_px / max(image.size)
            image.draft(image.mode, (max(1, math.ceil(image.width * ratio)), max(1, math.ceil(image.height * ratio))))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _not_an_image() from exc
    return image


@dataclass(frozen=True)
class ProcessedImage:
    web: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _fit(image: Image.Image, max_px: int) -> Image.Image:
    """The image scaled down to fit `max_px` (never up); a new, smaller image, not a full-size copy."""
    if max(image.size) <= max_px:
        return image
    ratio = max_px / max(image.size)
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, max_px: int, name: str) -> tuple[ContentFile, int, int, Image.Image]:
    """The image at `max_px` at most, encoded without metadata; also returns the resized image."""
    resized = _fit(image, max_px)
    icc_profile = image.info.get("icc_profile")
    buffer = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if resized.mode in ("RGBA", "LA") or (resized.mode == "P" and "transparency" in image.info):
        output = resized.convert("RGBA")
        output.info = {}  # no EXIF, XMP or comments: only the pixels (and the colour profile) leave here
        output.save(buffer, format="PNG", optimize=True, **options)
        extension = "png"
    else:
        output = resized.convert("RGB")
        output.info = {}
        output.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **options)
        extension = "jpg"
    return ContentFile(buffer.getvalue(), name=f"{name}.{extension}"), output.width, output.height, resized


def _upright(data: bytes, max_px: int) -> Image.Image:
    image = _decode_image(data, max_px)
    # Phones store portrait photos sideways plus an EXIF "orientation": apply it before EXIF is dropped.
    ImageOps.exif_transpose(image, in_place=True)  # no full-size copy when there is nothing to turn
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGB")
    return image


def process_photo(upload: File) -> ProcessedImage:
    """Check an uploaded photo by content and return its web-size and thumbnail versions without metadata."""
    image = _upright(read_limited(upload, MAX_PHOTO_BYTES), WEB_MAX_PX)
    web, width, height, web_image = _encode(image, WEB_MAX_PX, "photo")
    thumbnail, _w, _h, _image = _encode(web_image, THUMBNAIL_MAX_PX, "thumbnail")
    return ProcessedImage(web=web, thumbnail=thumbnail, width=width, height=height)


def process_document(upload: File) -> ContentFile:
    """Check a certificate document: a PDF is kept as it is, an image is re-encoded without metadata."""
    data = read_limited(upload, MAX_DOCUMENT_BYTES)
    if data.startswith(b"%PDF-"):
        # A complete PDF ends with %%EOF (possibly followed by a line break or padding).
        if b"%%EOF" not in data[-1024:]:
            raise ValidationError(_("This PDF file is incomplete or damaged."), code="invalid_document")
        return ContentFile(data, name="document.pdf")
    try:
        image = _upright(data, DOCUMENT_MAX_PX)
    except ValidationError as exc:
        if exc.code == "image_too_large":
            raise
        raise ValidationError(
            _("Upload the certificate as a PDF file or a photo (JPEG, PNG or WebP)."), code="invalid_document"
        ) from exc
    document, _w, _h, _image = _encode(image, DOCUMENT_MAX_PX, "document")
    return document
