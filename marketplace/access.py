"""Who may do what in the marketplace (object level), shared by services, pages and the API.

- A producer's staff manage its listings, selling terms and orders, and authorise shops for its own
  products only.
- A retail point's staff declare that point's stock, and nobody else's.
- A buyer sees and cancels (while still new) their own orders; an anonymous buyer does the same with
  the order's secret link.
- Administrators may do everything. Officials see no individual order: orders hold buyers'
  personal data, and oversight needs only aggregated figures.
"""

from __future__ import annotations

from tracing import access as tracing_access


def is_authenticated(user) -> bool:
    return tracing_access.is_authenticated(user) and user.is_active


def is_administrator(user) -> bool:
    return tracing_access.is_administrator(user)


def producer_of(user) -> int | None:
    """The id of the producer the user works for, if any."""
    return tracing_access.member_producer_id(user)


def can_sell_for(user, producer_id: int) -> bool:
    """May the user manage this producer's listings, orders and resellers?"""
    return is_authenticated(user) and (producer_of(user) == producer_id or is_administrator(user))


def can_edit_stock(user, retail_point) -> bool:
    """May the user declare this retail point's stock (its staff, or an administrator)?"""
    if not is_authenticated(user):
        return False
    return is_administrator(user) or retail_point.staff.filter(pk=user.pk).exists()


def orders_visible_to(user, queryset):
    """The orders a signed-in user may list: those they bought, and their producer's."""
    from django.db.models import Q

    if not is_authenticated(user):
        return queryset.none()
    if is_administrator(user):
        return queryset
    condition = Q(buyer_id=user.pk)
    own_producer = producer_of(user)
    if own_producer is not None:
        condition |= Q(producer_id=own_producer)
    return queryset.filter(condition)
