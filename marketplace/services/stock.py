"""A listing's units on sale (`Listing.stock`): reserved when an order is placed, released when it ends.

The one module that takes the listings' row locks and moves their stock; checkout, the order
transitions, the expiry sweep and the listing form all come here:

- `lock_listings` locks the listings of a set of cart lines (`SELECT … FOR NO KEY UPDATE`, in
  primary-key order, so two checkouts, or a checkout and a cancellation, never wait on each other
  in a cycle). The caller checks availability under these locks, then calls `stock_reserve`.
- `stock_reserve` takes the ordered units off sale with `F()` (the CHECK constraint `stock >= 0`
  backs the check up, whatever the code does).
- `stock_release` puts an order's units back on sale when it is cancelled or expires
  (`workflow.RELEASES_STOCK`), locking the listings in the same order as checkout.
- `lock_listing` is the producer's side: the listing form sets the stock under the same row lock,
  so it cannot race a checkout that is reserving units.

Every function runs inside the caller's transaction (they need one: `select_for_update` refuses to
run outside), so the locks are held until the order, its lines and its log are written too.
A shop's declared stock (`RetailStock`, in or out of stock at a shop) is another thing: see
services/catalogue.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import F

from marketplace.models import Listing, Order


def lock_listing(listing: Listing) -> Listing:
    """The listing's row again, locked against checkouts reserving its units until the transaction ends."""
    return Listing.objects.select_for_update(no_key=True).get(pk=listing.pk)


def lock_listings(quantities: Mapping[int, int]) -> list[Listing]:
    """Lock the listings of {listing id: quantity} in primary-key order, with their product and producer."""
    return list(
        Listing.objects.select_for_update(no_key=True, of=("self",))
        .select_related("product", "producer")
        .filter(pk__in=quantities)
        .order_by("pk")
    )


def stock_reserve(quantities: Mapping[int, int]) -> None:
    """Take {listing id: quantity} units off sale; the listings are locked (`lock_listings`) and checked."""
    for listing_id in sorted(quantities):
        Listing.objects.filter(pk=listing_id).update(stock=F("stock") - quantities[listing_id])


def stock_release(order: Order) -> None:
    """Put the order's units back on sale, locking the listings in primary-key order like checkout does."""
    quantities = dict(order.lines.values_list("listing_id", "quantity"))
    locked = Listing.objects.select_for_update(no_key=True).filter(pk__in=quantities).order_by("pk")
    for listing_id in locked.values_list("pk", flat=True):
        Listing.objects.filter(pk=listing_id).update(stock=F("stock") + quantities[listing_id])
