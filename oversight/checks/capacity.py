"""The capacity check: activated quantity against what the production areas can yield (yields, kg per stamp)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.bilingual import localised
from backend.formatting import decimal_text
from geo.models import ProductKind
from oversight.checks.common import Anomaly, file_link, kg_text
from oversight.models import (
    DEFAULT_KG_PER_LITRE,
    DEFAULT_YIELDS_KG_PER_HA,
    FALLBACK_YIELD_KG_PER_HA,
    YieldSetting,
)
from tracing.models import AreaCapacity, Stamp

# -- yields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Yield:
    kg_per_ha: Decimal
    kg_per_litre: Decimal
    is_default: bool


def yields() -> dict[int, Yield]:
    """{product kind id: its yield}: the officials' setting, else the documented default for the kind."""
    saved = {s.product_kind_id: s for s in YieldSetting.objects.all()}
    result = {}
    for kind in ProductKind.objects.all():
        setting = saved.get(kind.pk)
        if setting is not None:
            result[kind.pk] = Yield(setting.yield_kg_per_ha, setting.kg_per_litre, False)
        else:
            result[kind.pk] = Yield(
                DEFAULT_YIELDS_KG_PER_HA.get(kind.code, FALLBACK_YIELD_KG_PER_HA),
                DEFAULT_KG_PER_LITRE.get(kind.code, Decimal("1")),
                True,
            )
    return result


def kg_per_stamp(net_quantity: Decimal, net_unit: str, kg_per_litre: Decimal) -> Decimal:
    factor = {"kg": Decimal(1), "g": Decimal("0.001"), "l": kg_per_litre, "ml": kg_per_litre / 1000}
    return Decimal(net_quantity) * factor.get(net_unit, Decimal(1))


def capacity_anomalies(*, year: int, producer_id: int | None = None) -> list[Anomaly]:
    """Producers whose stamps activated in a year weigh more than their areas can yield for that kind."""
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    stamps = Stamp.objects.filter(activated_at__gte=start, activated_at__lt=end, batch__isnull=False)
    capacities = AreaCapacity.objects.all()
    if producer_id is not None:
        stamps = stamps.filter(run__producer_id=producer_id)
        capacities = capacities.filter(area__producer_id=producer_id)
    kind_yields = yields()
    activated: dict = defaultdict(lambda: [0, Decimal(0)])
    names = {}
    for pid, name, kind_id, net, unit, n in (
        stamps.values_list(
            "run__producer_id",
            "run__producer__name",
            "batch__product__kind_id",
            "batch__product__net_quantity",
            "batch__product__net_quantity_unit",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        entry = activated[(pid, kind_id)]
        entry[0] += n
        entry[1] += n * kg_per_stamp(net, unit, kind_yields[kind_id].kg_per_litre)
        names[pid] = name
    if not activated:
        return []
    potential: dict = defaultdict(lambda: {"kg": Decimal(0), "ha": Decimal(0), "declared": Decimal(0)})
    for pid, kind_id, area_ha, declared in capacities.values_list(
        "area__producer_id", "product_kind_id", "area__area_ha", "yearly_kg"
    ):
        entry = potential[(pid, kind_id)]
        if area_ha:
            hectares = Decimal(str(round(area_ha, 4)))
            entry["ha"] += hectares
            entry["kg"] += hectares * kind_yields[kind_id].kg_per_ha
        else:
            entry["declared"] += declared
            entry["kg"] += declared
    kinds = {k.pk: k for k in ProductKind.objects.all()}
    anomalies = []
    for (pid, kind_id), (count, kg) in sorted(activated.items()):
        limit = potential.get((pid, kind_id), {"kg": Decimal(0), "ha": Decimal(0), "declared": Decimal(0)})
        if kg <= limit["kg"]:
            continue
        kind = kinds[kind_id]
        values = {
            "producer": names[pid],
            "count": decimal_text(count),
            "product": localised(kind, "name"),
            "year": year,
            "kg": kg_text(kg),
            "limit": kg_text(limit["kg"]),
            "ha": decimal_text(limit["ha"], places=2),
            "yield": kg_text(kind_yields[kind_id].kg_per_ha),
        }
        if limit["kg"] == 0:
            sentence = (
                _(
                    "%(producer)s activated %(count)s stamps of %(product)s in %(year)s (%(kg)s kg), but none of its "
                    "production areas declares %(product)s."
                )
                % values
            )
        else:
            sentence = (
                _(
                    "%(producer)s activated %(count)s stamps of %(product)s in %(year)s (%(kg)s kg), more than its "
                    "production areas can yield: %(limit)s kg (%(ha)s ha × %(yield)s kg/ha, plus declared areas "
                    "without a boundary)."
                )
                % values
            )
        anomalies.append(
            Anomaly(
                "capacity",
                sentence,
                pid,
                [
                    file_link(pid),
                    (_("stamp figures"), reverse("oversight:monitoring") + f"?producer={pid}"),
                    (_("yields"), reverse("oversight:settings")),
                ],
                datetime.date(year, 12, 31),
            )
        )
    return anomalies
