"""Publication (plan III.6): the public, printable list of participants, open data at stable URLs under
/open-data/, and a widget that provincial and department websites embed in an iframe."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from backend.csp import csp_embeddable
from geo.forms import ProductKindChoiceField
from geo.models import AdminUnit, ProductKind
from oversight import publication
from oversight.filters import DISTRICT_MAP_DAY, producers_matching
from tracing.models import Certificate, Producer

PAGE_SIZE = 50
OPEN_DATA_MAX_AGE = 3600


class ParticipantsForm(forms.Form):
    product_kind = ProductKindChoiceField(
        label=_("Product"),
        queryset=ProductKind.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All products"),
    )
    unit = forms.ModelChoiceField(
        label=_("District"),
        queryset=AdminUnit.objects.valid_on(DISTRICT_MAP_DAY).filter(level=AdminUnit.Level.DISTRICT).order_by("name"),
        required=False,
        empty_label=_("All districts"),
    )
    scheme = forms.ChoiceField(
        label=_("Certificate"), required=False, choices=[("", _("Any")), *Certificate.Scheme.choices]
    )
    producer_kind = forms.ChoiceField(
        label=_("Organisation"), required=False, choices=[("", _("All kinds")), *Producer.Kind.choices]
    )

    def producers(self):
        data = self.cleaned_data if self.is_valid() else {}
        return producers_matching(
            {
                "product_kind": data.get("product_kind"),
                "scheme": data.get("scheme"),
                "producer_kind": data.get("producer_kind"),
                "unit_obj": data.get("unit"),
                "status": Producer.Status.APPROVED,
            }
        )


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
def participants_page(request):
    """The approved participants: status, products, certificates, area; filterable and printable."""
    form = ParticipantsForm(request.GET or None)
    records = publication.records(form.producers())
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    widget_url = request.build_absolute_uri(reverse("oversight:widget"))
    return render(
        request,
        "oversight/participants.html",
        {
            "form": form,
            "page": page,
            "count": len(records),
            "query": request.GET.urlencode(),
            "widget_snippet": (
                f'<iframe src="{widget_url}" title="Hà Giang Origin" width="100%" height="480" '
                'style="border:1px solid #cfd8d3;border-radius:8px" loading="lazy"></iframe>'
            ),
            "downloads": [
                ("CSV", reverse("oversight:open_data_csv")),
                ("JSON", reverse("oversight:open_data_json")),
                ("GeoJSON", reverse("oversight:open_data_geojson")),
            ],
        },
    )


def _open_data(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=OPEN_DATA_MAX_AGE)
def open_data_csv(request):
    return _open_data(publication.as_csv(base_url=_base_url(request)), "text/csv; charset=utf-8", "producers.csv")


@require_GET
@cache_control(public=True, max_age=OPEN_DATA_MAX_AGE)
def open_data_json(request):
    return _open_data(publication.as_json(base_url=_base_url(request)), "application/json", "producers.json")


@require_GET
@cache_control(public=True, max_age=OPEN_DATA_MAX_AGE)
def open_data_geojson(request):
    return _open_data(publication.as_geojson(base_url=_base_url(request)), "application/geo+json", "producers.geojson")


@require_GET
def open_data_index(request):
    return render(
        request,
        "oversight/open_data.html",
        {
            "fields": [(name, publication.FIELD_DESCRIPTIONS.get(name, "")) for name in publication.PUBLIC_FIELDS],
            "licence": publication.LICENCE,
            "base": _base_url(request),
        },
    )


@require_GET
@xframe_options_exempt
@csp_embeddable
@cache_control(public=True, max_age=600)
def widget(request):
    """The embeddable list (in an iframe on other sites): the only page that may be framed."""
    form = ParticipantsForm(request.GET or None)
    records = publication.records(form.producers(), base_url=_base_url(request))
    return render(request, "oversight/widget.html", {"records": records, "site": _base_url(request)})
