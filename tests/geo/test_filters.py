"""Each nearest filter is written once with its Q and its SQL: both forms find the same shops.

On a real PostGIS world: random shops with product kinds, weekly hours and dated exceptions. geo's own
filters (product kind, open now) here; every registered filter must give both forms, and the
marketplace's (`product`, `in_stock`) are compared on its stock rows in tests/marketplace.
"""

import datetime
import random

import pytest
from django.db.models import Q

from geo import hours
from geo.expressions import SqlCondition
from geo.filters import GEO_FILTERS, OPEN_NOW, PRODUCT_KIND, NearestFilter, nearest_filters, register_nearest_filter
from geo.models import OpeningException, OpeningPeriod, RetailPoint
from tests.geo.test_queries import _random_points

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


def ids_of_both_forms(nearest_filter: NearestFilter, value, params=None) -> tuple[list[int], list[int]]:
    """(ids matching the filter's Q, ids matching its SQL condition), over every shop."""
    by_q = RetailPoint.objects.filter(nearest_filter.build(value, params)).order_by("pk")
    condition = nearest_filter.sql(value, params)
    by_sql = RetailPoint.objects.filter(Q(SqlCondition(*condition)) if condition else Q()).order_by("pk")
    return list(by_q.values_list("pk", flat=True)), list(by_sql.values_list("pk", flat=True))


def test_the_product_kind_filter_finds_the_same_shops_in_its_q_and_its_sql():
    _random_points(120, seed=15)
    found = 0
    for code in ("orange", "tea", "honey", "no-such-kind"):
        by_q, by_sql = ids_of_both_forms(PRODUCT_KIND, code)
        assert by_q == by_sql, code
        found += len(by_q)
    assert found > 0  # the comparison is not between empty lists only


def _random_hours(points, seed: int) -> None:
    """Weekly periods (some split by lunch), closed days and special hours on random dates."""
    rng = random.Random(seed)
    for point in points:
        for weekday in rng.sample(range(7), rng.randint(0, 7)):
            opens = rng.choice(["06:00", "07:00", "07:30", "08:00"])
            if rng.random() < 0.5:
                OpeningPeriod.objects.create(retail_point=point, weekday=weekday, opens=opens, closes="11:30")
                OpeningPeriod.objects.create(retail_point=point, weekday=weekday, opens="13:30", closes="17:30")
            else:
                OpeningPeriod.objects.create(retail_point=point, weekday=weekday, opens=opens, closes="21:00")
        for offset in rng.sample(range(7), rng.randint(0, 2)):
            day = MONDAY + datetime.timedelta(days=offset)
            if rng.random() < 0.5:
                OpeningException.objects.create(retail_point=point, date=day, closed=True)
            else:
                OpeningException.objects.create(
                    retail_point=point, date=day, closed=False, opens="09:00", closes="12:00"
                )


def test_the_open_now_filter_finds_the_same_shops_in_its_q_and_its_sql_all_week():
    _random_hours(_random_points(60, seed=16), seed=16)
    opened = 0
    for offset in range(7):
        for clock in ("06:00", "07:29", "09:00", "11:30", "12:00", "13:30", "17:29", "20:59", "21:00"):
            moment = datetime.datetime.combine(
                MONDAY + datetime.timedelta(days=offset), datetime.time.fromisoformat(clock), tzinfo=hours.VIETNAM
            )
            by_q, by_sql = ids_of_both_forms(OPEN_NOW, moment)
            assert by_q == by_sql, moment
            opened += len(by_q)
    assert opened > 0


def test_every_filter_geo_s_own_and_the_registered_ones_gives_both_forms():
    for nearest_filter in (*GEO_FILTERS, *nearest_filters().values()):
        assert nearest_filter.name
        assert type(nearest_filter).build is not NearestFilter.build, nearest_filter.name
        assert type(nearest_filter).sql is not NearestFilter.sql, nearest_filter.name
    assert {"product", "in_stock"} <= set(nearest_filters())  # the marketplace's, from its ready()


def test_registering_a_filter_without_its_sql_form_is_refused():
    class OnlyQ(NearestFilter):
        name = "only_q"

        def build(self, value, params=None):
            return Q()

    with pytest.raises(ValueError, match="condition in SQL"):
        register_nearest_filter(OnlyQ())
    assert "only_q" not in nearest_filters()
