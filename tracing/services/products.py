"""Products: text in two languages, GTIN, region, certificates, photos and the audio clip."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from backend.storage import atomic_with_files
from geo.models import GrowingRegion, ProductKind
from tracing.audio import audio_check
from tracing.gs1 import gtin_to_14
from tracing.models import Certificate, Producer, Product, ProductPhoto
from tracing.services.common import apply_changes, check_owned, raise_if, require_manager, save
from tracing.uploads import process_photo

PRODUCT_FIELDS = {
    "kind",
    "name_vi",
    "name_en",
    "description_vi",
    "description_en",
    "unit",
    "net_quantity",
    "net_quantity_unit",
    "gtin",
    "growing_region",
    "certificates",
    "is_active",
}


def _delete_file_later(field_file) -> None:
    """Remove a replaced upload from storage once the change is committed (never before: a rollback keeps it)."""
    if field_file:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def _save_product(product: Product, certificates) -> Product:
    errors: dict = {}
    product.name_vi, product.name_en = product.name_vi.strip(), product.name_en.strip()
    if product.gtin:
        try:
            product.gtin = gtin_to_14(product.gtin.strip())
        except ValueError as exc:
            errors["gtin"] = str(exc)
        else:
            if Product.objects.filter(gtin=product.gtin).exclude(pk=product.pk).exists():
                errors["gtin"] = _("Another product already uses this GTIN.")
    if product.net_quantity is not None and product.net_quantity <= 0:
        errors["net_quantity"] = _("The net quantity must be above zero.")
    region = product.growing_region
    if region is not None and product.kind_id and region.product_kind_id != product.kind_id:
        errors["growing_region"] = _("This growing region is for another kind of product.")
    if certificates is not None:
        certificates = check_owned(
            errors, "certificates", certificates, product.producer_id, _("Choose your own certificates.")
        )
    raise_if(errors)
    save(product)
    if certificates is not None:
        product.certificates.set(certificates)
    return product


@transaction.atomic
def product_create(
    *,
    by,
    producer: Producer,
    kind: ProductKind,
    name_vi: str,
    net_quantity: Decimal,
    name_en: str = "",
    description_vi: str = "",
    description_en: str = "",
    unit: str = "kg",
    net_quantity_unit: str = "kg",
    gtin: str = "",
    growing_region: GrowingRegion | None = None,
    certificates: Iterable[Certificate] = (),
    is_active: bool = True,
) -> Product:
    """Describe a product of the producer (its staff). A GTIN-8/12/13 is checked and stored as GTIN-14."""
    require_manager(by, producer.pk)
    product = Product(
        producer=producer,
        kind=kind,
        name_vi=name_vi,
        name_en=name_en,
        description_vi=description_vi,
        description_en=description_en,
        unit=unit,
        net_quantity=net_quantity,
        net_quantity_unit=net_quantity_unit,
        gtin=gtin or "",
        growing_region=growing_region,
        is_active=is_active,
    )
    return _save_product(product, list(certificates))


@transaction.atomic
def product_update(*, by, product: Product, **changes) -> Product:
    """Change a product (its producer's staff); `is_active=False` hides it without deleting its history."""
    require_manager(by, product.producer_id)
    certificates = changes.pop("certificates", None)
    if "gtin" in changes and changes["gtin"] is None:
        changes["gtin"] = ""
    apply_changes(product, changes, PRODUCT_FIELDS)
    return _save_product(product, list(certificates) if certificates is not None else None)


@atomic_with_files()
def product_photo_add(*, by, product: Product, image: File) -> ProductPhoto:
    """Add a photo: checked by content, turned upright, stored at ≤ 1600 px plus a 400 px thumbnail, EXIF removed."""
    require_manager(by, product.producer_id)
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.photos.count() >= ProductPhoto.MAX_PER_PRODUCT:
        raise ValidationError({"image": _("At most %(count)d photos.") % {"count": ProductPhoto.MAX_PER_PRODUCT}})
    try:
        processed = process_photo(image)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    position = (product.photos.aggregate(last=Max("position"))["last"] or 0) + 1
    photo = ProductPhoto(product=product, position=position)
    photo.image.save(processed.web.name, processed.web, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    photo.save()
    return photo


@transaction.atomic
def product_photo_delete(*, by, photo: ProductPhoto) -> None:
    require_manager(by, photo.product.producer_id)
    _delete_file_later(photo.image)
    _delete_file_later(photo.thumbnail)
    photo.delete()


@atomic_with_files()
def product_audio_set(*, by, product: Product, audio: File) -> Product:
    """Attach the spoken description: MP3, Ogg, M4A or WebM by content, at most 5 MB and 3 minutes."""
    require_manager(by, product.producer_id)
    try:
        clip = audio_check(audio)
    except ValidationError as exc:
        raise ValidationError({"audio": exc.messages}) from exc
    old = product.audio
    _delete_file_later(old)
    product.audio.save(clip.file.name, clip.file, save=False)
    product.audio_content_type, product.audio_duration_s = clip.content_type, clip.duration_s
    product.save(update_fields=["audio", "audio_content_type", "audio_duration_s", "updated_at"])
    return product


@transaction.atomic
def product_audio_clear(*, by, product: Product) -> Product:
    require_manager(by, product.producer_id)
    _delete_file_later(product.audio)
    product.audio, product.audio_content_type, product.audio_duration_s = "", "", None
    product.save(update_fields=["audio", "audio_content_type", "audio_duration_s", "updated_at"])
    return product
