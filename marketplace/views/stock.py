"""A shop's staff declare which products the shop carries and whether each is in stock now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from geo.models import RetailPoint
from marketplace import access, services
from marketplace.forms import RetailStockForm
from marketplace.models import RetailStock
from tracing.models import Product


@login_required
@require_http_methods(["GET", "POST"])
def retail_stock_page(request, pk: int):
    point = get_object_or_404(RetailPoint, pk=pk)
    if not access.can_edit_stock(request.user, point):
        raise PermissionDenied(_("Only this shop's staff may declare its stock."))
    rows = {row.product_id: row for row in RetailStock.objects.filter(retail_point=point)}
    kinds = list(point.product_kinds.values_list("pk", flat=True))
    products = Product.objects.public().select_related("producer").order_by("producer__name", "name_vi")
    if kinds:
        products = products.filter(kind__in=kinds) | Product.objects.filter(pk__in=list(rows))
    form = RetailStockForm(request.POST or None, products=products.distinct(), current=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.retail_stock_declare(by=request.user, retail_point=point, items=form.declared(), replace=True)
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Stock saved. Thank you for keeping it up to date."))
            return redirect("marketplace:retail_stock", pk=point.pk)
    return render(request, "marketplace/retail_stock.html", {"point": point, "form": form, "rows": rows})
