"""Who may do what in tracing: the role checks shared by querysets, services and the API.

Object-level rules: a producer's staff read and write their own organisation's data; officials
(holders of tracing.verify_producer) read everything and take the participation decisions;
administrators may correct any record; everyone else reads only what is public.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from backend.roles import ADMINISTRATOR, user_has_role

VERIFY_PERMISSION = "tracing.verify_producer"


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_official(user) -> bool:
    """THE rule for officials: an active holder of tracing.verify_producer (the officials' role; the
    administrators' role and superusers hold every permission, so they pass too).

    Officials survey, approve, reject, suspend and reinstate producers, work the oversight queue and
    read all data. Every officials' page (oversight.views.common.official_required), API permission
    (oversight.api.IsOfficial) and service (require_official below) asks this and nothing else.
    """
    return is_authenticated(user) and user.is_active and user.has_perm(VERIFY_PERMISSION)


def require_official(user) -> None:
    """PermissionDenied unless `user` is an official (is_official)."""
    if not is_official(user):
        raise PermissionDenied(_("Only an official of the province may do this."))


def is_administrator(user) -> bool:
    return is_authenticated(user) and user.is_active and user_has_role(user, ADMINISTRATOR)


def member_producer_id(user) -> int | None:
    """The id of the producer organisation the user works for (a user has at most one), cached per request."""
    if not is_authenticated(user):
        return None
    if not hasattr(user, "_hg_producer_id"):
        from tracing.models import ProducerMembership

        user._hg_producer_id = (
            ProducerMembership.objects.filter(user=user).values_list("producer_id", flat=True).first()
        )
    return user._hg_producer_id


def can_manage(user, producer_id: int) -> bool:
    """May the user write this producer's data (organisation, certificates, areas, products, batches)?"""
    if not (is_authenticated(user) and user.is_active):
        return False
    return member_producer_id(user) == producer_id or is_administrator(user)


def can_read_all(user) -> bool:
    """Reads every record (querysets): officials, and administrators (who are officials by permission)."""
    return is_official(user) or is_administrator(user)


def sees_private_data(user, producer_id: int) -> bool:
    """The producer's own staff and officials see its whole record; everyone else its public facts only
    (tracing.disclosure)."""
    return can_manage(user, producer_id) or can_read_all(user)
