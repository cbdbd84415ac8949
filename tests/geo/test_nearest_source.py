"""A registered filter's candidate source (NearestFilter.source) gives the same exact answer as its condition.

The source used here is geo's own table restricted by name (an app above geo would use a table of its
own that carries the shops' locations, like the marketplace's stock rows): what is tested is that the
API statement walking a source keeps every other filter and the exact geodesic ordering.
"""

from __future__ import annotations

import math

import pytest
from django.db.models import Q
from django.utils import timezone

from geo.filters import NearestFilter, nearest_filters, register_nearest_filter
from geo.models import RetailPoint
from geo.nearest import nearest_retail_point_rows, nearest_retail_points_sql
from tests.geo.retail_factories import make_point
from tests.geo.test_queries import _brute_force, _random_points, random_queries

pytestmark = pytest.mark.django_db

EVEN = ("SELECT p.id, p.location FROM geo_retailpoint p WHERE p.name ~ %s", [r"[02468]$"])
EVEN_SQL = ("({id}) IN (SELECT p.id FROM geo_retailpoint p WHERE p.name ~ %s)", [r"[02468]$"])


def _even_names(rows):
    return [(metres, pk) for metres, pk in rows if RetailPoint.objects.get(pk=pk).name[-1] in "02468"]


def _rows(lat, lng, *, limit, source=EVEN, **filters):
    rows = nearest_retail_point_rows(lat=lat, lng=lng, at=timezone.now(), limit=limit, source=source, **filters)
    return [(row.id, row.distance_m) for row in rows]


def test_walking_a_candidate_source_finds_the_brute_force_answer_with_every_other_filter():
    _random_points(300, seed=20261128)
    for lat, lng, limit, radius_m, product_kind in random_queries(
        23, limits=(1, 3, 10, 25), kinds=(None, "orange", "tea")
    ):
        everything = _brute_force(lat, lng, limit=1000, radius_m=radius_m, product_kind=product_kind)
        expected = _even_names(everything)[:limit]
        found = _rows(lat, lng, limit=limit, radius_m=radius_m, product_kind=product_kind)
        context = f"query at {lat:.4f},{lng:.4f} limit={limit} radius={radius_m} kind={product_kind}"
        assert [pk for pk, _metres in found] == [pk for _metres, pk in expected], context
        for (_pk, metres), (expected_metres, _) in zip(found, expected, strict=True):
            assert metres == pytest.approx(expected_metres, abs=0.05), context


def test_a_source_gives_the_same_shops_as_its_condition_prepared_or_compiled_by_the_orm():
    _random_points(200, seed=7)
    moment = timezone.now()
    for lat, lng in [(22.8, 104.98), (21.0, 105.8), (22.1, 105.2)]:
        common = {"lat": lat, "lng": lng, "at": moment, "limit": 10}
        walked = nearest_retail_point_rows(**common, source=EVEN)
        filtered = nearest_retail_point_rows(**common, extra_sql=[EVEN_SQL])
        orm = nearest_retail_point_rows(**common, source=EVEN, extra=Q())  # compiled afresh
        assert [(row.id, row.distance_m) for row in walked] == [(row.id, row.distance_m) for row in filtered]
        assert [row.id for row in orm] == [row.id for row in walked]
        # The prepared shape is the statement the ORM compiles for the same source.
        cached = nearest_retail_points_sql(**common, source=EVEN)
        fresh = nearest_retail_points_sql(**common, source=EVEN, extra=Q())
        assert cached[0] == fresh[0]
        assert [str(value) for value in cached[1]] == [str(value) for value in fresh[1]]


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_a_source_stays_exact_when_many_of_its_shops_are_almost_equidistant(limit):
    # As tests/geo/test_queries.py: shops on a ~5 km circle are inside each other's 2 % band, so the
    # statement must also scan the band, here over the source's rows.
    origin = (22.8, 104.98)
    for index in range(40):
        bearing = math.radians(index * 9 + 7)
        dlat = 0.045 * math.cos(bearing)
        dlng = 0.045 * math.sin(bearing) / math.cos(math.radians(origin[0]))
        make_point(f"Ring {index}", origin[0] + dlat, origin[1] + dlng)
    make_point("Far 2", 23.3, 104.98)
    expected = _even_names(_brute_force(*origin, limit=1000))[:limit]
    assert [pk for pk, _metres in _rows(*origin, limit=limit)] == [pk for _metres, pk in expected]


def test_registering_a_source_without_its_condition_in_sql_is_refused():
    class EvenSource(NearestFilter):
        name = "even"

        def build(self, value, params=None):
            return Q()

        def source(self, value, params=None):
            return EVEN

    with pytest.raises(ValueError, match="condition in SQL"):
        register_nearest_filter(EvenSource())
    assert "even" not in nearest_filters()
