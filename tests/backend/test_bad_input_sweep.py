"""Hostile input on every route, method and role: never a 5xx.

Every route Django resolves (found in the URL resolver, so new routes are swept without a change
here), every method its view answers, as each persona; path parameters filled with a valid value
and with hostile ones, query strings, form bodies (URL-encoded and multipart) and JSON bodies with
NUL bytes, bytes that are not UTF-8, integers past PostgreSQL's bigint, dates at the ends of
Python's calendar and JSON nested 100,000 deep. Input that is never text (NUL, not UTF-8) must be
a 400 with the error shape; the rest anything but a 5xx.

Each request runs in a savepoint that is rolled back, so every request meets the same world (a
delete or a logout changes nothing for the next one) and rate limits never build up.
"""

from __future__ import annotations

import copy
import logging
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client

from tests.backend import sweep, sweep_world

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


@pytest.fixture(autouse=True)
def _quiet_client_errors():
    """Thousands of 400s and 404s are the point here: only server errors are logged."""
    loggers = {name: logging.getLogger(name) for name in ("django.request", "django.contrib.gis")}
    levels = {name: logger.level for name, logger in loggers.items()}
    loggers["django.request"].setLevel(logging.ERROR)
    loggers["django.contrib.gis"].setLevel(logging.CRITICAL)  # its widgets log each unreadable geometry
    yield
    for name, logger in loggers.items():
        logger.setLevel(levels[name])


@pytest.fixture
def world(settings):
    return sweep_world.build()


@pytest.fixture(scope="module")
def catalogue():
    from drf_spectacular.generators import SchemaGenerator

    routes = sweep.routes()
    forms = sweep.form_field_names()
    direct = sweep.names_read_directly()
    return {
        "routes": routes,
        "forms": forms,
        "direct": direct,
        "operations": sweep.openapi_operations(SchemaGenerator().get_schema(request=None, public=True)),
    }


def _names(catalogue, kinds: tuple[str, ...]) -> dict[str, str]:
    """Field names of these kinds ("direct": the names views read from the request themselves, of unknown kind).

    Each hostile value goes to the names of one kind only: a huge number refused by a number field must not
    stop the form before its dates are used, nor a name read directly stop it before its fields are."""
    names = {name: kind for name, kind in catalogue["forms"].items() if kind in kinds}
    if "direct" in kinds:
        names.update(dict.fromkeys(catalogue["direct"], "direct"))
    return names


class Sweep:
    """Sends requests as each persona, each in a savepoint rolled back afterwards, and collects what went wrong."""

    def __init__(self, clients: dict[str, Client]):
        self.clients = clients
        self.failures: list[str] = []
        self.sent: Counter = Counter()  # (persona, kind of payload) → requests
        self.seconds: Counter = Counter()  # valid paths, input the middleware refuses, other hostile input
        self.persona = ""

    def send(self, method: str, url: str, label: str, *, body: bytes = b"", content_type: str = "", expect=None):
        client = self.clients[self.persona]
        cookies = copy.deepcopy(client.cookies)
        started = time.monotonic()
        with transaction.atomic():
            response = client.generic(method, url, data=body, content_type=content_type or "text/plain")
            transaction.set_rollback(True)
        client.cookies = cookies
        self.sent[self.persona, label.split(" ")[0]] += 1
        self.seconds["valid" if label == "valid path" else "refused" if expect == 400 else "hostile"] += (
            time.monotonic() - started
        )
        problem = None
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else None
            problem = f"{response.status_code} {type(error).__name__}: {str(error)[:120]}" if error else "5xx"
        elif expect is not None and response.status_code != expect:
            problem = f"{response.status_code}, expected {expect}"
        elif expect == 400 and url.startswith("/api/") and not _is_error_shape(response, "bad_request"):
            problem = f"not the error shape: {response.content[:80]!r}"
        if problem:
            self.failures.append(f"{self.persona} {method} {url[:110]} [{label}]: {problem}")
        return response


def _is_error_shape(response, code: str) -> bool:
    try:
        return response.json()["error"]["code"] == code
    except (ValueError, KeyError, TypeError):
        return False


def _operation(catalogue, path: str, method: str) -> dict | None:
    for operation in catalogue["operations"]:
        if operation["method"] == method and operation["path"].match(path):
            return operation
    return None


def _refused_at_the_door(response) -> bool:
    """A redirect to a login page, or a 401/403: the view's guard refused before it read any input."""
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    return location.startswith((resolve_url(settings.LOGIN_URL), "/admin/login/"))


def sweep_route(run: Sweep, route: sweep.Route, world: dict, catalogue: dict) -> None:
    """Every method of the route, as every persona.

    * Each persona: the valid path. A persona the view's guard turns away (a login redirect, a 403)
      meets the same guard whatever the input: it is done with the route.
    * Anonymous, whatever the guard: NUL and non-UTF-8 bytes in the path, query and form, which the
      middleware refuses before the session is read (asserted: a 400 with the error shape).
    * Each persona let in whose valid request ended differently from every persona's before (another
      status: another way through the view): every path parameter in turn with each hostile value;
      the query or the form with huge integers, with negative ones, with dates at either end of the
      calendar; multipart forms with NUL bytes and with bytes that are not UTF-8; the API's documented
      query parameters one at a time (a view may stop at the first it refuses); JSON nested past the
      limit, and with each documented field hostile (DRF's views only: Django's read forms).
      Personas that went the same way as one before them get the valid path only: the cost of the
      sweep grows with the ways through the views, not with the number of personas.
    """
    valid = sweep.valid_values(route, world)
    base = route.url(valid)
    for method in route.methods():
        operation = _operation(catalogue, base, method) if route.is_api else None
        outcomes: set[int] = set()
        for persona in sweep_world.PERSONAS:
            run.persona = persona
            response = run.send(method, base, "valid path")
            if persona == "anonymous":
                sweep_not_text(run, route, method, valid, catalogue)
            if _refused_at_the_door(response) or response.status_code in outcomes:
                continue
            outcomes.add(response.status_code)
            for param in route.params:
                for hostile in sweep.hostile_values(param):
                    if "%" not in hostile:
                        run.send(method, route.url({**valid, param.name: hostile}), f"path {param.name}={hostile}")
            if method in ("GET", "DELETE"):
                sweep_query(run, method, base, catalogue, operation)
            else:
                sweep_body(run, method, base, catalogue, operation, with_json=route.reads_json)


def sweep_not_text(run: Sweep, route: sweep.Route, method: str, valid: dict, catalogue: dict) -> None:
    for param in route.params:
        for hostile in sweep.hostile_values(param):
            if "%" in hostile:
                url = route.url({**valid, param.name: hostile})
                run.send(method, url, f"path {param.name}={hostile}", expect=400)
    base = route.url(valid)
    every = _names(catalogue, ("date", "number", "text", "direct"))
    q = sweep.query_string
    run.send(method, f"{base}?{q(dict.fromkeys(every, sweep.NUL))}", "query NUL", expect=400)
    run.send(method, f"{base}?{q(dict.fromkeys(every, sweep.NOT_UTF8))}", "query not UTF-8", expect=400)
    if method not in ("GET", "DELETE"):
        form = "application/x-www-form-urlencoded"
        nul, not_utf8 = q(dict.fromkeys(every, sweep.NUL)).encode(), q(dict.fromkeys(every, "%FF")).encode()
        run.send(method, base, "form NUL", body=nul, content_type=form, expect=400)
        run.send(method, base, "form not UTF-8", body=not_utf8, content_type=form, expect=400)


def sweep_query(run: Sweep, method: str, base: str, catalogue: dict, operation: dict | None) -> None:
    documented = (operation or {}).get("query", {})
    numbers = {**_names(catalogue, ("number",)), **documented}
    dates = {**_names(catalogue, ("date",)), **{n: k for n, k in documented.items() if k != "number"}}
    direct = _names(catalogue, ("direct",))
    q = sweep.query_string
    run.send(method, f"{base}?{q(dict.fromkeys(numbers, sweep.HUGE))}", "query huge")
    run.send(method, f"{base}?{q(dict.fromkeys(numbers, sweep.NEGATIVE_HUGE))}", "query -huge")
    run.send(method, f"{base}?{q(dict.fromkeys(dates, sweep.DATE_HIGH))}", "query 9999-12-31")
    run.send(method, f"{base}?{q(dict.fromkeys(dates, sweep.DATE_LOW))}", "query 0001-01-01")
    run.send(method, f"{base}?{q(dict.fromkeys(direct, sweep.HUGE))}", "query read directly huge")
    run.send(method, f"{base}?{q(dict.fromkeys(direct, sweep.DATE_HIGH))}", "query read directly 9999-12-31")
    for name, kind in documented.items():
        extra = {"number": (sweep.HUGER,), "date": (sweep.DATE_HIGH, sweep.DATE_LOW), "text": (sweep.DATE_HIGH,)}
        for value in (sweep.HUGE, *extra[kind]):
            run.send(method, f"{base}?{q({name: value})}", f"query {name}={value[:10]}")


def sweep_body(run: Sweep, method: str, base: str, catalogue: dict, operation: dict | None, *, with_json: bool) -> None:
    form = "application/x-www-form-urlencoded"
    every = _names(catalogue, ("date", "number", "text", "direct"))
    q = sweep.query_string
    for label, kinds, value in [
        ("form huge", ("number",), sweep.HUGE),
        ("form 9999-12-31", ("date",), sweep.DATE_HIGH),
        ("form 0001-01-01", ("date",), sweep.DATE_LOW),
        ("form read directly huge", ("direct",), sweep.HUGE),
        ("form read directly 9999-12-31", ("direct",), sweep.DATE_HIGH),
    ]:
        body = q(dict.fromkeys(_names(catalogue, kinds), value)).encode()
        run.send(method, base, label, body=body, content_type=form)
    body, content_type = sweep.multipart(dict.fromkeys(every, b"\x00"))
    run.send(method, base, "multipart NUL", body=body, content_type=content_type)
    body, content_type = sweep.multipart(dict.fromkeys(every, b"\xff\xfe"))
    run.send(method, base, "multipart not UTF-8", body=body, content_type=content_type)
    if not with_json:
        return
    json = "application/json"
    run.send(method, base, "JSON 100000 deep", body=sweep.deep_json(), content_type=json)
    run.send(method, base, "JSON 40 objects deep", body=sweep.deep_object(), content_type=json)
    props = (operation or {}).get("body")
    if props:
        values = {
            "JSON NUL": lambda kind: "\x00",
            "JSON surrogate": lambda kind: "\ud800",
            "JSON huge": lambda kind: int(sweep.HUGE) if kind != "text" else sweep.HUGE,
            "JSON 9999-12-31": lambda kind: sweep.DATE_HIGH,
            "JSON 0001-01-01": lambda kind: sweep.DATE_LOW,
        }
        for label, value_for in values.items():
            run.send(method, base, label, body=sweep.json_body(props, value_for), content_type=json)
        run.send(method, base, "JSON 1e400", body=b'{"%s": 1e400}' % next(iter(props)).encode(), content_type=json)


def test_every_route_is_reached_by_the_sweep(catalogue, world):
    """The sampler builds, for each route, a URL that Django resolves to that route."""
    unreachable = []
    for route in catalogue["routes"]:
        url = route.url(sweep.valid_values(route, world))
        if not sweep.resolves_to(route, url):
            unreachable.append(f"{route.label} -> {url}")
    assert unreachable == []


def test_no_route_answers_hostile_input_with_a_server_error(world, catalogue, capsys):
    clients = {}
    for persona in sweep_world.PERSONAS:
        clients[persona] = Client(raise_request_exception=False)
        if world["users"][persona] is not None:
            clients[persona].force_login(world["users"][persona])
    run = Sweep(clients)
    started = time.monotonic()
    seen, routes = set(), 0
    for route in catalogue["routes"]:
        url = route.url(sweep.valid_values(route, world))
        if url not in seen:  # a pattern repeated later (Django's own login URL after ours) is the same route
            seen.add(url)
            routes += 1
            sweep_route(run, route, world, catalogue)
    by_persona = Counter()
    for (persona, _kind), count in run.sent.items():
        by_persona[persona] += count
    with capsys.disabled():
        print(
            f"\n[bad-input sweep] {routes} routes, {sum(by_persona.values())} requests in "
            f"{time.monotonic() - started:.0f}s ("
            + ", ".join(f"{kind} {seconds:.0f}s" for kind, seconds in run.seconds.items())
            + "): "
            + ", ".join(f"{p} {n}" for p, n in by_persona.items())
        )
    assert not run.failures, f"{len(run.failures)} failures:\n" + "\n".join(run.failures[:80])
