"""Schemathesis against the live test server: the API answers what its OpenAPI schema says, and never a 5xx.

Real HTTP (pytest-django's live_server), every check schemathesis has, a fixed seed and a bounded
number of examples per operation; once anonymous and once as a producer's staff member (token).
The run is schemathesis' own command line, in a process of its own, so that its requests really
cross a socket; its report is the failure message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.backend import sweep_world

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

ST = Path(sys.executable).with_name("st")
ROOT = Path(__file__).resolve().parents[2]
SEED = 20260101
MAX_EXAMPLES = 10
# The coverage phase (deterministic boundary and negative values for every parameter) takes about five
# minutes per persona on a loaded 2-core machine: `HG_SCHEMATHESIS_PHASES=examples,coverage,fuzzing,stateful
# make test ARGS=tests/backend/test_api_schemathesis.py` runs it; `make test` keeps to a couple of minutes.
PHASES = os.environ.get("HG_SCHEMATHESIS_PHASES", "examples,fuzzing,stateful")


@pytest.fixture
def world(settings):
    # The rate limits would answer most of the run with 429 (documented, but testing nothing else).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
    }
    return sweep_world.build()


def schemathesis(live_server, workdir: Path, *headers: str) -> subprocess.CompletedProcess:
    command = [
        str(ST),
        "run",
        f"{live_server.url}/api/schema/",
        "--checks",
        "all",
        # Requests the schema allows are refused for reasons no schema states: an id of a row that does not exist
        # or is not the caller's (0, 8343), a tax number's check digit, a lot code already used, an order's
        # status, JSON null in a form (a form has no null). The check would fail on every write and filter.
        "--exclude-checks",
        "positive_data_acceptance",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        PHASES,
        "--workers",
        "1",
        # A NUL in any text is refused with a 400 by design (backend/badinput.py; the sweep asserts it for
        # every route): schemathesis would count each such 400 as a valid request rejected.
        "--generation-allow-x00",
        "false",
        # The credentials under test are the ones given here: a generated session cookie or token beside them
        # would make every answer to the valid token look like "invalid authentication accepted".
        "--generation-with-security-parameters",
        "false",
        "--no-color",
        # No example database: every run is the seed's own, not a replay of earlier failures.
        "--generation-database",
        "none",
        # Django's WSGI server (the live server) can leave unread the body of a request answered before its body
        # was read (a 403): on a kept-alive connection it is then taken for the next request line.
        "-H",
        "Connection: close",
        *[arg for header in headers for arg in ("-H", header)],
    ]
    # DRF converts JSON scalars between types on purpose: the hooks say which findings that explains.
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.backend.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    # In a folder of its own: schemathesis keeps a cache beside it.
    return subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False, cwd=workdir, env=env)


@pytest.mark.parametrize("persona", ["anonymous", "producer"])
def test_the_api_keeps_to_its_schema_under_schemathesis(live_server, world, persona, capsys, tmp_path):
    headers = []
    if persona == "producer":
        headers.append(f"Authorization: Token {Token.objects.create(user=world['users']['producer']).key}")
    started = time.monotonic()
    result = schemathesis(live_server, tmp_path, *headers)
    with capsys.disabled():
        print(f"\n[schemathesis] {persona}: {time.monotonic() - started:.0f}s, exit {result.returncode}")
    if os.environ.get("HG_SCHEMATHESIS_LOG"):  # the whole report, for a run by hand
        Path(os.environ["HG_SCHEMATHESIS_LOG"]).write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]
