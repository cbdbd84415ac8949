"""API rate limits kept in PostgreSQL (backend/throttling.py): per client, per user, per window, shared."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend import prepared, throttling
from backend.throttling import ApiRateThrottle, ScopedRateLimitThrottle
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/"  # the API root: open to everyone, throttled like every API view
ME = "/api/v1/me/"
START = 1_800_000_000.0  # a whole minute (and hour) in Unix time


@pytest.fixture
def rates(settings):
    """Set some rates for the test (the others keep their configured values)."""

    def apply(**scoped):
        merged = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **scoped}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}

    return apply


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """A clock the throttles read, which the test moves by hand (held still otherwise: no window ends mid-test)."""
    now = [START]

    def read():
        return now[0]

    for throttle in (ApiRateThrottle, ScopedRateLimitThrottle):
        monkeypatch.setattr(throttle, "timer", staticmethod(read))
    monkeypatch.setattr(throttling, "_next_prune", 0.0)  # restored afterwards: real time resumes
    return now


def statuses(client, path, count, **headers):
    return [client.get(path, **headers).status_code for _ in range(count)]


def test_an_anonymous_client_is_refused_after_its_limit_and_others_are_not(rates):
    rates(anon="3/min")
    client = APIClient()
    assert statuses(client, PUBLIC, 4, REMOTE_ADDR="203.0.113.7") == [200, 200, 200, 429]
    assert statuses(client, PUBLIC, 1, REMOTE_ADDR="203.0.113.8") == [200]


def test_a_signed_in_user_has_the_user_rate_whatever_address_they_use(rates):
    rates(anon="1/min", user="3/min")
    tuan, lan = make_user("tuan"), make_user("lan")
    client = APIClient()
    client.force_authenticate(tuan)
    assert statuses(client, ME, 2, REMOTE_ADDR="203.0.113.1") == [200, 200]
    assert statuses(client, ME, 2, REMOTE_ADDR="203.0.113.2") == [200, 429]
    other = APIClient()
    other.force_authenticate(lan)
    assert statuses(other, ME, 1, REMOTE_ADDR="203.0.113.1") == [200]


def test_the_refusal_keeps_the_error_shape_and_says_when_to_retry(rates, clock):
    rates(anon="2/min")
    client = APIClient()
    clock[0] = START + 15
    statuses(client, PUBLIC, 2)
    response = client.get(PUBLIC)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    # The next minute starts at 60 s, but these 2 requests still weigh 2 × (1 - t/60) in it: at 30 s
    # into it they weigh 1, and one more request fits.
    assert response["Retry-After"] == "75"


def test_a_new_window_lets_the_client_in_again_and_a_burst_across_the_boundary_still_counts(rates, clock):
    rates(anon="4/min")
    client = APIClient()
    clock[0] = START + 50
    assert statuses(client, PUBLIC, 5) == [200, 200, 200, 200, 429]
    # 12 s into the next minute the last minute still weighs 4 × 48/60 = 3.2 requests: none more fits.
    clock[0] = START + 72
    response = client.get(PUBLIC)
    assert response.status_code == 429
    assert response["Retry-After"] == "3"  # at 75 s the weight is 3, and one request fits
    clock[0] = START + 75
    assert statuses(client, PUBLIC, 2) == [200, 429]
    # Two minutes later nothing is remembered.
    clock[0] = START + 180
    assert statuses(client, PUBLIC, 5) == [200, 200, 200, 200, 429]


def test_refused_requests_do_not_count(rates, clock):
    rates(anon="2/min")
    client = APIClient()
    assert statuses(client, PUBLIC, 10) == [200, 200] + [429] * 8
    # Half way through the next minute the last one weighs half its count: 1 request, not 5.
    clock[0] = START + 90
    assert statuses(client, PUBLIC, 2) == [200, 429]


def test_token_login_has_its_own_scope_and_leaves_the_other_limits_alone(rates):
    rates(anon="2/min", auth="3/min")
    make_user("tuan")
    client = APIClient()
    logins = [
        client.post("/api/v1/auth/token/", {"username": "tuan", "password": "wrong"}).status_code for _ in range(4)
    ]
    assert logins == [400, 400, 400, 429]
    assert statuses(client, PUBLIC, 3) == [200, 200, 429]


def test_a_request_costs_one_statement(rates):
    rates(anon="100/min")
    client = APIClient()
    client.get(PUBLIC)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PUBLIC).status_code == 200
    # The counter statement is prepared once per connection (backend/prepared.py), then executed.
    ours = [query["sql"] for query in captured.captured_queries if "hg_rate_hit" in query["sql"]]
    assert len(ours) == 1 and ours[0].startswith("EXECUTE"), ours


def test_old_windows_are_pruned_and_current_ones_kept(rates, clock):
    rates(anon="5/min")
    client = APIClient()
    statuses(client, PUBLIC, 2, REMOTE_ADDR="203.0.113.1")
    clock[0] = START + 60
    statuses(client, PUBLIC, 1, REMOTE_ADDR="203.0.113.2")
    # At START + 120 the first window (read until START + 120 by the estimate) is no longer needed.
    assert throttling.prune(START + 121) == 1
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT hits FROM {throttling.TABLE}")  # noqa: S608
        assert cursor.fetchall() == [(1,)]


def test_a_malformed_or_missing_rate_is_a_configuration_error(rates):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        throttling.parse_rate("ten/min")
    with pytest.raises(ImproperlyConfigured):
        throttling.rate_for("no-such-scope")


@pytest.mark.django_db(transaction=True)
def test_the_counters_are_shared_by_every_connection(rates):
    """Two processes (here: two threads, each with its own database connection) see one count."""
    rates(anon="6/min")
    results: list[int] = []
    lock = threading.Lock()

    def visitor():
        client = APIClient()
        try:
            mine = statuses(client, PUBLIC, 4, REMOTE_ADDR="192.0.2.44")
        finally:
            connections.close_all()
        with lock:
            results.extend(mine)

    try:
        threads = [threading.Thread(target=visitor) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [200] * 6 + [429] * 2
    finally:
        throttling.reset()


def test_several_counters_in_one_statement_are_each_judged_on_their_own(monkeypatch):
    """hit_many: one statement; a refused counter neither counts nor stops the others; the estimate slides."""
    throttling.reset()
    monkeypatch.setattr(throttling, "_next_prune", float("inf"))  # no pruning statement in between
    plan = [("t:a", 3, 60), ("t:b", 1, 60), ("t:c", 5, 3600)]
    allowed = []
    for step in range(6):
        now = START + 50 + step * 3  # crosses the minute boundary at step 4 (START + 62)
        with CaptureQueriesContext(connection) as queries:
            waits = throttling.hit_many(plan, now)
        assert len([q for q in queries if not q["sql"].startswith("PREPARE")]) == 1
        assert all(wait is None or wait >= 1 for wait in waits)
        allowed.append(tuple(wait is None for wait in waits))
    # t:a: 3 in the minute, then the previous minute's 3 still weigh (1 + 3 × 58/60 > 3);
    # t:b: 1, and its refusals are not counted; t:c: 5 in the hour.
    assert allowed == [
        (True, True, True),
        (True, False, True),
        (True, False, True),
        (False, False, True),
        (False, False, True),
        (False, False, False),
    ]
    with connection.cursor() as cursor:
        # One row per key: the counts of its current window and of the one before.
        cursor.execute(f"SELECT key, window_start, hits, prev_hits FROM {throttling.TABLE} ORDER BY key")  # noqa: S608
        assert cursor.fetchall() == [("t:a", START + 60, 0, 3), ("t:b", START + 60, 0, 1), ("t:c", START, 5, 0)]
    assert throttling.hit_many([("t:b", 1, 60)], START + 10_000) == [None]  # a later window lets it in
    with pytest.raises(ValueError, match="distinct"):
        throttling.hit_many([("t:a", 1, 60), ("t:a", 1, 60)], START)


def test_another_query_can_ride_along_with_the_counters_in_the_same_statement(monkeypatch):
    throttling.reset()
    monkeypatch.setattr(throttling, "_next_prune", float("inf"))
    query = "also AS (SELECT %s::int * 2, %s::text, counters.allowed FROM counters WHERE %s::int > 0)"
    also = ("hg_test_also", query, [21, "x", 1])
    with CaptureQueriesContext(connection) as queries:
        waits, row = throttling.hit_many([("r:a", 1, 60), ("r:b", 5, 60)], START, also=also)
    assert (waits, row) == ([None, None], (42, "x", True))  # `also` saw that the counters let it in
    assert len([q for q in queries if not q["sql"].startswith("PREPARE")]) == 1
    # No row from the query: None; the counters still count (r:a is now over its limit of 1).
    waits, row = throttling.hit_many([("r:a", 1, 60), ("r:b", 5, 60)], START + 1, also=(*also[:2], [21, "x", 0]))
    assert row is None and waits[0] is not None and waits[1] is None


def test_pruning_keeps_up_with_more_expired_rows_than_a_batch(db, monkeypatch):
    """A busy site adds far more rows a minute than one batch: pruning goes on until none are left."""
    monkeypatch.setattr(throttling, "PRUNE_BATCH", 1000)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {throttling.TABLE} "  # noqa: S608
            "(key, window_s, window_start, expires_at, hits, prev_hits, lim, seen_at, refused) "
            "SELECT 'old:' || n, 60, 0, 100, 1, 0, 5, 0, false FROM generate_series(1, 4500) n "
            "UNION ALL SELECT 'live:' || n, 60, 0, 10000, 1, 0, 5, 0, false FROM generate_series(1, 10) n"
        )
    assert throttling.prune(200) == 4500
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {throttling.TABLE}")  # noqa: S608
        assert cursor.fetchone() == (10,)
    assert throttling.prune(200) == 0


def test_a_key_whose_rate_changes_window_starts_again(monkeypatch):
    """After a change of rate from per-minute to per-hour, the per-minute counts do not carry over."""
    throttling.reset()
    monkeypatch.setattr(throttling, "_next_prune", float("inf"))
    assert throttling.hit_many([("w:a", 2, 60)], START + 10) == [None]
    assert throttling.hit_many([("w:a", 2, 60)], START + 20) == [None]
    assert throttling.hit_many([("w:a", 2, 60)], START + 30) != [None]
    assert throttling.hit_many([("w:a", 2, 3600)], START + 40) == [None]  # a new count, in the hour
    assert throttling.hit_many([("w:a", 2, 3600)], START + 50) == [None]
    assert throttling.hit_many([("w:a", 2, 3600)], START + 60) != [None]


def test_a_process_whose_clock_is_behind_counts_in_the_later_window(monkeypatch):
    """Around a window's end, one process may still be in the old window while another is in the new one."""
    throttling.reset()
    monkeypatch.setattr(throttling, "_next_prune", float("inf"))
    assert throttling.hit_many([("k:a", 2, 60)], START + 60.5) == [None]  # the new window's first request
    assert throttling.hit_many([("k:a", 2, 60)], START + 59.9) == [None]  # a clock 0.6 s behind: same window
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT window_start, hits, prev_hits FROM {throttling.TABLE} WHERE key = 'k:a'")  # noqa: S608
        assert cursor.fetchone() == (START + 60, 2, 0)
    assert throttling.hit_many([("k:a", 2, 60)], START + 61) != [None]


def test_counting_never_scans_the_table_even_when_its_statistics_say_it_is_empty():
    """The generic plan made right after the table was analysed empty must still find rows by the key.

    (The earlier shape joined to the previous window's row; planned on an empty table, that join was
    a sequential scan of the whole table, kept for as long as the table was not analysed again.)
    """
    throttling.reset()
    sql = throttling._hit_many_sql(2)
    text, order = prepared._numbered(sql)
    now = START + 5
    params = ["e:a", 60, START, 5, now, "e:b", 60, START, 5, now]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {throttling.TABLE}")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE hg_test_rate_plan AS {text}")
        try:
            cursor.execute(
                f"EXPLAIN EXECUTE hg_test_rate_plan({', '.join(['%s'] * len(order))})", [params[k] for k in order]
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE hg_test_rate_plan")
    assert "Conflict Arbiter Indexes: backend_rate_counter_pkey" in plan, plan
    assert "Seq Scan" not in plan and "Index Scan" not in plan, plan  # nothing reads the table but the arbiter
