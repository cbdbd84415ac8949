"""The public list of participants (plan III.6) and its open data: CSV, JSON and GeoJSON at stable URLs.

What a file says about a producer is tracing.disclosure's definition, the same as the public API and
pages: no personal data of household businesses (their address, tax or personal ID number,
representative, phone, email and Zalo are blank, their position rounded to 0.01°, about 1 km).
Only approved participants are listed.
"""

from __future__ import annotations

import io
import json

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, FloatField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend import csvfiles
from geo import oversight_queries
from tracing import disclosure
from tracing.models import Certificate, Producer, Product, ProductionArea

#: The fields of every open-data file, in order: a contract with the sites that reuse them. The
#: producer's public facts (tracing.disclosure, its position as lat/lng), then what it grows and holds.
PUBLIC_FIELDS = (
    *(field for field in disclosure.PRODUCER_FIELDS if field != "location"),
    "product_kinds",
    "products",
    "certificates",
    "area_ha",
    "lat",
    "lng",
    "url",
)
#: What each field holds, for the page that documents the files (the names stay as they are: a format).
FIELD_DESCRIPTIONS = {
    "id": _("the producer's number on this site"),
    "name": _("name of the organisation"),
    "kind": _("kind of organisation: enterprise, cooperative or household business"),
    "status": _("participation status (only approved producers are listed)"),
    "participating_since": _("date of approval (YYYY-MM-DD)"),
    "commune": _("commune or ward"),
    "district": _("district, where the commune belonged to one"),
    "address": _("address (empty for household businesses)"),
    "tax_number": _("tax number (empty for household businesses)"),
    "representative": _("legal representative (empty for household businesses)"),
    "phone": _("phone (empty for household businesses)"),
    "email": _("email (empty for household businesses)"),
    "zalo": _("Zalo number (empty for household businesses)"),
    "website": _("website"),
    "description_vi": _("description, in Vietnamese"),
    "description_en": _("description, in English"),
    "logo": _("address of the logo image"),
    "product_kinds": _("codes of the kinds of product"),
    "products": _("names of the products, in Vietnamese"),
    "certificates": _("valid certificates: scheme, label, number, issuer, validity"),
    "area_ha": _("area of the production areas, in hectares"),
    "lat": _("latitude (WGS 84; rounded to about 1 km for household businesses)"),
    "lng": _("longitude (WGS 84; rounded to about 1 km for household businesses)"),
    "url": _("the producer's page on this site"),
}
HOUSEHOLD_DECIMALS = disclosure.HOUSEHOLD_DECIMALS
LICENCE = "CC BY 4.0"


def _area_ha():
    total = (
        ProductionArea.objects.filter(producer=OuterRef("pk"))
        .order_by()
        .values("producer")
        .annotate(total=Sum("area_ha"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=FloatField()), 0.0, output_field=FloatField())


def participants(queryset=None):
    """Approved producers, with what the public list and the files show, in 3 queries."""
    today = timezone.localdate()
    qs = queryset if queryset is not None else Producer.objects.all()
    return (
        qs.filter(status=Producer.Status.APPROVED)
        .select_related("commune", "commune__parent")
        .annotate(total_area_ha=_area_ha())
        .prefetch_related(
            Prefetch(
                "products",
                queryset=Product.objects.filter(is_active=True).select_related("kind").order_by("name_vi"),
                to_attr="public_products",
            ),
            Prefetch(
                "certificates",
                queryset=Certificate.objects.valid_on(today).order_by("scheme", "number"),
                to_attr="valid_certificates",
            ),
        )
        .order_by("name", "pk")
    )


def public_record(producer, *, base_url: str = "") -> dict:
    facts = disclosure.public_producer(producer)
    location = facts.pop("location")
    if facts["logo"]:
        facts["logo"] = base_url + facts["logo"]
    record = {
        **facts,
        "product_kinds": sorted({p.kind.code for p in producer.public_products}),
        "products": [p.name_vi for p in producer.public_products],
        "certificates": [
            {
                "scheme": c.scheme,
                "label": c.label,
                "number": c.number,
                "issuer": c.issuer,
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat() if c.valid_to else None,
            }
            for c in producer.valid_certificates
        ],
        "area_ha": round(producer.total_area_ha or 0.0, 2),
        "lat": location.y,
        "lng": location.x,
        "url": base_url + reverse("tracing:producer", args=[producer.pk]),
    }
    return {field: record[field] for field in PUBLIC_FIELDS}


def records(queryset=None, *, base_url: str = "") -> list[dict]:
    return [public_record(p, base_url=base_url) for p in participants(queryset)]


def as_json(queryset=None, *, base_url: str = "") -> str:
    items = records(queryset, base_url=base_url)
    body = {
        "title": "Hà Giang Origin — participating producers",
        "licence": LICENCE,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "fields": list(PUBLIC_FIELDS),
        "count": len(items),
        "producers": items,
    }
    return json.dumps(body, ensure_ascii=False, indent=1)


def as_csv(queryset=None, *, base_url: str = "") -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # spreadsheet programs then read the Vietnamese letters as UTF-8
    writer = csvfiles.DictWriter(buffer, fieldnames=PUBLIC_FIELDS)
    writer.writeheader()
    for record in records(queryset, base_url=base_url):
        row = dict(record)
        row["product_kinds"] = " ".join(record["product_kinds"])
        row["products"] = "; ".join(record["products"])
        row["certificates"] = "; ".join(f"{c['label']} {c['number']}" for c in record["certificates"])
        writer.writerow(row)
    return buffer.getvalue()


def as_geojson(queryset=None, *, base_url: str = "") -> str:
    """A FeatureCollection built by PostGIS: the same public fields (lists as arrays), positions of
    household businesses rounded to about 1 km."""
    today = timezone.localdate()
    qs = (queryset if queryset is not None else Producer.objects.all()).filter(status=Producer.Status.APPROVED)
    household = Q(kind=Producer.Kind.HOUSEHOLD)
    from django.db.models import Case, CharField, DecimalField, Value, When
    from django.db.models.functions import Cast, Concat, TruncDate

    page_path = reverse("tracing:producer", args=[0]).replace("/0/", "/")
    media = Value(base_url + settings.MEDIA_URL)
    properties = {
        "id": F("pk"),
        "name": F("name"),
        "kind": F("kind"),
        "status": F("status"),
        "participating_since": Cast(TruncDate("status_changed_at"), output_field=CharField()),
        "commune": F("commune__name"),
        "district": F("commune__parent__name"),
        **{
            field: Case(When(household, then=Value("")), default=F(field), output_field=CharField())
            for field in disclosure.ORGANISATION_ONLY
        },
        "website": F("website"),
        "description_vi": F("description_vi"),
        "description_en": F("description_en"),
        "logo": Case(When(logo="", then=Value("")), default=Concat(media, F("logo")), output_field=CharField()),
        "product_kinds": ArraySubquery(
            Product.objects.filter(producer=OuterRef("pk"), is_active=True)
            .order_by("kind__code")
            .values_list("kind__code", flat=True)
            .distinct()
        ),
        "products": ArraySubquery(
            Product.objects.filter(producer=OuterRef("pk"), is_active=True).order_by("name_vi").values("name_vi")
        ),
        "certificates": ArraySubquery(
            Certificate.objects.valid_on(today)
            .filter(producer=OuterRef("pk"))
            .order_by("scheme", "number")
            .annotate(text=Concat("scheme", Value(" "), "number", output_field=CharField()))
            .values("text")
        ),
        "area_ha": Round(Cast(_area_ha(), output_field=DecimalField(max_digits=14, decimal_places=4)), 2),
        "url": Concat(Value(base_url + page_path), Cast(F("pk"), output_field=CharField()), Value("/")),
    }
    return oversight_queries.points_geojson(
        qs.order_by("name", "pk"),
        properties=properties,
        coarse_decimals={"when": household, "decimals": HOUSEHOLD_DECIMALS},
    )
