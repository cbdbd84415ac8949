"""Bad input is a 400 (or a 404) with a message, never a 500: the cases that were 500s, one by one.

The sweep over every route and persona is tests/backend/test_bad_input_sweep.py; schemathesis runs
against the live server in tests/backend/test_api_schemathesis.py.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.oversight import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def coop():
    """An approved cooperative with its staff member, a product and a batch."""
    places = f.make_map()
    producer = f.make_producer("HTX Cam sành Việt Quang", commune=places["viet_quang_old"], lat=22.41, lng=104.82)
    staff = f.make_staff("lan", producer)
    product = f.make_product(staff, producer)
    return {"producer": producer, "staff": staff, "batch": f.make_batch(staff, product), "places": places}


def error(response) -> dict:
    return response.json()["error"]


# --- NUL bytes and bytes that are not UTF-8 -------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/stamps/%00%ff", "/api/v1/stamps/%00", "/api/v1/stamps/%ff"])
def test_a_nul_or_a_byte_that_is_not_utf8_in_an_api_path_is_a_400_with_the_error_shape(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"
    assert error(response)["message"] == "The address contains a NUL character or bytes that are not valid UTF-8."
    assert "NUL" in error(client.get(path))["message"]  # and in Vietnamese by default: "Địa chỉ có ký tự NUL…"
    assert error(client.get(path))["message"].startswith("Địa chỉ")


def test_a_nul_in_a_query_parameter_is_a_400_naming_the_parameter(client):
    response = client.get("/api/v1/regions/?product_kind=%00")
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["product_kind"]


def test_bytes_that_are_not_utf8_in_a_query_are_a_400_not_a_search_for_a_replacement_character(client):
    assert client.get("/api/v1/geocode?q=%C3%A9").status_code == 200  # é
    response = client.get("/api/v1/geocode?q=%C3")  # half of it: Django would have searched for "\ufffd"
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["q"]


def test_a_page_path_with_a_nul_shows_the_400_page_in_the_visitors_language(client):
    response = client.get("/don-hang/%00/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bad request" in body and "The address contains a NUL character" in body
    assert "\x00" not in body  # the path is not echoed back
    vietnamese = Client().get("/don-hang/%00/").content.decode()
    assert "Yêu cầu không hợp lệ" in vietnamese


def test_a_scan_link_with_bytes_that_are_not_utf8_is_a_400(client):
    assert client.get("/t/%ff").status_code == 400


def test_a_form_field_with_a_nul_is_a_400_naming_it(client):
    response = client.post(
        "/api/v1/auth/token/", "username=%00&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["username"]
    page = client.post("/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert page.status_code == 400


def _multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    body = b"".join(
        b'--b\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields.items()
    )
    return body + b"--b--\r\n", "multipart/form-data; boundary=b"


@pytest.mark.parametrize("value", [b"a\x00b", b"\xff\xfe"], ids=["NUL", "not UTF-8"])
def test_a_multipart_field_with_a_nul_or_bytes_that_are_not_utf8_is_a_400(client, value):
    body, content_type = _multipart({"username": value, "password": b"x"})
    assert client.post("/accounts/login/", body, content_type=content_type).status_code == 400
    body, content_type = _multipart({"serial": b"ABC", "note": value})
    api = client.post("/api/v1/reports/", body, content_type=content_type)
    assert api.status_code == 400
    assert error(api)["code"] == "parse_error"


def test_a_session_cookie_with_a_nul_is_ignored(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/don-hang/")
    assert response.status_code == 302  # to the login page: an anonymous visitor, not a 500


def test_a_token_with_a_nul_is_a_400(client):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"


# --- huge integers, pagination ---------------------------------------------------------------------


def test_a_huge_limit_is_read_as_the_largest_page(client, coop):
    from backend import pagination

    response = client.get("/api/v1/producers/?limit=9223372036854775808")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert (
        client.get("/api/v1/producers/?limit=9223372036854775808&offset=1")
        .json()["previous"]
        .endswith(f"limit={pagination.MAX_LIMIT}")
    )


def test_an_offset_past_the_end_is_an_empty_page(client, coop):
    response = client.get("/api/v1/producers/?offset=9223372036854775808")
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("query", "name"), [("limit=abc", "limit"), ("limit=0", "limit"), ("offset=-1", "offset"), ("limit=1e3", "limit")]
)
def test_a_limit_or_offset_that_is_not_a_count_is_a_400_naming_it(client, coop, query, name):
    response = client.get(f"/api/v1/producers/?{query}")
    assert response.status_code == 400
    assert list(error(response)["fields"]) == [name]


def test_a_huge_id_in_a_path_is_a_404(client, coop):
    assert client.get("/api/v1/producers/9223372036854775808/").status_code == 404
    assert client.get("/san-pham/99999999999999999999999999/").status_code == 404


def test_an_id_that_is_not_a_number_in_a_form_is_a_404(client):
    client.force_login(f.make_official())
    for path, field in [("/tem/nghi-van/", "flag"), ("/tem/bao-cao/", "report")]:
        assert client.post(path, {field: "2025-01-01"}).status_code == 404


def test_a_sellers_reseller_row_that_is_not_a_number_is_a_404(client, coop):
    client.force_login(coop["staff"])
    assert client.post("/ban-hang/dai-ly/", {"row": "abc", "authorised": "1"}).status_code == 404


# --- JSON ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 40 + b"1" + b"}" * 40])
def test_deeply_nested_json_is_a_400_with_a_message(client, body):
    from backend import parsers

    response = client.post("/api/v1/auth/token/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"
    assert f"nested more than {parsers.MAX_JSON_DEPTH} levels" in error(response)["message"]


def test_json_a_little_less_deep_than_the_limit_is_read():
    from backend import parsers

    assert parsers.loads(b"[" * parsers.MAX_JSON_DEPTH + b"]" * parsers.MAX_JSON_DEPTH) is not None


@pytest.mark.parametrize("text", ['"\\u0000"', '"\\ud800"'], ids=["NUL", "lone surrogate"])
def test_a_json_text_with_a_nul_or_a_lone_surrogate_is_a_400(client, text):
    body = '{"serial": "ABC", "note": ' + text + "}"
    response = client.post("/api/v1/reports/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "NUL character or an unpaired surrogate" in error(response)["message"]


def test_a_json_number_too_large_for_a_float_is_a_400(client):
    body = '{"listing": 1e400, "quantity": 1}'
    response = client.post("/api/v1/cart/items/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert error(response)["message"] == "A number in the JSON body is too large."


def test_geojson_sent_as_text_in_a_form_field_is_depth_checked_too(coop):
    api = APIClient()
    api.force_authenticate(coop["staff"])
    body = {"producer": coop["producer"].pk, "name": "Vườn", "boundary": "[" * 100_000 + "]" * 100_000}
    response = api.post("/api/v1/production-areas/", body, format="multipart")
    assert response.status_code == 400
    assert "boundary" in error(response)["fields"]


def test_every_api_view_reads_its_body_with_our_parsers():
    """A view naming DRF's parsers (ObtainAuthToken does) would take deep JSON and NUL bytes again."""
    from backend import pagination, parsers

    ours = tuple(parsers.DEFAULT_PARSER_CLASSES)
    found = []

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                yield entry

    for entry in walk(get_resolver().url_patterns):
        view_class = getattr(entry.callback, "view_class", None)
        if not hasattr(view_class, "parser_classes"):
            continue
        classes = list(view_class.parser_classes)
        for action in (getattr(entry.callback, "actions", None) or {}).values():
            classes += getattr(getattr(view_class, action), "kwargs", {}).get("parser_classes", [])
        found += [f"{entry.pattern}: {c.__name__}" for c in classes if not issubclass(c, ours)]
        paginator = getattr(view_class, "pagination_class", None)
        if paginator is not None and not issubclass(paginator, pagination.LimitOffsetPagination):
            found.append(f"{entry.pattern}: {paginator.__name__}")
    assert found == []


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01", "since=9999-12-01&until=9999-12-31"])
@pytest.mark.parametrize("path", ["/giam-sat/theo-doi/", "/giam-sat/danh-gia/", "/giam-sat/nhat-ky/"])
def test_officials_date_filters_at_the_ends_of_the_calendar_are_a_form_error(client, path, query):
    client.force_login(f.make_official())
    response = client.get(f"{path}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Enter a date between 01/01/1900 and 12/31/2100." in response.content.decode()


def test_a_time_in_year_one_is_a_400_in_the_api(coop):
    api = APIClient()
    api.force_authenticate(coop["staff"])
    body = {"event_type": "packing", "occurred_at": "0001-01-01T00:00:00"}
    response = api.post(f"/api/v1/batches/{coop['batch'].pk}/events/", body, format="json")
    assert response.status_code == 400
    assert "occurred_at" in error(response)["fields"]


def test_a_harvest_date_before_1900_is_refused_by_the_api(coop):
    api = APIClient()
    api.force_authenticate(coop["staff"])
    response = api.patch(f"/api/v1/batches/{coop['batch'].pk}/", {"harvest_started_on": "0001-01-01"}, format="json")
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["harvest_started_on"]


def _date_fields(fields: dict) -> dict:
    from django import forms
    from rest_framework import serializers

    kinds = (forms.DateField, forms.DateTimeField, serializers.DateField, serializers.DateTimeField)
    return {name: field for name, field in fields.items() if isinstance(field, kinds)}


def test_every_date_a_person_can_type_is_bounded():
    """Every date field of every form and filter set, and of every serializer the API reads a body or a query
    with, carries backend.dates' bounds."""
    from django import forms
    from django_filters import FilterSet
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework import serializers

    from backend import dates
    from tests.backend.sweep import app_classes

    inputs = {}
    for form_class in app_classes(forms.BaseForm):
        inputs[form_class.__qualname__] = form_class.base_fields
    for filter_class in app_classes(FilterSet):
        inputs[filter_class.__qualname__] = {n: f.field for n, f in filter_class.base_filters.items()}
    for serializer_class in app_classes(serializers.Serializer):
        if serializer_class.__name__.endswith("QuerySerializer"):  # parsed from query strings
            inputs[serializer_class.__qualname__] = serializer_class().fields
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    # drf-spectacular keeps the serializer behind each component; "…Request" ones are request bodies.
    for component in generator.registry._components.values():
        if component.name.endswith("Request") and isinstance(component.object, serializers.BaseSerializer):
            serializer = component.object
            inputs[component.name] = {n: f for n, f in serializer.fields.items() if not f.read_only}
    unbounded = [
        f"{owner}.{name}"
        for owner, fields in inputs.items()
        for name, field in _date_fields(fields).items()
        if not dates.is_bounded(field)
    ]
    assert len(inputs) > 40
    assert unbounded == []


# --- the admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/geo/place/add/?unit=abc",
        "/admin/geo/retailpoint/add/?commune=2025-01-01&staff=x",
        "/admin/tracing/batchevent/add/?occurred_at=2025-01-01",
    ],
)
def test_the_admins_add_page_leaves_out_initial_values_it_cannot_use(client, path):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get(path).status_code == 200


def test_the_admin_shows_a_refused_form_again_when_an_autocomplete_value_is_no_id(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    response = client.post("/admin/geo/place/add/", {"name": "Chợ", "unit": "abc"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors


@pytest.mark.parametrize("target", ["9999-12-31", "9223372036854775808", "home", "https://evil.example/"])
def test_a_signed_in_visitor_sent_to_signup_with_a_next_that_is_no_path_goes_home(client, consumer, target):
    client.force_login(consumer)
    for response in (
        client.get("/accounts/signup/", {"next": target}),
        client.post("/accounts/signup/", {"next": target}),
    ):
        assert response.status_code == 302 and response["Location"] == "/"
