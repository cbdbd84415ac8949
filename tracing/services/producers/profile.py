"""A producer organisation's own record: the application, edits of its data, and its staff.

Changes to verified identity fields are not applied here once verification has begun: they are
handed to changes.py as a proposal for an official.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from backend.roles import PRODUCER_STAFF
from backend.storage import atomic_with_files
from geo.models import AdminUnit
from tracing import access, notifications
from tracing.models import Producer, ProducerMembership, ProducerStatusChange
from tracing.services.common import apply_changes, forget_cached_membership, raise_if, require_manager, save
from tracing.services.producers.changes import (
    IDENTITY_FIELDS,
    _check_proposal,
    _store_proposal,
    _withdraw_pending,
    needs_review,
)
from tracing.services.producers.contact import _clean_contact
from tracing.uploads import process_photo

EDITABLE_FIELDS = {
    "kind",
    "name",
    "tax_number",
    "address",
    "commune",
    "location",
    "representative",
    "phone",
    "email",
    "website",
    "zalo",
    "description_vi",
    "description_en",
    "logo",
}


def _set_logo(producer: Producer, logo: File | None, errors: dict) -> None:
    if logo is None:
        producer.logo = ""
        return
    try:
        processed = process_photo(logo)
    except ValidationError as exc:
        errors["logo"] = exc.messages
        return
    producer.logo.save(processed.web.name, processed.web, save=False)


def _join(producer: Producer, user, *, added_by) -> None:
    ProducerMembership.objects.create(producer=producer, user=user, added_by=added_by)
    user.groups.add(Group.objects.get(name=PRODUCER_STAFF))
    forget_cached_membership(user)
    if hasattr(user, "_hg_roles"):
        del user._hg_roles


@atomic_with_files()
def producer_apply(
    *,
    by,
    kind: str,
    name: str,
    tax_number: str,
    address: str,
    commune: AdminUnit,
    location: Point,
    representative: str,
    phone: str,
    email: str = "",
    website: str = "",
    zalo: str = "",
    description_vi: str = "",
    description_en: str = "",
    logo: File | None = None,
) -> Producer:
    """Register an organisation and apply to take part; the applicant becomes its first staff member.

    Refused for anonymous users, officials, and users who already belong to an organisation.
    Officials are emailed after the commit.
    """
    if not access.is_authenticated(by):
        raise PermissionDenied(_("Sign in to register a producer."))
    if access.is_official(by):
        raise PermissionDenied(_("Officials review applications; they cannot register a producer themselves."))
    if ProducerMembership.objects.filter(user=by).exists():
        raise ValidationError(_("You already belong to a producer organisation."))
    producer = Producer(
        kind=kind,
        name=name.strip(),
        tax_number=tax_number,
        address=address.strip(),
        commune=commune,
        location=location,
        representative=representative.strip(),
        phone=phone,
        email=email,
        website=website,
        zalo=zalo,
        description_vi=description_vi,
        description_en=description_en,
        status=Producer.Status.APPLIED,
    )
    errors: dict = {}
    _clean_contact(producer, errors)
    if logo is not None:
        _set_logo(producer, logo, errors)
    raise_if(errors)
    save(producer)
    _join(producer, by, added_by=by)
    ProducerStatusChange.objects.create(producer=producer, from_status="", to_status=producer.status, actor=by)
    transaction.on_commit(partial(notifications.send_application_email, producer.pk), robust=True)
    return producer


@atomic_with_files()
def producer_update(*, by, producer: Producer, **changes) -> Producer:
    """Change the organisation's data (its staff only).

    Once an official has begun to verify it (every status but applied and rejected), changes to what
    was verified — kind, name, tax number, address, commune, location, representative — are not
    applied: they wait for an official as a ProducerChange (added to the one already waiting; a field
    set back to its verified value leaves it), and the producer keeps its verified values on every
    page meanwhile. Contact details, descriptions and the logo change at once. `logo=None` removes
    the logo; a file replaces it (checked and resized).
    """
    require_manager(by, producer.pk)
    identity = {name: changes.pop(name) for name in list(changes) if name in IDENTITY_FIELDS}
    errors: dict = {}
    proposal = None
    if identity and needs_review(producer):
        Producer.objects.select_for_update().filter(pk=producer.pk).first()  # one proposal at a time
        errors, proposal = _check_proposal(producer, identity)
    else:
        changes.update(identity)
    has_logo, logo = "logo" in changes, changes.pop("logo", None)
    commune_changed = "commune" in changes and getattr(changes["commune"], "pk", None) != producer.commune_id
    apply_changes(producer, changes, EDITABLE_FIELDS)
    _clean_contact(producer, errors, check_commune=commune_changed)
    if has_logo:
        _set_logo(producer, logo, errors)
    raise_if(errors)
    save(producer)
    if proposal is not None:
        _store_proposal(by, producer, proposal)
    elif identity:
        _withdraw_pending(producer)  # changed directly (applied or rejected): nothing is left to review
    return producer


@transaction.atomic
def producer_staff_add(*, by, producer: Producer, user) -> ProducerMembership:
    """Add a person to the organisation's staff (its staff only); a person belongs to one organisation at most."""
    require_manager(by, producer.pk)
    if access.is_official(user):
        raise ValidationError({"user": _("An official cannot be a producer's staff member.")})
    if ProducerMembership.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This person already belongs to a producer organisation.")})
    _join(producer, user, added_by=by)
    return ProducerMembership.objects.get(user=user)


@transaction.atomic
def producer_staff_remove(*, by, producer: Producer, user) -> None:
    """Remove a staff member (its staff only). The last one cannot leave: someone must answer for the data."""
    require_manager(by, producer.pk)
    memberships = ProducerMembership.objects.select_for_update().filter(producer=producer)
    if not memberships.filter(user=user).exists():
        raise ValidationError({"user": _("This person is not on the staff.")})
    if memberships.count() == 1:
        raise ValidationError({"user": _("The last staff member cannot be removed.")})
    memberships.filter(user=user).delete()
    user.groups.remove(Group.objects.get(name=PRODUCER_STAFF))
    forget_cached_membership(user)
