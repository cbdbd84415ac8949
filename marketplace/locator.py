"""The locator's "genuine, in stock" filters, plugged into geo's nearest-shop API from AppConfig.ready().

`?product=ID`: shops the producer of product ID authorised as resellers and that have it in stock.
`?in_stock=1` (with `product_kind=`): the same for any product of that kind. Both are an EXISTS on
the partial index `retailstock_genuine_idx` inside geo's KNN query, so the search stays
index-assisted.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from marketplace.models import RetailStock


def genuine_in_stock(**product_filter) -> Q:
    """Q on RetailPoint: an authorised, in-stock RetailStock row of a product matching `product_filter`."""
    rows = RetailStock.objects.filter(retail_point_id=OuterRef("pk"), authorised=True, in_stock=True, **product_filter)
    return Q(Exists(rows))


def product_filter(value: str, params: Mapping | None = None) -> Q:
    try:
        product_id = int(value)
    except (TypeError, ValueError):
        raise ValueError(_("product must be a product id (a whole number).")) from None
    if product_id < 1 or product_id > 2**63 - 1:
        raise ValueError(_("product must be a product id (a whole number)."))
    return genuine_in_stock(product_id=product_id)


def in_stock_filter(value: str, params: Mapping | None = None) -> Q:
    """`in_stock=1`: only shops with an authorised product in stock, of `product_kind` when that is given.

    geo passes the request's other parameters when it supports it (see the report of issue 6);
    without them the filter means "any authorised product in stock".
    """
    if value not in ("1", "true", "0", "false"):
        raise ValueError(_("in_stock must be 1 or 0."))
    if value in ("0", "false"):
        return Q()
    kind = (params or {}).get("product_kind")
    return genuine_in_stock(product__kind__code=kind) if kind else genuine_in_stock()


def register() -> None:
    from geo.queries import register_nearest_filter

    register_nearest_filter(
        "product",
        product_filter,
        description="Only authorised resellers with this product (id) in stock.",
    )
    register_nearest_filter(
        "in_stock",
        in_stock_filter,
        description="1: only authorised resellers with stock (of product_kind, if given).",
        with_params=True,  # `in_stock` reads `product_kind` from the same request
    )
