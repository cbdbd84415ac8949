"""Uploaded photos and documents: checked by their content, never by their name or declared type.

Photos are decoded by Pillow, turned upright, re-encoded without their metadata (EXIF carries the
phone's GPS position and serial numbers) at a web size and a thumbnail size. Certificate documents
are a PDF (header and end-of-file marker) or an image (re-encoded the same way). A renamed program,
a truncated file, a decompression bomb or a file over the size limit is refused with a message.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024  # a phone camera's JPEG is 2-6 MB
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # well above a 48 MP phone camera; refuses decompression bombs early
WEB_MAX_PX = 1600
THUMBNAIL_MAX_PX = 400
DOCUMENT_MAX_PX = 2400  # a scanned certificate stays legible
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
JPEG_QUALITY = 82


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


def _decode_image(data: bytes) -> Image.Image:
    """A fully decoded Pillow image from bytes, or ValidationError if they are not a JPEG, PNG or WebP."""
    not_an_image = ValidationError(_("Upload a photo in JPEG, PNG or WebP format."), code="invalid_image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("The image is too large: at most %(megapixels)d megapixels.")
                    % {"megapixels": MAX_PIXELS // 1_000_000},
                    code="image_too_large",
                )
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise not_an_image from exc
    return image


@dataclass(frozen=True)
class ProcessedImage:
    web: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(image: Image.Image, max_px: int, name: str) -> tuple[ContentFile, int, int]:
    resized = image.copy()
    resized.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    icc_profile = image.info.get("icc_profile")
    resized.info = {}  # no EXIF, XMP or comments: only the pixels (and the colour profile) leave here
    buffer = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if resized.mode in ("RGBA", "LA") or (resized.mode == "P" and "transparency" in image.info):
        resized = resized.convert("RGBA")
        resized.save(buffer, format="PNG", optimize=True, **options)
        extension = "png"
    else:
        resized = resized.convert("RGB")
        resized.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **options)
        extension = "jpg"
    return ContentFile(buffer.getvalue(), name=f"{name}.{extension}"), resized.width, resized.height


def _upright(data: bytes) -> Image.Image:
    image = _decode_image(data)
    # Phones store portrait photos sideways plus an EXIF "orientation": apply it before EXIF is dropped.
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGB")
    return upright


def process_photo(upload: File) -> ProcessedImage:
    """Check an uploaded photo by content and return its web-size and thumbnail versions without metadata."""
    image = _upright(read_limited(upload, MAX_PHOTO_BYTES))
    web, width, height = _encode(image, WEB_MAX_PX, "photo")
    thumbnail, _w, _h = _encode(image, THUMBNAIL_MAX_PX, "thumbnail")
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
        image = _upright(data)
    except ValidationError as exc:
        if exc.code == "image_too_large":
            raise
        raise ValidationError(
            _("Upload the certificate as a PDF file or a photo (JPEG, PNG or WebP)."), code="invalid_document"
        ) from exc
    document, _w, _h = _encode(image, DOCUMENT_MAX_PX, "document")
    return document
