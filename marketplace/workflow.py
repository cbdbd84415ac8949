"""Order statuses and the explicit map of which status may follow which (pure, no database).

    placed ─┬─ confirm ─→ confirmed ─┬─ ship  ─→ shipped ──────────┬─ complete ─→ completed
            │                        └─ ready ─→ ready_for_pickup ─┘
            ├─ cancel ─→ cancelled ←─ cancel (from confirmed too)
            └─ expire ─→ expired   ←─ expire (unpaid bank transfers only, from confirmed too)

Guards beyond the map live in services/orders.py: ship is for home delivery and ready for pickup
orders; a bank-transfer order is paid before it leaves; expire is the system's, for unpaid
transfers past their deadline.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    CONFIRMED = "confirmed", _("confirmed")
    SHIPPED = "shipped", _("shipped")
    READY_FOR_PICKUP = "ready_for_pickup", _("ready for pickup")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("expired")


TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED, OrderStatus.EXPIRED}),
    OrderStatus.CONFIRMED: frozenset(
        {OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP, OrderStatus.CANCELLED, OrderStatus.EXPIRED}
    ),
    OrderStatus.SHIPPED: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.READY_FOR_PICKUP: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
}

#: An action (API action name, desk button) and the status it leads to.
ACTIONS: dict[str, str] = {
    "confirm": OrderStatus.CONFIRMED,
    "ship": OrderStatus.SHIPPED,
    "ready": OrderStatus.READY_FOR_PICKUP,
    "complete": OrderStatus.COMPLETED,
    "cancel": OrderStatus.CANCELLED,
    "expire": OrderStatus.EXPIRED,
}

ACTION_LABELS = {
    "confirm": _("Confirm"),
    "ship": _("Mark shipped"),
    "ready": _("Mark ready for pickup"),
    "complete": _("Mark completed"),
    "cancel": _("Cancel"),
    "expire": _("Expire"),
    "mark_paid": _("Mark paid"),
}

#: Statuses whose reserved stock goes back on sale.
RELEASES_STOCK = frozenset({OrderStatus.CANCELLED, OrderStatus.EXPIRED})
#: Statuses in which the order still needs the producer's attention (the desk shows these first).
OPEN_STATUSES = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP)


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
