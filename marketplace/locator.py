"""The locator's "genuine, in stock" filters, plugged into geo's nearest-shop API from AppConfig.ready().

`?product=ID`: shops the producer of product ID authorised as resellers and that have it in stock.
`?in_stock=1` (with `product_kind=`): the same for any product of that kind. Each filter is given
as a Q (geo's ORM path, and other callers) and as the same condition in SQL (an EXISTS on the
partial index `retailstock_genuine_idx`), which lets geo prepare the API's statement once and reuse
it; tests check that both find the same shops.

Both also give geo a candidate source (geo.filters.NearestFilter.source): the genuine, in-stock
stock rows, which carry their shop's location (kept by triggers, see migration 0002) under the GiST
index `retailstock_near_idx` on (product, location). The nearest search then walks about a dozen of
the product's rows instead of the ~40 times more shops around the point that the EXISTS inside the
all-shops walk rejects one by one (few shops carry a given product). For `in_stock` the walk goes
over the rows of the kind's products (one row per shop), which the index orders but cannot narrow
to the kind: it reads rows of other products too, still far fewer than the shops around the point.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from geo.filters import NearestFilter, register_nearest_filter
from geo.models import ProductKind
from marketplace.models import RetailStock
from tracing.models import Product


def genuine_in_stock(**product_filter) -> Q:
    """Q on RetailPoint: an authorised, in-stock RetailStock row of a product matching `product_filter`."""
    rows = RetailStock.objects.filter(retail_point_id=OuterRef("pk"), authorised=True, in_stock=True, **product_filter)
    return Q(Exists(rows))


def _genuine_in_stock_sql(product_condition: str = "", *, join_kind: bool = False) -> str:
    """genuine_in_stock in SQL for geo: `{id}` is the retail point's id column, `s` the stock row and,
    with `join_kind`, `p` its product and `k` the product's kind. Only names from the models and
    constant texts of this module go into it: values are parameters.
    """
    stock = RetailStock._meta
    product = Product._meta
    kind = ProductKind._meta
    joins = ""
    if join_kind:
        joins = (
            f' JOIN "{product.db_table}" p ON p."{product.pk.column}" = s."{stock.get_field("product").column}"'
            f' JOIN "{kind.db_table}" k ON k."{kind.pk.column}" = p."{product.get_field("kind").column}"'
        )
    condition = f" AND {product_condition}" if product_condition else ""
    retail_point = stock.get_field("retail_point").column
    authorised, in_stock = stock.get_field("authorised").column, stock.get_field("in_stock").column
    # Safe: names from the models and constant texts of this module (see the docstring).
    return f'EXISTS (SELECT 1 FROM "{stock.db_table}" s{joins} WHERE s."{retail_point}" = {{id}} AND s."{authorised}" AND s."{in_stock}"{condition})'  # noqa: S608, E501


def _product_id(value: str) -> int:
    try:
        product_id = int(value)
    except (TypeError, ValueError):
        raise ValueError(_("product must be a product id (a whole number).")) from None
    if product_id < 1 or product_id > 2**63 - 1:
        raise ValueError(_("product must be a product id (a whole number)."))
    return product_id


class ProductFilter(NearestFilter):
    """`product=ID`: authorised resellers with this product in stock (its Q, its SQL, its candidate source)."""

    name = "product"
    description = "Only authorised resellers with this product (id) in stock."
    openapi_type = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}

    def build(self, value: str, params: Mapping | None = None) -> Q:
        return genuine_in_stock(product_id=_product_id(value))

    def sql(self, value: str, params: Mapping | None = None) -> tuple[str, list]:
        product_id = _product_id(value)
        column = RetailStock._meta.get_field("product").column
        return _genuine_in_stock_sql(f's."{column}" = %s'), [product_id]

    def source(self, value: str, params: Mapping | None = None) -> tuple[str, list]:
        """The shop and the location of each genuine, in-stock row of the product (one per shop:
        retailstock_one_per_product). The conditions are those of the partial index
        retailstock_near_idx, written as constants so that a prepared statement's generic plan can
        still use it.
        """
        product_id = _product_id(value)
        stock = RetailStock._meta
        columns = {name: stock.get_field(name).column for name in ("retail_point", "location", "product")}
        authorised, in_stock = stock.get_field("authorised").column, stock.get_field("in_stock").column
        # The value is cast to the column's own type: the index's operator class (btree_gist) has no
        # cross-type operators, so `bigint = integer` (an inlined small number) would only filter the walk.
        product_type = stock.get_field("product").db_type(connection)
        # Safe: names and types from the model; the product id is a parameter.
        return (
            f'SELECT s."{columns["retail_point"]}" AS id, s."{columns["location"]}" AS location '  # noqa: S608
            f'FROM "{stock.db_table}" s '
            f'WHERE s."{columns["product"]}" = CAST(%s AS {product_type}) AND s."{authorised}" AND s."{in_stock}"',
            [product_id],
        )


def _in_stock_choice(value: str, params: Mapping | None) -> tuple[bool, str | None]:
    """(whether to filter, the product kind code or None) for `in_stock=value`; ValueError if not 1/0."""
    if value not in ("1", "true", "0", "false"):
        raise ValueError(_("in_stock must be 1 or 0."))
    return value in ("1", "true"), (params or {}).get("product_kind") or None


class InStockFilter(NearestFilter):
    """`in_stock=1`: only shops with an authorised product in stock, of `product_kind` when that is given
    (without the request's other parameters: "any authorised product in stock"). `in_stock=0`: no
    condition. Its Q, its SQL, its candidate source; on the Find a shop page as a checkbox.
    """

    name = "in_stock"
    description = "1: only authorised resellers with stock (of product_kind, if given)."
    label = _lazy("Genuine, in stock")
    help_text = _lazy("Only shops the producer authorised that have the product in stock now.")

    def build(self, value: str, params: Mapping | None = None) -> Q:
        wanted, kind = _in_stock_choice(value, params)
        if not wanted:
            return Q()
        return genuine_in_stock(product__kind__code=kind) if kind else genuine_in_stock()

    def sql(self, value: str, params: Mapping | None = None) -> tuple[str, list] | None:
        wanted, kind = _in_stock_choice(value, params)
        if not wanted:
            return None
        if kind:
            return _genuine_in_stock_sql(f'k."{ProductKind._meta.get_field("code").column}" = %s', join_kind=True), [
                kind
            ]
        return _genuine_in_stock_sql(), []

    def source(self, value: str, params: Mapping | None = None) -> tuple[str, list] | None:
        """The genuine, in-stock rows of the kind's products (of any product without a kind), one per shop:
        a shop with several of them is given by its row of the smallest product id (a probe of
        retailstock_one_per_product). The products are an array computed once, a filter on the walk of
        retailstock_near_idx (whose first column it cannot narrow), so the walk stays a KNN walk rather
        than a join of every row of the kind sorted by distance.
        """
        wanted, kind = _in_stock_choice(value, params)
        if not wanted:
            return None
        stock, product, product_kind = RetailStock._meta, Product._meta, ProductKind._meta
        column = {name: stock.get_field(name).column for name in ("retail_point", "location", "product")}
        authorised, in_stock = stock.get_field("authorised").column, stock.get_field("in_stock").column
        of_kind, values = "", []
        if kind:
            kind_id, code = product.get_field("kind").column, product_kind.get_field("code").column
            products = (
                f'ARRAY(SELECT p."{product.pk.column}" FROM "{product.db_table}" p '  # noqa: S608
                f'JOIN "{product_kind.db_table}" k ON k."{product_kind.pk.column}" = p."{kind_id}" '
                f'WHERE k."{code}" = %s)'
            )
            of_kind, values = f' AND {{row}}."{column["product"]}" = ANY({products})', [kind, kind]
        genuine = f'{{row}}."{authorised}" AND {{row}}."{in_stock}"' + of_kind
        # Safe: names from the models; the kind code is a parameter.
        return (
            f'SELECT s."{column["retail_point"]}" AS id, s."{column["location"]}" AS location '  # noqa: S608
            f'FROM "{stock.db_table}" s WHERE {genuine.format(row="s")} '
            f'AND NOT EXISTS (SELECT 1 FROM "{stock.db_table}" d WHERE d."{column["retail_point"]}" = '
            f's."{column["retail_point"]}" AND d."{column["product"]}" < s."{column["product"]}" '
            f"AND {genuine.format(row='d')})",
            values,
        )


PRODUCT = ProductFilter()
IN_STOCK = InStockFilter()


def register() -> None:
    register_nearest_filter(PRODUCT)
    register_nearest_filter(IN_STOCK)
