"""The demo retail points: fictional shops at real places, with hours, products and staff."""

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from geo.loading import sources
from geo.loading.units import Units
from geo.loading.upsert import LoadReport, Rows, sync_relation, upsert
from geo.models import OpeningException, OpeningPeriod, ProductKind, RetailPoint

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _days(spec: str) -> range:
    """'mon-sat' → 0..5, 'sun' → 6."""
    first, _, last = spec.partition("-")
    return range(WEEKDAYS.index(first), WEEKDAYS.index(last or first) + 1)


def _time(text: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(text) if text else None


def weekly_periods(template: dict[str, list[str]]) -> set[tuple[int, datetime.time, datetime.time]]:
    """{'mon-sat': ['07:30-11:30', '13:30-17:30']} → {(0, 07:30, 11:30), (0, 13:30, 17:30), …}."""
    periods = set()
    for days, spans in template.items():
        for weekday in _days(days):
            for span in spans:
                opens, closes = span.split("-")
                periods.add((weekday, _time(opens), _time(closes)))
    return periods


def exception_days(items: list[dict]) -> set[tuple]:
    """Fixture exceptions → {(date, closed, opens, closes, note), …}."""
    return {
        (
            datetime.date.fromisoformat(item["date"]),
            item["closed"],
            _time(item.get("opens")),
            _time(item.get("closes")),
            item["note"],
        )
        for item in items
    }


def _sync_children(report: LoadReport, model, fields: tuple[str, ...], wanted: dict[int, set[tuple]]) -> None:
    """Make the child rows (opening periods or exceptions) of each retail point exactly `wanted`."""
    label = str(model._meta.verbose_name_plural)
    current = defaultdict(set)
    for row in model.objects.filter(retail_point__in=list(wanted)).values_list("retail_point", *fields):
        current[row[0]].add(row[1:])
    differing = [pk for pk, rows in wanted.items() if current[pk] != rows]
    report.unchanged[label] += len(wanted) - len(differing)
    if not differing:
        return
    model.objects.filter(retail_point__in=differing).delete()
    model.objects.bulk_create(
        model(retail_point_id=pk, **dict(zip(fields, row, strict=True)))
        for pk in differing
        for row in sorted(wanted[pk])
    )
    report.updated[label] += len(differing)


def load_demo_retail_points(report: LoadReport, units: Units) -> list[RetailPoint]:
    """Create or refresh the demo shops, keyed on their names (every one ends in '(demo)').

    The fixture is the truth for demo records: a second run puts back their fixture values. The
    user "retailer" (when it exists) becomes staff of the shops that name it; the user "official"
    (when it exists) is recorded as the verifier of the verified and suspended ones.
    """
    data = sources.demo_retail()
    items = data["retail_points"]
    users = {user.username: user for user in get_user_model().objects.filter(username__in=_usernames(data))}
    verifier = users.get(data["verified_by"])
    verified_at = datetime.datetime.fromisoformat(data["verified_at"])
    kinds = {kind.code: kind for kind in ProductKind.objects.all()}
    rows = Rows(RetailPoint.objects.filter(name__in=[item["name"] for item in items]), ("name",))
    loaded, product_kinds, hours, exceptions = [], {}, {}, {}
    for item in items:
        decided = item["verification"] != RetailPoint.Verification.PENDING
        commune_code = item["commune_code_2025"]
        point = upsert(
            report,
            rows,
            {"name": item["name"]},
            {
                "kind": item["kind"],
                "address": item["address"],
                "commune": units.communes_new[commune_code] if commune_code else None,
                "location": Point(item["lng"], item["lat"], srid=4326),
                "phone": item["phone"],
                "zalo": item["zalo"],
                "verification_status": item["verification"],
                "verified_by": verifier if decided else None,
                "verified_at": verified_at if decided else None,
                "is_active": item["is_active"],
            },
        )
        product_kinds[point.pk] = {kinds[code].pk for code in item["product_kinds"]}
        hours[point.pk] = weekly_periods(data["hours"][item["hours"]])
        exceptions[point.pk] = exception_days(data["exceptions"].get(item["exceptions"] or "", []))
        for username in item["staff"]:
            user = users.get(username)
            if user is not None and not point.staff.filter(pk=user.pk).exists():
                point.staff.add(user)
                report.updated["retail point staff"] += 1
        loaded.append(point)
    sync_relation(report, RetailPoint, "product_kinds", product_kinds)
    _sync_children(report, OpeningPeriod, ("weekday", "opens", "closes"), hours)
    _sync_children(report, OpeningException, ("date", "closed", "opens", "closes", "note"), exceptions)
    return loaded


def _usernames(data: dict) -> set[str]:
    return {data["verified_by"]} | {name for item in data["retail_points"] for name in item["staff"]}
