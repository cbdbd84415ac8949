"""`manage.py seed_demo` on an empty database, then again: how long `make run` spends on the demo province.

    python -m bench.demo_seed [--json out.json]

Each run is the whole command as `make run` starts it (Python and Django start-up, the Hà Giang
geography, the province), timed from outside. The database (BENCH_DB_NAME, default
hagiang_bench_demo) is dropped and re-created first, so the first run always starts from nothing.
Target: the second run ≤ 5 s and adds no row.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time

os.environ.setdefault("BENCH_DB_NAME", "hagiang_bench_demo")

from bench import common

COUNTED = ("tracing_producer", "tracing_stamp", "tracing_scan", "marketplace_order", "oversight_auditentry")


def fresh_database(url: str) -> None:
    import dj_database_url

    name = dj_database_url.parse(url)["NAME"]
    admin = common.connect(url, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    with common.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def counts(url: str) -> dict[str, int]:
    with common.connect(url) as conn, conn.cursor() as cursor:
        result = {}
        for table in COUNTED:
            cursor.execute(f"SELECT count(*) FROM {table}")
            result[table] = cursor.fetchone()[0]
        return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    url = common.bench_database_url()
    fresh_database(url)
    with tempfile.TemporaryDirectory(prefix="hg-bench-demo-media-") as media:
        env = common.django_env(url, MEDIA_ROOT=media, DJANGO_EMAIL_BACKEND="locmem")
        migrate = [common.PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"]
        subprocess.run(migrate, cwd=common.ROOT, env=env, check=True)
        figures = {}
        for label in ("first", "second"):
            started = time.perf_counter()
            subprocess.run([common.PYTHON, "manage.py", "seed_demo", "--quiet"], cwd=common.ROOT, env=env, check=True)
            figures[f"{label}_s"] = round(time.perf_counter() - started, 2)
            figures[f"{label}_rows"] = counts(url)
            print(f"{label} seed_demo: {figures[f'{label}_s']:.2f} s  {figures[f'{label}_rows']}", flush=True)
    figures["second_added_rows"] = figures["first_rows"] != figures["second_rows"]
    common.write_json(args.json, figures)
    return figures


if __name__ == "__main__":
    main()
