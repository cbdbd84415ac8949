"""Write a row only when it differs from what is stored, and count what happened.

The stored rows a loader may touch are read once per model (`Rows`), and many-to-many links once
per relation (`sync_relation`), so a load costs a few hundred queries, a reload a handful.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.gis.geos import GEOSGeometry
from django.db import models
from django.utils import translation

BOUNDARY_FIELDS = frozenset({"boundary", "boundary_source", "boundary_is_approximate"})

# Geometries read back from PostGIS are compared with this tolerance (degrees, ~1 mm).
GEOMETRY_TOLERANCE = 1e-8


@dataclass
class LoadReport:
    """How many rows the loader created, changed or found as they should be, per kind of row."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def lines(self) -> list[str]:
        labels = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{label}: {self.created[label]} created, {self.updated[label]} updated, {self.unchanged[label]} unchanged"
            for label in labels
        ]


def stable_label(name) -> str:
    """The English name of a model or relation: report keys must not change with the active language."""
    with translation.override("en"):
        return str(name)


def _plain(value):
    return value.pk if isinstance(value, models.Model) else value


class Rows:
    """The stored rows of one model that a loader may touch, read in one query, by their key."""

    def __init__(self, queryset: models.QuerySet, key_fields: tuple[str, ...]):
        self.model = queryset.model
        self.key_fields = key_fields
        self._attnames = [self.model._meta.get_field(name).attname for name in key_fields]
        self.by_key = {self._key(obj): obj for obj in queryset}

    def _key(self, obj: models.Model) -> tuple:
        return tuple(getattr(obj, attname) for attname in self._attnames)

    def find(self, lookup: dict) -> models.Model | None:
        return self.by_key.get(tuple(_plain(lookup[name]) for name in self.key_fields))

    def add(self, obj: models.Model) -> None:
        self.by_key[self._key(obj)] = obj


def _validate(obj: models.Model) -> None:
    # Field checks (choices, lengths) only: the database enforces keys, uniqueness and constraints,
    # and fields computed in save() (search_name) are still empty here.
    relations = {f.name for f in obj._meta.fields if f.is_relation}
    obj.clean_fields(exclude={"search_name", *relations})


def _same(current, wanted) -> bool:
    if isinstance(current, GEOSGeometry) or isinstance(wanted, GEOSGeometry):
        if current is None or wanted is None:
            return current is wanted
        return current.geom_type == wanted.geom_type and current.equals_exact(wanted, GEOMETRY_TOLERANCE)
    return current == wanted


def upsert(report: LoadReport, rows: Rows, lookup: dict, values: dict) -> models.Model:
    """Create the row found by `lookup`, or update the fields of `values` that differ.

    A boundary that is not an approximation (imported from an official file) is kept as it is:
    reloading the fixtures must not put a sketch back in its place.
    """
    label = stable_label(rows.model._meta.verbose_name_plural)
    obj = rows.find(lookup)
    if obj is None:
        obj = rows.model(**lookup, **values)
        _validate(obj)
        obj.save()
        rows.add(obj)
        report.created[label] += 1
        return obj
    keep = set()
    if "boundary" in values and obj.boundary is not None and not obj.boundary_is_approximate:
        keep = BOUNDARY_FIELDS
    changed = []
    for name, wanted in values.items():
        if name in keep:
            continue
        model_field = obj._meta.get_field(name)
        current = getattr(obj, model_field.attname)
        if not _same(current, _plain(wanted)):
            setattr(obj, name, wanted)
            changed.append(name)
    if changed:
        _validate(obj)
        obj.save()
        report.updated[label] += 1
    else:
        report.unchanged[label] += 1
    return obj


def sync_relation(report: LoadReport, model: type[models.Model], name: str, wanted: dict[int, set[int]]) -> None:
    """Make the many-to-many `model.name` of each object pk in `wanted` hold exactly those pks."""
    relation = model._meta.get_field(name)
    through = relation.remote_field.through
    source, target = f"{relation.m2m_field_name()}_id", f"{relation.m2m_reverse_field_name()}_id"
    current = defaultdict(set)
    for source_pk, target_pk in through.objects.filter(**{f"{source}__in": list(wanted)}).values_list(source, target):
        current[source_pk].add(target_pk)
    label = f"{stable_label(model._meta.verbose_name)}: {stable_label(relation.verbose_name)}"
    stale, missing = [], []
    for source_pk, targets in wanted.items():
        if current[source_pk] == targets:
            report.unchanged[label] += 1
            continue
        report.updated[label] += 1
        stale.extend((source_pk, pk) for pk in current[source_pk] - targets)
        missing.extend((source_pk, pk) for pk in targets - current[source_pk])
    for source_pk, target_pk in stale:
        through.objects.filter(**{source: source_pk, target: target_pk}).delete()
    through.objects.bulk_create(through(**{source: source_pk, target: target_pk}) for source_pk, target_pk in missing)
