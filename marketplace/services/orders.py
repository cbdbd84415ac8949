"""Every change to an order after checkout: status transitions, payment, expiry, sold stamp serials."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import access, notifications
from marketplace.models import Order, OrderStampSerial, OrderStatusChange
from marketplace.services import stock
from marketplace.workflow import ACTIONS, RELEASES_STOCK, OrderStatus, can_transition, shipping_details
from tracing.services import stamps_mark_sold
from tracing.stamps.serials import parse_serial

MAX_REASON_LENGTH = 1000
STAMPABLE_STATUSES = (
    OrderStatus.CONFIRMED,
    OrderStatus.SHIPPED,
    OrderStatus.READY_FOR_PICKUP,
    OrderStatus.COMPLETED,
)


class TransitionNotAllowed(ValidationError):
    """The order's status (or its delivery or payment) does not allow this step (HTTP 409 in the API)."""


def _log(order: Order, *, action: str, from_status: str, by, reason: str = "") -> OrderStatusChange:
    change = OrderStatusChange.objects.create(
        order=order, action=action, from_status=from_status, to_status=order.status, actor=by, reason=reason
    )
    notifications.queue_order_emails(change.pk)
    return change


def _refuse(order: Order, action: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("An order that is %(status)s cannot be moved to %(target)s.")
        % {"status": order.get_status_display(), "target": OrderStatus(ACTIONS[action]).label},
        code="transition",
    )


def _check_permission(order: Order, action: str, by, token: str | None, system: bool) -> None:
    if action == "expire":
        if not (system or access.is_administrator(by)):
            raise PermissionDenied(_("Orders expire by themselves when an unpaid transfer is overdue."))
        return
    if access.can_sell_for(by, order.producer_id):
        return
    is_buyer = (access.is_authenticated(by) and order.buyer_id == by.pk) or (token is not None and token == order.token)
    if action == "cancel" and is_buyer:
        if order.status != OrderStatus.PLACED:
            raise TransitionNotAllowed(
                _("The producer has already confirmed this order: ask them to cancel it."), code="transition"
            )
        return
    raise PermissionDenied(_("Only the producer's staff may do this."))


def _check_guards(order: Order, action: str, reason: str, seller: bool, now: datetime.datetime) -> None:
    if action == "ship" and order.delivery_method != Order.Delivery.HOME:
        raise TransitionNotAllowed(_("This order is collected at a shop: mark it ready for pickup."), code="transition")
    if action == "ready" and order.delivery_method != Order.Delivery.PICKUP:
        raise TransitionNotAllowed(_("This order is delivered to the buyer: mark it shipped."), code="transition")
    if action in ("ship", "ready") and order.payment_method == Order.Payment.TRANSFER and not order.is_paid:
        raise TransitionNotAllowed(_("Mark the bank transfer as received first."), code="transition")
    if action == "cancel" and seller and not reason:
        raise ValidationError({"reason": _("Say why the order is cancelled: the buyer will read it.")})
    if action == "expire" and not (order.awaits_transfer and order.pay_by is not None and order.pay_by <= now):
        raise TransitionNotAllowed(_("Only unpaid transfers past their deadline expire."), code="transition")


@transaction.atomic
def order_transition(
    *,
    by,
    order: Order,
    action: str,
    reason: str = "",
    token: str | None = None,
    system: bool = False,
    carrier: str = "",
    tracking_number: str = "",
) -> Order:
    """Move an order one step along the transition map (workflow.TRANSITIONS) and log who, when and why.

    The producer's staff confirm, ship (home delivery) or mark ready (pickup), complete and cancel
    (with a reason); the buyer may cancel while the order is still new (signed in, or with the
    secret `token`); `expire` is the system's. Cancelling and expiring put the units back on sale.
    Shipping may name the carrier and its tracking number (workflow.shipping_details), shown to the buyer.
    Raises PermissionDenied, TransitionNotAllowed, or ValidationError naming `reason` or `action`.
    """
    if action not in ACTIONS:
        raise ValidationError({"action": _("Unknown action.")})
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": _("At most 1000 characters.")})
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    _check_permission(order, action, by, token, system)
    target = ACTIONS[action]
    if not can_transition(order.status, target):
        raise _refuse(order, action)
    _check_guards(order, action, reason, access.can_sell_for(by, order.producer_id), timezone.now())
    from_status = order.status
    order.status = target
    if action == "ship":
        order.carrier, order.tracking_number = shipping_details(carrier, tracking_number)
    elif carrier or tracking_number:
        raise ValidationError({"carrier": _("A carrier is given only when the order is shipped.")})
    order.save(update_fields=["status", "carrier", "tracking_number", "updated_at"])
    if target in RELEASES_STOCK:
        stock.stock_release(order)
    actor = by if access.is_authenticated(by) else None
    _log(order, action=action, from_status=from_status, by=actor, reason=reason)
    return order


@transaction.atomic
def order_mark_paid(*, by, order: Order, reason: str = "") -> Order:
    """The producer records that the bank transfer arrived (an unpaid transfer no longer expires)."""
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if not access.can_sell_for(by, order.producer_id):
        raise PermissionDenied(_("Only the producer's staff may do this."))
    if order.payment_method != Order.Payment.TRANSFER:
        raise TransitionNotAllowed(_("This order is paid in cash on delivery."), code="transition")
    if order.is_paid:
        raise TransitionNotAllowed(_("This order is already marked paid."), code="transition")
    if order.status not in (OrderStatus.PLACED, OrderStatus.CONFIRMED):
        raise TransitionNotAllowed(
            _("An order that is %(status)s cannot be marked paid.") % {"status": order.get_status_display()},
            code="transition",
        )
    order.paid_at = timezone.now()
    order.save(update_fields=["paid_at", "updated_at"])
    _log(order, action="mark_paid", from_status=order.status, by=by, reason=(reason or "").strip())
    return order


def orders_expire(*, now: datetime.datetime | None = None, producer_id: int | None = None) -> int:
    """Expire every unpaid transfer past its deadline, releasing its stock; returns how many expired.

    Each order in its own short transaction; orders another process holds are skipped (the next
    sweep takes them). Run by `manage.py expire_orders` (cron or a loop beside the worker) and,
    for the orders it shows, by the producer's desk.
    """
    now = now or timezone.now()
    due = Order.objects.filter(
        payment_method=Order.Payment.TRANSFER,
        paid_at__isnull=True,
        status__in=(OrderStatus.PLACED, OrderStatus.CONFIRMED),
        pay_by__lte=now,
    )
    if producer_id is not None:
        due = due.filter(producer_id=producer_id)
    expired = 0
    for order_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            order = Order.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=order_id).first()
            if order is None or not (order.awaits_transfer and order.pay_by <= now):
                continue
            from_status = order.status
            order.status = OrderStatus.EXPIRED
            order.save(update_fields=["status", "updated_at"])
            stock.stock_release(order)
            _log(
                order,
                action="expire",
                from_status=from_status,
                by=None,
                reason=_("The bank transfer did not arrive in time."),
            )
            expired += 1
    return expired


@transaction.atomic
def order_record_stamp_serials(*, by, order: Order, serials: Iterable[str]) -> list[OrderStampSerial]:
    """Record the serials of the stamped units shipped in an order (each stamp can be sold only once).

    Allowed from confirmation on; at most as many serials as units in the order. Typed serials are
    normalised (separators, O→0, I/L→1) and must carry a valid check symbol. Raises ValidationError
    naming `serials`, also when tracing refuses a stamp (not this producer's, not activated).
    """
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if not access.can_sell_for(by, order.producer_id):
        raise PermissionDenied(_("Only the producer's staff may do this."))
    if order.status not in STAMPABLE_STATUSES:
        raise TransitionNotAllowed(_("Record stamps once the order is confirmed."), code="transition")
    parsed, problems = [], []
    for typed in serials:
        if not (typed or "").strip():
            continue
        try:
            parsed.append(parse_serial(typed))
        except ValueError as error:
            problems.append(f"{typed}: {error}")
    if problems:
        raise ValidationError({"serials": problems})
    if not parsed:
        raise ValidationError({"serials": [_("Enter at least one stamp code.")]})
    if len(set(parsed)) != len(parsed):
        raise ValidationError({"serials": [_("A stamp code is listed twice.")]})
    already = set(OrderStampSerial.objects.filter(serial__in=parsed).values_list("serial", flat=True))
    if already:
        raise ValidationError(
            {"serials": [_("Already recorded as sold: %(codes)s") % {"codes": ", ".join(sorted(already))}]}
        )
    if order.stamp_serials.count() + len(parsed) > order.units:
        raise ValidationError({"serials": [_("This order has only %(count)d units.") % {"count": order.units}]})
    try:
        with transaction.atomic():
            rows = OrderStampSerial.objects.bulk_create(
                OrderStampSerial(order=order, serial=serial, recorded_by=by) for serial in parsed
            )
            # The stamps themselves: activated ones of this producer become sold (all or nothing), so
            # later scans say "sold on … through the online marketplace".
            stamps_mark_sold(by=by, serials=parsed, via="marketplace")
    except IntegrityError:
        raise ValidationError({"serials": [_("A stamp code was recorded by someone else just now.")]}) from None
    OrderStatusChange.objects.create(
        order=order,
        action="stamps",
        from_status=order.status,
        to_status=order.status,
        actor=by,
        reason=", ".join(parsed),
    )
    return rows
