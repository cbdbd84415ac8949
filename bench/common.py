"""Shared parts of the benchmarks: their own database, generated data, a real gunicorn, a keep-alive client.

The benchmarks never touch the development or test databases: they create `hagiang_bench` (or
BENCH_DB_NAME) on the cluster that DATABASE_URL points at, migrate it, and fill it with generated
retail points using SQL alone (generate_series), which takes well under a minute for a million.
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Việt Nam's bounding box (mainland), where the generated shops are scattered.
VIETNAM = (102.15, 8.6, 109.45, 23.39)  # min_lng, min_lat, max_lng, max_lat
KINDS = ("tea", "orange", "honey")
# Distinct visitor addresses the load generator speaks for: each stays far below the per-address
# limits, and the cache table holds ~2 rows per visitor, as on a site with this many visitors a minute.
VISITORS = 1_000


def bench_database_url() -> str:
    """DATABASE_URL with the database name replaced by the benchmark's own."""
    source = os.environ.get("DATABASE_URL")
    if not source:
        env_file = ROOT / ".local" / "db.env"
        if env_file.exists():
            source = env_file.read_text().strip().partition("=")[2]
    if not source:
        raise SystemExit("DATABASE_URL is not set and .local/db.env is missing: run `make run` once, or set it.")
    parsed = urlparse(source)
    name = os.environ.get("BENCH_DB_NAME", "hagiang_bench")
    return parsed._replace(path="/" + quote(name)).geturl()


def connect(url: str, dbname: str | None = None):
    import dj_database_url

    config = dj_database_url.parse(url)
    return psycopg2.connect(
        dbname=dbname or config["NAME"],
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )


def django_env(url: str, **extra) -> dict:
    """The environment for manage.py and gunicorn against the benchmark database (production settings)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="backend.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_MANIFEST="0",
        DATABASE_CONN_MAX_AGE="600",
        GEOCODER="none",
        LOG_LEVEL="warning",
        # The throttles run on every request with their default limits: the load generator speaks for
        # many visitors (X-Forwarded-For from a pool of addresses, as behind a reverse proxy), so that
        # each address stays under its limit as real visitors do.
        TRUSTED_PROXY_HEADER="x-forwarded-for",
    )
    env.update(extra)
    return env


def ensure_database(url: str, points: int, *, seed: int = 42) -> None:
    """Create, migrate and fill the benchmark database with `points` retail points (kept between runs)."""
    import dj_database_url

    name = dj_database_url.parse(url)["NAME"]
    admin = connect(url, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            print(f"creating database {name}", flush=True)
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    with contextlib.closing(connect(url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    env = django_env(url)
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    with contextlib.closing(connect(url)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM geo_retailpoint")
        if cursor.fetchone()[0] == points:
            print(f"reusing {points:,} generated retail points", flush=True)
            return
        print(f"generating {points:,} retail points…", flush=True)
        started = time.perf_counter()
        _generate(cursor, points, seed)
        conn.commit()
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    with contextlib.closing(connect(url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE geo_retailpoint")
            cursor.execute("VACUUM ANALYZE geo_retailpoint_product_kinds")


def _generate(cursor, points: int, seed: int) -> None:
    """Random shops over Việt Nam: 90 % verified, 97 % active, each selling one to three product kinds."""
    min_lng, min_lat, max_lng, max_lat = VIETNAM
    cursor.execute("TRUNCATE geo_retailpoint RESTART IDENTITY CASCADE")
    # Django's foreign keys are deferred; checking them row by row lets the indexes be rebuilt below.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # Drop the indexes during the load and rebuild them once (much faster than row by row).
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('geo_retailpoint', "
        "'geo_retailpoint_product_kinds') AND indexname NOT LIKE '%%pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
    )
    indexes = cursor.fetchall()
    for index_name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{index_name}"')
    cursor.execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0)])
    cursor.execute(
        """
        INSERT INTO geo_retailpoint (name, kind, address, location, phone, zalo, photo, verification_status,
                                     is_active, created_at, updated_at)
        SELECT 'Cửa hàng ' || n, (ARRAY['shop','market_stall','supermarket','coop_store','farm_gate'])[1 + n %% 5],
               'Địa chỉ ' || n,
               ST_SetSRID(ST_MakePoint(%s + random() * %s, %s + random() * %s), 4326)::geography,
               '0219 ' || lpad((n %% 1000000)::text, 6, '0'), '', '',
               CASE WHEN random() < 0.9 THEN 'verified' ELSE 'pending' END, random() < 0.97, now(), now()
        FROM generate_series(1, %s) AS n
        """,
        [min_lng, max_lng - min_lng, min_lat, max_lat - min_lat, points],
    )
    cursor.execute(
        """
        INSERT INTO geo_retailpoint_product_kinds (retailpoint_id, productkind_id)
        SELECT rp.id, pk.id FROM geo_retailpoint rp JOIN geo_productkind pk ON pk.code = ANY(%s)
        WHERE pk.code = (%s::text[])[1 + rp.id %% 3] OR random() < 0.4
        """,
        [list(KINDS), list(KINDS)],
    )
    cursor.execute(
        """
        INSERT INTO geo_openingperiod (retail_point_id, weekday, opens, closes)
        SELECT rp.id, d, '07:00', '21:00' FROM geo_retailpoint rp, generate_series(0, 6) AS d WHERE rp.id % 4 <> 0
        """
    )
    for _index_name, definition in indexes:
        cursor.execute(definition)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# As in production (scripts/run.sh, Dockerfile: WEB_CONCURRENCY, default 3 sync workers).
GUNICORN_WORKERS = 3


@contextlib.contextmanager
def gunicorn(url: str, *, workers: int = GUNICORN_WORKERS):
    """A real gunicorn on a free loopback port against the benchmark database; yields the port."""
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "backend.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    with contextlib.closing(connect(url)) as conn, conn.cursor() as cursor:
        cursor.execute("DELETE FROM hg_cache")  # start from no throttle history, like a fresh deployment
        cursor.execute("DELETE FROM backend_rate_counter")
        conn.commit()
    process = subprocess.Popen(command, cwd=ROOT, env=django_env(url))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _body = HttpClient(port).get("/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


class HttpClient:
    """One keep-alive HTTP/1.1 connection, each request from another visitor address."""

    _visitors = iter(range(10**9))
    _visitor_lock = threading.Lock()

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str) -> tuple[int, bytes]:
        with self._visitor_lock:
            visitor = next(self._visitors) % VISITORS
        headers = {
            "Host": "127.0.0.1",
            "Accept": "application/json",
            "X-Forwarded-For": f"10.0.{visitor // 250}.{visitor % 250 + 1}",
        }
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def run_concurrently(worker_factory, paths: list[str], concurrency: int) -> tuple[float, list[float]]:
    """Run `paths` split over `concurrency` threads, each with its own worker; (seconds, latencies)."""
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    chunks = [paths[index::concurrency] for index in range(concurrency)]

    def run(chunk):
        mine = []
        try:
            call = worker_factory()
            for item in chunk:
                started = time.perf_counter()
                call(item)
                mine.append(time.perf_counter() - started)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(label: str, seconds: float, latencies: list[float]) -> dict:
    result = {
        "label": label,
        "requests": len(latencies),
        "per_second": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
    }
    print(
        f"{label:<34} {result['per_second']:8.0f} req/s   p50 {result['p50_ms']:6.2f} ms   "
        f"p99 {result['p99_ms']:6.2f} ms   ({result['requests']} requests)",
        flush=True,
    )
    return result


def random_origins(count: int, seed: int) -> list[tuple[float, float, str]]:
    rng = random.Random(seed)
    min_lng, min_lat, max_lng, max_lat = VIETNAM
    return [
        (round(rng.uniform(min_lat, max_lat), 5), round(rng.uniform(min_lng, max_lng), 5), rng.choice(KINDS))
        for _ in range(count)
    ]


def write_json(path: str | None, data) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=2))


def compare_raw_and_api(
    url: str,
    *,
    title: str,
    statements: list[bytes],
    warmup_statements: list[bytes],
    paths: list[str],
    warmup_paths: list[str],
    concurrency: int,
    points: int,
    workers: int = GUNICORN_WORKERS,
    json_path: str | None = None,
    empty_body: bytes | None = None,
) -> dict:
    """The same searches as raw SQL through psycopg2, then through the API over HTTP, in one run.

    `statements` are the exact SQL the API runs for each search (parameters inlined), `paths` the
    API requests for the same searches. Each side is warmed up first; both use `concurrency` client
    threads: one database connection each for raw SQL, one HTTP client each for the API, served by
    `workers` gunicorn processes as in production (sync workers, which close the connection after each
    answer: the client reconnects). `empty_body`, when given, is a piece of an answer that must not
    appear (e.g. no result found). Prints and returns the figures.
    """

    def raw_worker():
        conn = connect(url)
        conn.autocommit = True
        cursor = conn.cursor()

        def call(statement):
            cursor.execute(statement)
            assert cursor.fetchall(), "the nearest query found nothing"

        return call

    print(f"\n{title} over {points:,} retail points, concurrency {concurrency}", flush=True)
    run_concurrently(raw_worker, warmup_statements, concurrency)
    raw = summary("raw SQL (psycopg2)", *run_concurrently(raw_worker, statements, concurrency))

    with gunicorn(url, workers=workers) as port:

        def api_worker():
            client = HttpClient(port)

            def call(path):
                status, body = client.get(path)
                assert status == 200, (status, body[:300])
                assert empty_body is None or empty_body not in body, "the API found nothing"

            return call

        run_concurrently(api_worker, warmup_paths, concurrency)
        api = summary(f"API over HTTP (gunicorn, {workers} workers)", *run_concurrently(api_worker, paths, concurrency))

    ratio = api["per_second"] / raw["per_second"]
    print(f"{'API / raw SQL throughput':<34} {ratio:8.2f} ×   (target ≥ 0.40; API p99 target < 20 ms)", flush=True)
    result = {
        "points": points,
        "concurrency": concurrency,
        "workers": workers,
        "raw_sql": raw,
        "api": api,
        "ratio": ratio,
    }
    write_json(json_path, result)
    return result
