"""Stock under concurrent checkouts, in real threads against PostgreSQL: never oversold, no deadlock."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections
from django.utils import translation

from marketplace.models import Cart, Listing, Order
from marketplace.services import checkout_place
from tests.marketplace import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS = 24


def _run_in_threads(target, count: int) -> list:
    """Start `count` threads at once (a barrier), each running target(index); return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):  # messages are asserted in English; each thread has its own
                results[index] = target(index)
        except Exception as error:  # recorded and asserted on by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a checkout hung (deadlock?)"
    return results


def _world(stock: int):
    area = f.make_map()
    producer = f.make_producer(commune=area["viet_quang"])
    shop = f.make_shop("Cửa hàng Cam Việt Quang", 22.406, 104.821)
    listing = f.make_listing(f.make_product(producer), stock=stock, pickup_points=[shop])
    return producer, shop, listing


def _checkout(cart: Cart, shop, producer, token: uuid.UUID):
    return checkout_place(
        cart=cart,
        buyer=None,
        token=token,
        contact_name="Khách",
        phone="0987654321",
        email="khach@example.test",
        delivery_method="pickup",
        pickup_points={producer.pk: shop},
        payment_method="cod",
    )


def test_twenty_four_buyers_racing_for_the_last_five_units_make_exactly_five_orders():
    producer, shop, listing = _world(stock=5)
    carts = []
    for _ in range(BUYERS):
        cart = Cart.objects.create()
        cart.items.create(listing=listing, quantity=1)
        carts.append(cart)

    results = _run_in_threads(lambda i: _checkout(carts[i], shop, producer, uuid.uuid4()), BUYERS)

    placed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(placed) == 5
    assert len(refused) == BUYERS - 5
    assert all("sold out" in " ".join(getattr(e, "messages", [str(e)])) for e in refused), refused
    assert Order.objects.count() == 5
    assert Listing.objects.get(pk=listing.pk).stock == 0


def test_buyers_of_several_units_never_drive_the_stock_below_zero():
    producer, shop, listing = _world(stock=7)
    carts = []
    for index in range(BUYERS):
        cart = Cart.objects.create()
        cart.items.create(listing=listing, quantity=1 + index % 3)
        carts.append(cart)

    results = _run_in_threads(lambda i: _checkout(carts[i], shop, producer, uuid.uuid4()), BUYERS)

    sold = sum(o.units for r in results if not isinstance(r, Exception) for o in r.orders)
    stock = Listing.objects.get(pk=listing.pk).stock
    assert stock >= 0
    assert sold + stock == 7
    assert sold == sum(line for line in Order.objects.values_list("lines__quantity", flat=True))


def test_a_double_tap_sent_at_the_same_moment_places_one_order():
    producer, shop, listing = _world(stock=10)
    cart = Cart.objects.create()
    cart.items.create(listing=listing, quantity=2)
    token = uuid.uuid4()

    results = _run_in_threads(lambda i: _checkout(cart, shop, producer, token), 6)

    assert not [r for r in results if isinstance(r, Exception)], results
    order_ids = {tuple(o.pk for o in r.orders) for r in results}
    assert len(order_ids) == 1
    assert sum(r.created for r in results) == 1
    assert Order.objects.count() == 1
    assert Listing.objects.get(pk=listing.pk).stock == 8


def test_the_database_refuses_a_negative_stock_whatever_the_code_does():
    from django.db import IntegrityError

    _coop, _shop, listing = _world(stock=1)
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("UPDATE marketplace_listing SET stock = stock - 2 WHERE id = %s", [listing.pk])
