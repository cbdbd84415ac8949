"""Every route of the site, found in Django's URL resolver, with its methods and hostile variants of its input.

Nothing here lists routes by hand: a route added anywhere (an app's urls.py, the admin, a router) is
swept as soon as it resolves. A path's parameters are filled with a valid value (the first row, or a
real code from the world) and with hostile ones; the query and form field names come from every
form, filter set and serializer of the apps, the OpenAPI schema and the names views read from
request.GET/POST directly.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from django_filters import FilterSet
from rest_framework import serializers

APPS = ("backend", "geo", "tracing", "marketplace", "oversight")
ROOT = Path(__file__).resolve().parents[2]

HUGE = "9223372036854775808"  # one more than PostgreSQL's largest bigint
HUGER = "9" * 40
NEGATIVE_HUGE = "-9223372036854775809"
DATE_HIGH = "9999-12-31"
DATE_LOW = "0001-01-01"
NUL = "%00"
NOT_UTF8 = "%FF"  # a lone byte 0xFF: no UTF-8 text has it
DEEP = 100_000


@dataclass
class Param:
    name: str
    kind: str  # a converter's name (int, str, slug, uuid, path) or "regex"
    choices: tuple[str, ...] = ()  # a regex group that is an alternation of words (the admin's app labels)


@dataclass
class Route:
    pieces: list  # RoutePattern / RegexPattern, outermost first
    name: str
    callback: object
    params: list[Param] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "".join(str(piece) for piece in self.pieces) or "/"

    @property
    def is_api(self) -> bool:
        return self.label.startswith("api/")

    @property
    def reads_json(self) -> bool:
        """A DRF view (it parses JSON bodies); Django's views read forms only."""
        return hasattr(getattr(self.callback, "view_class", None), "parser_classes")

    def methods(self) -> list[str]:
        """The methods the view answers: a viewset's actions, a class's handlers, GET and POST for a function."""
        skip = {"head", "options", "trace"}  # HEAD is GET without the body; OPTIONS describes the view
        actions = getattr(self.callback, "actions", None)
        if actions:  # DRF adds "head" to a viewset's actions once it has answered a GET
            return sorted(method.upper() for method in actions if method not in skip)
        view_class = getattr(self.callback, "view_class", None)
        if view_class is not None:
            return sorted(m.upper() for m in view_class.http_method_names if m not in skip and hasattr(view_class, m))
        return ["GET", "POST"]

    def url(self, values: dict[str, str]) -> str:
        return "/" + "".join(_piece_url(piece, values) for piece in self.pieces)


def _walk(patterns, pieces, namespace):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, [*pieces, entry.pattern], inner)
        elif isinstance(entry, URLPattern):
            yield Route([*pieces, entry.pattern], f"{namespace}{entry.name or ''}", entry.callback)


_CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


def _named_groups(regex: str) -> list[tuple[str, str]]:
    """(name, body) of each named group of a regex, with balanced parentheses."""
    groups = []
    for match in _GROUP.finditer(regex):
        depth, index = 1, match.end()
        while depth:
            char = regex[index]
            if char == "\\":
                index += 2
                continue
            depth += {"(": 1, ")": -1}.get(char, 0)
            index += 1
        groups.append((match.group("name"), regex[match.end() : index - 1]))
    return groups


def _params(route: Route) -> list[Param]:
    params = []
    for piece in route.pieces:
        if isinstance(piece, RoutePattern):
            for match in _CONVERTER.finditer(str(piece)):
                params.append(Param(match.group("name"), match.group("kind") or "str"))
        elif isinstance(piece, RegexPattern):
            for name, body in _named_groups(piece._regex):
                words = tuple(body.split("|")) if re.fullmatch(r"[\w-]+(\|[\w-]+)*", body) else ()
                params.append(Param(name, "regex", words if len(words) > 1 or body.isalnum() else ()))
    return params


def _sample(regex: str, values: dict[str, str]) -> str:
    """A string the regex matches, named groups replaced by `values` (the forms our routes use, no more)."""
    out, index = [], 0
    while index < len(regex):
        char = regex[index]
        if regex.startswith("(?P<", index):
            name = regex[index + 4 : regex.index(">", index)]
            body = dict(_named_groups(regex[index:]))[name]
            out.append(values[name])
            index = regex.index(">", index) + 1 + len(body) + 1
        elif regex.startswith("(?:", index):
            depth, end = 1, index + 3
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[end], 0)
                end += 1
            out.append(_sample(regex[index + 3 : end - 1].split("|")[0], values))
            index = end
        elif regex.startswith(("\\Z", "\\A"), index):
            index += 2  # anchors match no character
        elif char == "[":
            end = index + 1
            while regex[end] != "]" or end == index + 1:
                end += 2 if regex[end] == "\\" else 1
            sample, index = _class_sample(regex[index : end + 1], regex, end + 1)
            out.append(sample)
        elif char == "\\":
            out.append({"d": "1", "w": "a"}.get(regex[index + 1], regex[index + 1]))
            index += 2
        elif char == "." and regex[index + 1 : index + 2] in ("*", "+"):
            out.append("" if regex[index + 1] == "*" else "x")
            index += 2
        elif char in "^$?*+":
            index += 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _class_sample(char_class: str, regex: str, index: int) -> tuple[str, int]:
    """A sample of a character class and its quantifier, and where the regex goes on.

    A class that takes "/" with `*` or `+` is a catch-all of path segments: it gets three of them, so that
    the routes before it (one code, one code and a word) do not take the URL instead.
    """
    one = next(c for c in "a1x-_." if re.fullmatch(char_class, c))
    quantifier = re.match(r"\*|\+|\?|\{(\d+)(?:,\d*)?\}", regex[index:])
    if quantifier is None:
        return one, index
    token = quantifier.group(0)
    if token in ("*", "+") and re.fullmatch(char_class, "/"):
        return "x/y/z", index + len(token)
    count = {"*": 0, "?": 0, "+": 1}.get(token) if token in ("*", "?", "+") else int(quantifier.group(1))
    return one * count, index + len(token)


def _piece_url(piece, values: dict[str, str]) -> str:
    if isinstance(piece, RoutePattern):
        return _CONVERTER.sub(lambda m: values[m.group("name")], str(piece))
    return _sample(piece._regex, values)


def routes() -> list[Route]:
    found = []
    for route in _walk(get_resolver().url_patterns, [], ""):
        route.params = _params(route)
        found.append(route)
    return found


def valid_values(route: Route, world: dict) -> dict[str, str]:
    """A value for each path parameter that names something in the world."""
    named = world["path_values"]
    values = {}
    for param in route.params:
        special = world["route_values"].get(route.name, {})
        if param.name in special:
            values[param.name] = special[param.name]
        elif f"{param.kind}:{param.name}" in named:
            values[param.name] = named[f"{param.kind}:{param.name}"]
        elif param.name in named and param.kind != "int":
            values[param.name] = named[param.name]
        elif param.choices:
            values[param.name] = param.choices[0]
        else:
            values[param.name] = "1"
    return values


def hostile_values(param: Param) -> list[str]:
    if param.kind == "int":
        return [HUGE, HUGER]
    if param.kind == "uuid":
        return ["00000000-0000-0000-0000-000000000000"]
    return [NUL, NOT_UTF8, NUL + NOT_UTF8, HUGE]


def resolves_to(route: Route, url: str) -> bool:
    """Whether the URL built for the route reaches this very route (the sampler understood its regex, and no
    earlier pattern shadows it)."""
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return False
    expected = ""
    for piece in route.pieces:  # joined as Django joins them (URLResolver._join_route)
        expected = expected + str(piece).removeprefix("^") if expected else str(piece)
    return match.route == expected


# --- names of parameters and fields ------------------------------------------------------------


def _app_modules():
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            yield importlib.import_module(info.name)


def app_classes(base) -> list[type]:
    """Classes derived from `base` defined in the apps' modules."""
    found = {}
    for module in _app_modules():
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, base) and obj.__module__.split(".")[0] in APPS:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return list(found.values())


def _kind_of(form_field) -> str:
    if isinstance(form_field, (forms.DateField, forms.DateTimeField, serializers.DateField, serializers.DateTimeField)):
        return "date"
    numeric = (
        forms.IntegerField,
        forms.DecimalField,
        forms.FloatField,
        forms.ModelChoiceField,
        serializers.IntegerField,
        serializers.DecimalField,
        serializers.FloatField,
        serializers.PrimaryKeyRelatedField,
    )
    if isinstance(form_field, numeric):
        return "number"
    return "text"


def form_field_names() -> dict[str, str]:
    """name → "date", "number" or "text" for every field of every form and filter set of the apps."""
    names: dict[str, str] = {}
    for form_class in app_classes(forms.BaseForm):
        for name, form_field in form_class.base_fields.items():
            names.setdefault(name, _kind_of(form_field))
    for filter_class in app_classes(FilterSet):
        for name, model_filter in filter_class.base_filters.items():
            names.setdefault(name, _kind_of(model_filter.field))
    return names


_READ = re.compile(r"""(?:GET|POST|query_params|data)(?:\.get\(|\[|\.getlist\()\s*f?["']([\w-]+)""")


def names_read_directly() -> set[str]:
    """Names views read from request.GET / request.POST / query_params / data themselves."""
    names = set()
    for app in APPS:
        for source in (ROOT / app).rglob("*.py"):
            if "migrations" not in source.parts:
                names.update(_READ.findall(source.read_text()))
    return names


def openapi_operations(schema: dict) -> list[dict]:
    """Each operation's path (as a regex), method, query parameters and body properties, with their kinds."""

    def kind(prop: dict) -> str:
        if prop.get("format") in ("date", "date-time"):
            return "date"
        return "number" if prop.get("type") in ("integer", "number") else "text"

    def properties(body: dict) -> dict[str, str]:
        found = {}
        for content in body.get("content", {}).values():
            ref = content.get("schema", {}).get("$ref", "")
            component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], content.get("schema", {}))
            for name, prop in component.get("properties", {}).items():
                found[name] = kind(prop)
        return found

    operations = []
    for path, items in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in items.items():
            parameters = operation.get("parameters", [])
            query = {p["name"]: kind(p.get("schema", {})) for p in parameters if p["in"] == "query"}
            operations.append(
                {
                    "path": pattern,
                    "method": method.upper(),
                    "query": query,
                    "body": properties(operation.get("requestBody", {})),
                }
            )
    return operations


# --- payloads ----------------------------------------------------------------------------------


def query_string(pairs: dict[str, str]) -> str:
    """Pairs whose values are already percent-encoded (NUL, NOT_UTF8) or plain text."""
    return "&".join(f"{quote(name)}={value}" for name, value in pairs.items())


def deep_json(depth: int = DEEP) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int = 40) -> bytes:
    return (b'{"a":' * depth) + b"1" + (b"}" * depth)


def json_body(names: dict[str, str], value_for) -> bytes:
    return json.dumps({name: value_for(kind) for name, kind in names.items()}).encode()


def multipart(fields: dict[str, bytes], boundary: str = "sweepboundary") -> tuple[bytes, str]:
    """A multipart body from raw bytes (the test client would encode str values itself)."""
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
