"""Order statuses: every allowed transition, every refused one, the log, expiry and the stock it releases."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from marketplace.models import Cart, Listing, Order
from marketplace.services import (
    TransitionNotAllowed,
    checkout_place,
    order_mark_paid,
    order_record_stamp_serials,
    order_transition,
    orders_expire,
)
from marketplace.workflow import ACTIONS, TRANSITIONS, OrderStatus
from tracing.stamps.serials import new_serials

ALL_STATUSES = list(OrderStatus.values)
ACTION_OF = {target: name for name, target in ACTIONS.items()}


def place(listing, *, buyer=None, quantity=2, delivery="pickup", payment="cod", shop=None, commune=None):
    cart = Cart.objects.get_or_create(owner=buyer)[0] if buyer else Cart.objects.create()
    cart.items.create(listing=listing, quantity=quantity)
    result = checkout_place(
        cart=cart,
        buyer=buyer,
        token=uuid.uuid4(),
        contact_name="Trần Thị Bình",
        phone="0987654321",
        email="binh@example.test",
        delivery_method=delivery,
        pickup_points={listing.producer_id: shop} if shop else None,
        commune=commune,
        address="Số 12, thôn Tân Thành" if commune else "",
        payment_method=payment,
    )
    return result.orders[0]


def force_status(order, status, **extra):
    Order.objects.filter(pk=order.pk).update(status=status, **extra)
    order.refresh_from_db()
    return order


def _order_for(target, oranges, shop, area, consumer):
    """An order whose delivery suits the step: shipping needs home delivery, ready needs pickup."""
    if target == OrderStatus.SHIPPED:
        return place(oranges, buyer=consumer, delivery="home", commune=area["viet_quang"])
    return place(oranges, buyer=consumer, shop=shop)


ALLOWED = [(source, target) for source, targets in TRANSITIONS.items() for target in targets if target != "expired"]
REFUSED = [
    (source, target)
    for source in ALL_STATUSES
    for target in ALL_STATUSES
    if target not in TRANSITIONS[source] and target != OrderStatus.PLACED
]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_the_producer_moves_an_order_along_the_map_and_it_is_logged(
    source, target, oranges, shop, area, owner, consumer
):
    order = force_status(_order_for(target, oranges, shop, area, consumer), source)

    order_transition(
        by=owner, order=order, action=ACTION_OF[target], reason="Hết hàng" if target == "cancelled" else ""
    )

    order.refresh_from_db()
    assert order.status == target
    change = order.history.last()
    assert (change.from_status, change.to_status, change.actor) == (source, target, owner)
    assert change.created_at is not None


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_a_step_off_the_map_is_refused_and_changes_nothing(
    source, target, oranges, shop, area, owner, admin_user, consumer
):
    order = force_status(_order_for(target, oranges, shop, area, consumer), source)
    stock_before = Listing.objects.get(pk=oranges.pk).stock

    with pytest.raises(TransitionNotAllowed):
        order_transition(
            by=admin_user if target == "expired" else owner, order=order, action=ACTION_OF[target], reason="x"
        )

    order.refresh_from_db()
    assert order.status == source
    assert Listing.objects.get(pk=oranges.pk).stock == stock_before


def test_a_pickup_order_cannot_be_shipped_nor_a_delivery_made_ready(oranges, shop, area, owner):
    pickup = force_status(place(oranges, shop=shop), OrderStatus.CONFIRMED)
    home = force_status(place(oranges, delivery="home", commune=area["viet_quang"]), OrderStatus.CONFIRMED)
    with pytest.raises(TransitionNotAllowed):
        order_transition(by=owner, order=pickup, action="ship")
    with pytest.raises(TransitionNotAllowed):
        order_transition(by=owner, order=home, action="ready")


def test_an_unpaid_transfer_cannot_leave_until_marked_paid(oranges, area, owner):
    order = place(oranges, delivery="home", commune=area["viet_quang"], payment="transfer")
    order_transition(by=owner, order=order, action="confirm")
    with pytest.raises(TransitionNotAllowed):
        order_transition(by=owner, order=order, action="ship")

    order_mark_paid(by=owner, order=order)
    order_transition(by=owner, order=order, action="ship")

    order.refresh_from_db()
    assert order.status == "shipped" and order.is_paid
    assert [c.action for c in order.history.all()] == ["place", "confirm", "mark_paid", "ship"]


def test_the_producer_must_say_why_it_cancels(oranges, shop, owner):
    order = place(oranges, shop=shop)
    with pytest.raises(ValidationError) as caught:
        order_transition(by=owner, order=order, action="cancel")
    assert "reason" in caught.value.message_dict


def test_cancelling_puts_the_units_back_on_sale(oranges, shop, owner):
    order = place(oranges, shop=shop, quantity=4)
    assert Listing.objects.get(pk=oranges.pk).stock == 96
    order_transition(by=owner, order=order, action="cancel", reason="Khách gọi huỷ")
    assert Listing.objects.get(pk=oranges.pk).stock == 100


def test_the_buyer_may_cancel_a_new_order_but_not_a_confirmed_one(oranges, shop, owner, consumer):
    first = place(oranges, buyer=consumer, shop=shop)
    order_transition(by=consumer, order=first, action="cancel")
    assert Order.objects.get(pk=first.pk).status == "cancelled"
    assert Listing.objects.get(pk=oranges.pk).stock == 100

    second = place(oranges, buyer=consumer, shop=shop)
    order_transition(by=owner, order=second, action="confirm")
    with pytest.raises(TransitionNotAllowed):
        order_transition(by=consumer, order=second, action="cancel")
    assert Order.objects.get(pk=second.pk).status == "confirmed"
    assert Listing.objects.get(pk=oranges.pk).stock == 98


def test_the_secret_link_lets_an_anonymous_buyer_cancel(oranges, shop, client):
    from django.contrib.auth.models import AnonymousUser

    order = place(oranges, shop=shop)
    with pytest.raises(PermissionDenied):
        order_transition(by=AnonymousUser(), order=order, action="cancel", token="wrong")
    order_transition(by=AnonymousUser(), order=order, action="cancel", token=order.token)
    assert Order.objects.get(pk=order.pk).status == "cancelled"


@pytest.mark.parametrize("action", ["confirm", "ship", "ready", "complete", "cancel"])
def test_the_buyer_and_other_producers_cannot_run_the_producers_steps(
    action, oranges, shop, consumer, stranger, official
):
    order = place(oranges, buyer=consumer, shop=shop)
    for outsider in (stranger, official):
        with pytest.raises(PermissionDenied):
            order_transition(by=outsider, order=order, action=action, reason="x")
    if action != "cancel":
        with pytest.raises(PermissionDenied):
            order_transition(by=consumer, order=order, action=action)


def test_an_overdue_unpaid_transfer_expires_and_releases_its_stock(oranges, area, settings):
    settings.MARKETPLACE_UNPAID_TRANSFER_HOURS = 2
    order = place(oranges, delivery="home", commune=area["viet_quang"], payment="transfer", quantity=5)
    assert order.pay_by - order.placed_at == pytest.approx(
        datetime.timedelta(hours=2), abs=datetime.timedelta(seconds=5)
    )
    assert Listing.objects.get(pk=oranges.pk).stock == 95

    assert orders_expire(now=timezone.now() + datetime.timedelta(hours=1)) == 0
    assert orders_expire(now=timezone.now() + datetime.timedelta(hours=3)) == 1

    order.refresh_from_db()
    assert order.status == "expired"
    assert order.history.last().actor is None
    assert Listing.objects.get(pk=oranges.pk).stock == 100


def test_paid_transfers_and_cash_orders_never_expire(oranges, area, shop, owner):
    paid = place(oranges, delivery="home", commune=area["viet_quang"], payment="transfer")
    order_mark_paid(by=owner, order=paid)
    place(oranges, shop=shop)
    Order.objects.update(pay_by=timezone.now() - datetime.timedelta(days=1))

    assert orders_expire() == 0
    assert set(Order.objects.values_list("status", flat=True)) == {"placed"}


def test_the_expire_orders_command_runs_the_sweep(oranges, area, capsys):
    order = place(oranges, delivery="home", commune=area["viet_quang"], payment="transfer")
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - datetime.timedelta(minutes=1))
    call_command("expire_orders")
    assert "expired orders: 1" in capsys.readouterr().out
    assert Order.objects.get(pk=order.pk).status == "expired"


def test_nobody_but_the_system_expires_an_order_by_hand(oranges, area, owner):
    order = place(oranges, delivery="home", commune=area["viet_quang"], payment="transfer")
    with pytest.raises(PermissionDenied):
        order_transition(by=owner, order=order, action="expire")


@pytest.mark.django_db(transaction=True)  # the worker closes the connection between tasks
def test_each_step_emails_the_buyer_and_the_producer(oranges, shop, owner):
    order = place(oranges, shop=shop)
    run_worker()  # the placement's emails
    mail.outbox.clear()
    order_transition(by=owner, order=order, action="confirm")
    assert mail.outbox == []  # sent by the background worker, not in the request
    run_worker()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(["binh@example.test", owner.email, order.producer.email])
    assert all(order.reference in message.subject for message in mail.outbox)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


@pytest.mark.django_db(transaction=True)  # the worker closes the connection between tasks
def test_a_step_that_rolls_back_sends_no_email(oranges, shop, owner):
    from django.db import transaction

    order = place(oranges, shop=shop)
    run_worker()
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        order_transition(by=owner, order=order, action="confirm")
        raise RuntimeError("the request failed after the step")
    run_worker()
    assert mail.outbox == []


def activated_stamps(*, producer, product, owner, count: int) -> list[str]:
    """Real stamps: issued by an official to the producer, activated by its staff onto a batch."""
    from backend import roles
    from tests.conftest import make_user
    from tracing import services as tracing_services
    from tracing.models import Stamp
    from tracing.stamps.selection import Selection

    official = make_user("stamp_official", roles.OFFICIAL)
    run = tracing_services.stamps_issue(by=official, producer=producer, quantity=count, product=product)
    batch = tracing_services.batch_create(
        by=owner, product=product, lot_code="CS-2026-01", harvest_started_on=datetime.date(2026, 11, 1), quantity=100
    )
    stamps = list(Stamp.objects.filter(run=run).order_by("number"))
    tracing_services.stamps_activate(
        by=owner, batch=batch, selection=Selection(first=stamps[0].serial, last=stamps[-1].serial)
    )
    return [stamp.serial for stamp in stamps]


def test_the_producer_records_the_serials_of_the_stamps_it_ships(client, oranges, shop, owner, stranger, producer):
    order = place(oranges, shop=shop, quantity=2)
    first, second, third = activated_stamps(producer=producer, product=oranges.product, owner=owner, count=3)
    with pytest.raises(TransitionNotAllowed):
        order_record_stamp_serials(by=owner, order=order, serials=[first])
    order_transition(by=owner, order=order, action="confirm")
    with pytest.raises(PermissionDenied):
        order_record_stamp_serials(by=stranger, order=order, serials=[first])

    typed = f"{first[:4].lower()}-{first[4:]}"  # as a person types it
    rows = order_record_stamp_serials(by=owner, order=order, serials=[typed, second])

    assert [row.serial for row in rows] == [first, second]
    scan_page = client.get(f"/t/{first}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "through the Hà Giang Origin online marketplace" in scan_page
    with pytest.raises(ValidationError):  # more serials than units
        order_record_stamp_serials(by=owner, order=order, serials=[third])
    other = place(oranges, shop=shop)
    order_transition(by=owner, order=other, action="confirm")
    with pytest.raises(ValidationError, match="Already recorded"):
        order_record_stamp_serials(by=owner, order=other, serials=[first])
    with pytest.raises(ValidationError):
        order_record_stamp_serials(by=owner, order=other, serials=[first[:-1] + ("0" if first[-1] != "0" else "1")])


def test_a_stamp_that_is_not_this_producers_activated_one_is_refused_and_nothing_is_recorded(oranges, shop, owner):
    from marketplace.models import OrderStampSerial

    order = place(oranges, shop=shop, quantity=1)
    order_transition(by=owner, order=order, action="confirm")
    (never_issued,) = new_serials(1)
    with pytest.raises(ValidationError):
        order_record_stamp_serials(by=owner, order=order, serials=[never_issued])
    assert not OrderStampSerial.objects.exists()
