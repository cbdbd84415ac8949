"""API rate limits: window counters in PostgreSQL, one statement per request, shared by every process.

DRF's own throttles keep a list of timestamps per client in Django's cache; with the database cache
that cost 12 statements per request (each `cache.set` also counts the whole cache table). Here a
request costs one statement on the table `backend_rate_counter` (UNLOGGED, migrations
backend/0003_rate_counters and 0004_rate_counter_per_key), essentially

    INSERT … VALUES (key, window, …, 1)
    ON CONFLICT (key) DO UPDATE SET hits = hits + <1 if still under the limit, else 0>, …
    RETURNING hits, prev_hits, refused

which checks and counts the request atomically for every web and worker process at once (no
broker). A refused request is not counted (as with DRF), so a client that keeps knocking is let in
again as soon as its rate allows.

The counters are per fixed window (a minute for "120/min"), and the limit applies to a sliding
estimate: this window's count plus the previous window's count weighted by how much of the last
`window` seconds it still covers. Plain fixed windows would let a client make twice the rate across
a window boundary, and forget a burst of password guesses that straddles one. Each key has one row,
holding the counts of its current window and of the one before: the first request of a new window
rolls them over. The statement reads nothing else, so the only way PostgreSQL has to the row is the
primary key's index. (An earlier shape, a row per key and window, joined to read the previous
window's row; a generic plan made while the table was nearly empty, e.g. after a quiet night's
pruning and vacuum, scanned the whole table for it at every request until the table was analysed
again.)

Who is counted:

* `ApiRateThrottle` (the default for every API view): a signed-in user by their id, at the "user"
  rate; an anonymous client by their address (backend/client_address.py: REMOTE_ADDR, or the
  trusted proxy's header when one is configured) at the "anon" rate.
  (DRF's pair of throttles also counted anonymous clients against the "user" rate; the "anon" rate
  is the lower one, so one counter does the same job.)
* `ScopedRateLimitThrottle`: views with a `throttle_scope` (e.g. "auth" for token login), by user
  id or address, at the scope's rate.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read at each request (so that
`override_settings` works); a rate of None means no limit. Addresses are stored as a keyed hash,
never in clear. A refused request gets DRF's 429 (the API's error shape) with Retry-After: the
seconds until the estimate lets the next request through.

Callers that count only some requests, such as failed logins (backend/login_limits.py), first ask
`waits` whether a request would be let through (a read of the keys' rows, nothing counted) and call
`hit_many` once they know the request counts.

Rows that no estimate reads any more are deleted in batches by separate statements, at most once a
minute per process; the table holds about one row per client and scope active in the last two
windows. The counting
statements are prepared once per connection (backend/prepared.py) and have no other parameters, so
PostgreSQL settles on one generic plan for them instead of planning each request (an earlier
version with the pruning inside the same statement was re-planned every time: ~0.5 ms).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import random
import threading
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from backend import prepared
from backend.client_address import client_address, client_network

TABLE = "backend_rate_counter"
PRUNE_EVERY_S = 60.0
PRUNE_BATCH = 5_000
PRUNE_MAX_BATCHES = 100  # 500,000 rows a minute per process at most

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


# Table and column names are constants of this module; the values are parameters. One statement
# counts one or several counters (the scan page checks two): the same rule per row. The rows are a
# VALUES list of scalar parameters (one statement text per number of counters), not arrays: with
# arrays PostgreSQL cannot estimate the row count of a generic plan and plans the prepared statement
# again at every execution. There is no other read of the table: the conflict arm finds the key's
# row through the primary key (the arbiter index), so no plan can scan the table, whatever its
# statistics say.
#
# In the conflict arm, `c` is the key's row as it was and `excluded` the request (its window, limit
# and time). The row's counts roll to the request's window first (a row from another window length,
# after a change of rate, starts again); a process whose clock is a little behind counts in the
# row's later window.
_SAME = "(c.window_s = excluded.window_s AND c.window_start >= excluded.window_start)"
_NEXT = "(c.window_s = excluded.window_s AND c.window_start = excluded.window_start - excluded.window_s)"
_CUR = f"(CASE WHEN {_SAME} THEN c.hits ELSE 0 END)"
_PREV = f"(CASE WHEN {_SAME} THEN c.prev_hits WHEN {_NEXT} THEN c.hits ELSE 0 END)"
_WEIGHT = "(1.0 - (excluded.seen_at - excluded.window_start) / excluded.window_s)"
_ALLOWED = f"({_CUR} + 1 + {_PREV} * {_WEIGHT} <= excluded.lim)"
_START = f"(CASE WHEN {_SAME} THEN c.window_start ELSE excluded.window_start END)"


@functools.lru_cache(maxsize=32)
def _hit_many_sql(count: int, also: str | None = None) -> str:
    row = "(%s::text, %s::int, %s::bigint, %s::int, %s::float8)"
    counters = f"""
WITH req (key, window_s, start, lim, seen_at) AS (
    VALUES {", ".join([row] * count)}
), counted AS (
    INSERT INTO {TABLE} AS c (key, window_s, window_start, expires_at, hits, prev_hits, lim, seen_at, refused)
    SELECT key, window_s, start, start + 2 * window_s, CASE WHEN lim >= 1 THEN 1 ELSE 0 END, 0, lim, seen_at, lim < 1
    FROM req
    ON CONFLICT (key) DO UPDATE SET
        window_start = {_START},
        expires_at = {_START} + 2 * excluded.window_s,
        window_s = excluded.window_s,
        hits = {_CUR} + CASE WHEN {_ALLOWED} THEN 1 ELSE 0 END,
        prev_hits = {_PREV},
        lim = excluded.lim,
        seen_at = excluded.seen_at,
        refused = NOT {_ALLOWED}
    RETURNING key, hits, prev_hits, refused
), counters AS (
    -- After the request: this window's count (with the request if it was let through), the previous
    -- window's, and whether it was refused; `allowed` when every counter let it through.
    SELECT array_agg(key) AS keys, array_agg(hits) AS hits, array_agg(prev_hits) AS previous,
           array_agg(refused) AS refused, NOT bool_or(refused) AS allowed
    FROM counted
)"""  # noqa: S608
    if also is None:
        return counters + "\nSELECT counters.* FROM counters"
    return (
        counters
        + f""",
{also}
SELECT counters.*, also.* FROM counters LEFT JOIN also ON true"""  # noqa: S608 - the caller's SQL
    )


_prune_lock = threading.Lock()
_next_prune = 0.0


@functools.lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int]:
    """'120/min' → (120, 60): requests allowed per window, window length in seconds (DRF's syntax)."""
    try:
        number, period = rate.split("/")
        return int(number), _PERIODS[period.strip()[0]]
    except (ValueError, KeyError, IndexError):
        raise ImproperlyConfigured(f"Malformed throttle rate {rate!r}: use e.g. 120/min.") from None


def rate_for(scope: str) -> tuple[int, int] | None:
    """(limit, window seconds) of a scope from the settings; None when its rate is None (no limit)."""
    rates = api_settings.DEFAULT_THROTTLE_RATES
    if scope not in rates:
        raise ImproperlyConfigured(f"No throttle rate set for the {scope!r} scope in DEFAULT_THROTTLE_RATES.")
    rate = rates[scope]
    return None if rate is None else parse_rate(rate)


def hit(key: str, limit: int, window_s: int, now: float) -> float | None:
    """Count one request for `key` if the limit allows it: None when allowed, else seconds to wait."""
    return hit_many([(key, limit, window_s)], now)[0]


def hit_many(hits: list[tuple[str, int, int]], now: float, *, also: tuple[str, str, list] | None = None):
    """Count one request on each (key, limit, window_s) counter, in one statement: for each, None or seconds to wait.

    Each counter is judged on its own (a refused counter does not stop the others); keys must be distinct.

    `also` = (name, SQL, parameters) adds more of the caller's work to the same statement, saving
    round trips on the busiest page (the scan page reads its stamp and records the scan this way).
    The SQL is a list of CTEs (%s placeholders) ending with one named `also`, e.g.
    `also AS (SELECT …)`; they may read the CTE `counters`, whose boolean `allowed` says whether
    every counter let the request through (with arrays `keys`, `hits`, `previous`, `refused`, in
    no particular order) — for instance to write only when the request is let through.
    The result is then (waits, the first row of `also`, or None if it has none). Every part of the
    statement sees the database as it was before the statement.
    """
    if len({key for key, _limit, _window in hits}) != len(hits):
        raise ValueError("hit_many: the keys must be distinct")
    starts = [int(now // window_s) * window_s for _key, _limit, window_s in hits]
    params = []
    for (key, limit, window_s), start in zip(hits, starts, strict=True):
        params += [key, window_s, start, limit, now]
    name, sql = f"hg_rate_hit_many{len(hits)}", _hit_many_sql(len(hits))
    if also is not None:
        also_name, also_sql, also_params = also
        name, sql = f"{name}_{also_name}", _hit_many_sql(len(hits), also_sql)
        params += list(also_params)
    if _prune_due(now):
        prune(now)
    with connection.cursor() as cursor:
        prepared.execute(cursor, name, sql, params)
        result = cursor.fetchone()
    keys, counts, previous, refused = result[:4]
    after = {key: (counts[n], previous[n], refused[n]) for n, key in enumerate(keys)}
    waits: list[float | None] = []
    for (key, limit, window_s), start in zip(hits, starts, strict=True):
        current, before, was_refused = after[key]
        # A refused request was not counted: `current` is the count it was judged on.
        waits.append(_wait(limit, window_s, now - start, before, current) if was_refused else None)
    if also is None:
        return waits
    extra = result[5:]
    return waits, (None if all(value is None for value in extra) else extra)


def waits(hits: list[tuple[str, int, int]], now: float) -> list[float | None]:
    """For each (key, limit, window_s) counter: None if it would let one more request through now, else seconds to wait.

    Reads the counters by their keys and counts nothing: the same estimate as `hit_many`'s, for
    callers that count a request only after seeing how it went (a failed login). Requests that
    arrive together may all be let through before any is counted; the next ones see them all.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, window_s, window_start, hits, prev_hits FROM {TABLE} WHERE key = ANY(%s)",  # noqa: S608
            [[key for key, _limit, _window in hits]],
        )
        rows = {key: rest for key, *rest in cursor.fetchall()}
    result: list[float | None] = []
    for key, limit, window_s in hits:
        start = int(now // window_s) * window_s
        row_window, row_start, current, previous = rows.get(key, (window_s, start, 0, 0))
        if row_window != window_s or row_start < start - window_s:
            current = previous = 0  # another rate, or older than the previous window: forgotten
        elif row_start < start:
            current, previous = 0, current  # its window is now the previous one
        weight = 1.0 - (now - start) / window_s
        allowed = current + 1 + previous * weight <= limit
        result.append(None if allowed else _wait(limit, window_s, now - start, previous, current))
    return result


def _wait(limit: int, window_s: int, elapsed: float, previous: int, current: int) -> float:
    """Seconds until `current + 1 + previous × weight ≤ limit` (the weight falls as the window goes on)."""
    if current + 1 <= limit:
        if previous <= 0:  # refused only because other requests of the same client came in meanwhile
            return 1.0
        # Later in this window, once the previous window weighs little enough.
        return max(1.0, window_s * (1.0 - (limit - current - 1) / previous) - elapsed)
    # In the next window, where this window's count becomes the previous one.
    later = window_s * (1.0 - (limit - 1) / current) if current > limit - 1 and current > 0 else 0.0
    return max(1.0, window_s - elapsed + max(0.0, later))


def _prune_due(now: float) -> bool:
    """True at most once a minute per process (with jitter, so that processes spread out)."""
    global _next_prune
    with _prune_lock:
        if now < _next_prune:
            return False
        _next_prune = now + PRUNE_EVERY_S * random.uniform(0.8, 1.2)  # noqa: S311 - not security related
        return True


def prune(now: float | None = None) -> int:
    """Delete the rows that no estimate reads after `now`, in batches; how many rows went.

    Batches keep each statement short. They go on until one finds fewer than a batch (or after
    PRUNE_MAX_BATCHES): one batch a minute would fall behind a busy site, whose distinct visitors
    and codes add far more than PRUNE_BATCH rows a minute.
    """
    now = time.time() if now is None else now
    deleted = 0
    with connection.cursor() as cursor:
        for _batch in range(PRUNE_MAX_BATCHES):
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {TABLE} WHERE expires_at < %s LIMIT %s))",  # noqa: S608
                [int(now), PRUNE_BATCH],
            )
            deleted += cursor.rowcount
            if cursor.rowcount < PRUNE_BATCH:
                break
    return deleted


def reset() -> None:
    """Forget every counter (tests, or after changing the rates).

    DELETE rather than TRUNCATE: no exclusive lock, so it is safe inside a test's transaction while
    other connections count requests.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - a constant


def keyed(text: str) -> str:
    """A short keyed hash: how addresses, account names and email addresses go into counter keys, never in clear."""
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:24]


def address_key(request) -> str:
    """'a' + the keyed hash of the client's address (its IPv6 /64 network: backend/client_address.py)."""
    return "a" + keyed(client_network(request))


def client_key(request) -> str:
    """Who is asking: 'u<id>' for a signed-in user, else the keyed hash of the client's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return address_key(request)


class _PostgresRateThrottle(BaseThrottle):
    """Checks and counts the request in one statement; subclasses choose the scope."""

    timer = time.time

    def __init__(self):
        self._wait: float | None = None

    def scope_for(self, request, view) -> str | None:
        raise NotImplementedError

    def get_ident(self, request) -> str:
        """DRF's name for the client's address: the one of backend/client_address.py."""
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        scope = self.scope_for(request, view)
        if scope is None:
            return True
        rate = rate_for(scope)
        if rate is None:
            return True
        limit, window_s = rate
        self._wait = hit(f"{scope}:{client_key(request)}", limit, window_s, self.timer())
        return self._wait is None

    def wait(self) -> float | None:
        """Seconds until a request would be let through again (DRF sends it as Retry-After)."""
        return self._wait


class ApiRateThrottle(_PostgresRateThrottle):
    """The default API limit: the "user" rate per signed-in user, the "anon" rate per anonymous address."""

    def scope_for(self, request, view) -> str:
        user = getattr(request, "user", None)
        return "user" if user is not None and user.is_authenticated else "anon"


class ScopedRateLimitThrottle(_PostgresRateThrottle):
    """The rate of the view's `throttle_scope` (e.g. "auth"), per user or address; views without one are free."""

    scope_attr = "throttle_scope"

    def scope_for(self, request, view) -> str | None:
        return getattr(view, self.scope_attr, None)
