"""Opening hours in Việt Nam time: open now, closing time, next opening, dated exceptions."""

import datetime

import pytest
from django.db.models import Q

from geo import hours
from geo.expressions import SqlCondition
from geo.filters import OPEN_NOW
from geo.models import OpeningException, RetailPoint
from geo.nearest import nearest_retail_point_rows, nearest_retail_points
from tests.geo.retail_factories import make_point

pytestmark = pytest.mark.django_db

VN = hours.VIETNAM
MONDAY = datetime.date(2026, 3, 2)  # a Monday


def at(day: datetime.date, clock: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.fromisoformat(clock), tzinfo=VN)


@pytest.fixture
def shop():
    # Monday–Saturday 07:00–11:30 and 13:30–17:30; closed on Sunday.
    periods = [(day, "07:00", "11:30") for day in range(6)] + [(day, "13:30", "17:30") for day in range(6)]
    return make_point("Cam Hà Giang", 22.8, 104.98, hours=periods)


def test_a_shop_in_its_morning_hours_is_open_until_its_lunch_break(shop):
    state = hours.opening_state(shop, at(MONDAY, "09:15"))
    assert state == hours.OpeningState(is_open=True, closes_at=datetime.time(11, 30), opens_next=None)


def test_a_shop_at_lunch_opens_again_the_same_afternoon(shop):
    state = hours.opening_state(shop, at(MONDAY, "12:00"))
    assert state == hours.OpeningState(is_open=False, closes_at=None, opens_next=at(MONDAY, "13:30"))


def test_closing_time_is_exclusive_and_opening_time_inclusive(shop):
    assert not hours.opening_state(shop, at(MONDAY, "17:30")).is_open
    assert hours.opening_state(shop, at(MONDAY, "07:00")).is_open


def test_on_saturday_evening_the_next_opening_is_monday_morning(shop):
    saturday = MONDAY + datetime.timedelta(days=5)
    state = hours.opening_state(shop, at(saturday, "19:00"))
    assert state.opens_next == at(MONDAY + datetime.timedelta(days=7), "07:00")


def test_the_moment_is_read_in_vietnam_time_whatever_its_time_zone(shop):
    # 02:30 UTC is 09:30 in Hà Giang.
    utc_moment = datetime.datetime(2026, 3, 2, 2, 30, tzinfo=datetime.UTC)
    assert hours.opening_state(shop, utc_moment).is_open


def test_a_closed_day_exception_wins_over_the_weekly_hours(shop):
    OpeningException.objects.create(retail_point=shop, date=MONDAY, closed=True, note="Tết")
    state = hours.opening_state(shop, at(MONDAY, "09:00"))
    assert not state.is_open
    assert state.opens_next == at(MONDAY + datetime.timedelta(days=1), "07:00")


def test_special_hours_replace_the_weekly_ones_for_that_day(shop):
    sunday = MONDAY + datetime.timedelta(days=6)
    OpeningException.objects.create(
        retail_point=shop, date=sunday, closed=False, opens=datetime.time(8), closes=datetime.time(12)
    )
    assert hours.opening_state(shop, at(sunday, "10:00")) == hours.OpeningState(True, datetime.time(12), None)


def test_touching_periods_are_one_opening():
    shop = make_point("Chợ", 22.8, 104.98, hours=[(0, "06:00", "12:00"), (0, "12:00", "18:00")])
    assert hours.opening_state(shop, at(MONDAY, "10:00")).closes_at == datetime.time(18)


def test_a_shop_without_hours_is_closed_with_no_next_opening():
    shop = make_point("Unknown hours", 22.8, 104.98)
    assert hours.opening_state(shop, at(MONDAY, "10:00")) == hours.OpeningState(False, None, None)


def test_a_naive_moment_is_refused(shop):
    with pytest.raises(ValueError):
        hours.opening_state(shop, datetime.datetime(2026, 3, 2, 9, 0))


def test_the_sql_open_filter_agrees_with_the_opening_state_all_week(shop):
    OpeningException.objects.create(retail_point=shop, date=MONDAY + datetime.timedelta(days=2), closed=True)
    for day_offset in range(7):
        for clock in ("06:59", "07:00", "11:29", "11:30", "12:00", "13:30", "17:29", "17:30", "23:00"):
            moment = at(MONDAY + datetime.timedelta(days=day_offset), clock)
            by_q = RetailPoint.objects.filter(OPEN_NOW.build(moment), pk=shop.pk).exists()
            by_sql = RetailPoint.objects.filter(Q(SqlCondition(*OPEN_NOW.sql(moment))), pk=shop.pk).exists()
            assert by_q == by_sql == hours.opening_state(shop, moment).is_open, moment


def test_nearest_open_now_keeps_only_the_shops_open_at_that_moment(shop):
    night_market = make_point("Chợ đêm", 22.81, 104.98, hours=[(0, "18:00", "23:00")])
    assert [p.pk for p in nearest_retail_points(lat=22.8, lng=104.98, open_at=at(MONDAY, "09:00"))] == [shop.pk]
    assert [p.pk for p in nearest_retail_points(lat=22.8, lng=104.98, open_at=at(MONDAY, "19:00"))] == [night_market.pk]


def test_states_for_a_list_cost_a_fixed_number_of_queries(django_assert_num_queries):
    for index in range(12):
        make_point(f"Shop {index}", 22.8 + index / 100, 104.98, hours="always")
    moment = at(MONDAY, "09:00")
    with django_assert_num_queries(3):  # the shops, their weekly hours, their exceptions
        states = [hours.opening_state(p, moment) for p in hours.with_opening_hours(RetailPoint.objects.all(), moment)]
    assert len(states) == 12 and all(state.is_open for state in states)


def test_the_opening_state_computed_in_sql_agrees_with_python_all_week(shop):
    OpeningException.objects.create(retail_point=shop, date=MONDAY + datetime.timedelta(days=2), closed=True)
    OpeningException.objects.create(
        retail_point=shop,
        date=MONDAY + datetime.timedelta(days=6),
        closed=False,
        opens=datetime.time(8),
        closes=datetime.time(12),
    )
    others = [
        make_point(
            "Touching", 22.801, 104.98, hours=[(0, "06:00", "12:00"), (0, "12:00", "18:00"), (3, "09:00", "10:00")]
        ),
        make_point(
            "Overlapping", 22.802, 104.98, hours=[(1, "08:00", "15:00"), (1, "09:00", "11:00"), (1, "14:00", "20:00")]
        ),
        make_point("No hours", 22.803, 104.98),
        make_point("Always", 22.804, 104.98, hours="always"),
    ]
    OpeningException.objects.create(
        retail_point=others[2],
        date=MONDAY + datetime.timedelta(days=4),
        closed=False,
        opens=datetime.time(18),
        closes=datetime.time(22),
    )
    shops = {point.pk: point for point in [shop, *others]}
    for day_offset in range(8):
        for clock in ("00:00", "06:59", "07:00", "09:30", "11:30", "12:00", "14:30", "17:30", "19:00", "23:59"):
            moment = at(MONDAY + datetime.timedelta(days=day_offset), clock)
            rows = nearest_retail_point_rows(lat=22.8, lng=104.98, at=moment, limit=10)
            assert {row.id for row in rows} == set(shops)
            for row in rows:
                assert row.opening == hours.opening_state(shops[row.id], moment), (shops[row.id].name, moment)
