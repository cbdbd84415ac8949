"""Who may do what in tracing: the role checks shared by querysets, services and the API.

Object-level rules: a producer's staff read and write their own organisation's data; officials
(holders of tracing.verify_producer) read everything and take the participation decisions;
administrators may correct any record; everyone else reads only what is public.
"""

from __future__ import annotations

from backend.roles import ADMINISTRATOR, user_has_role

VERIFY_PERMISSION = "tracing.verify_producer"


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_official(user) -> bool:
    """Officials survey, approve, reject, suspend and reinstate producers, and read all their data."""
    return is_authenticated(user) and user.is_active and user.has_perm(VERIFY_PERMISSION)


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
    return is_official(user) or is_administrator(user)


def sees_private_data(user, producer_id: int) -> bool:
    """The producer's own staff and officials see its whole record; everyone else its public facts only
    (tracing.disclosure)."""
    return can_manage(user, producer_id) or can_read_all(user)
