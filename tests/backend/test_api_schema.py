"""The OpenAPI schema says what the API answers: every error status, with the error shape; what is nullable."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def test_every_operation_documents_the_errors_any_request_can_get(schema):
    missing = []
    for path, method, operation in operations(schema):
        if not path.startswith("/api/"):
            # The GS1 resolver's routes answer pages (HTML, or a linkset): tests/tracing documents them.
            continue
        expected = {"400", "403", "429"} | ({"404"} if "{" in path else set())
        if method in ("POST", "PUT", "PATCH") and "requestBody" in operation:
            expected.add("415")
        for code in expected - set(operation["responses"]):
            missing.append(f"{method} {path}: {code}")
        for code, response in operation["responses"].items():
            if code >= "400" and response["content"]["application/json"]["schema"] != {
                "$ref": "#/components/schemas/Error"
            }:
                missing.append(f"{method} {path}: {code} without the error shape")
    assert missing == []


def test_workflow_steps_document_their_409(schema):
    steps = [
        ("POST", "/api/v1/orders/{id}/confirm/"),
        ("POST", "/api/v1/orders/{id}/mark-paid/"),
        ("POST", "/api/v1/orders/{id}/stamp-serials/"),
        ("POST", "/api/v1/producers/{id}/approve/"),
        ("POST", "/api/v1/producers/{id}/reapply/"),
        ("POST", "/api/v1/producers/{id}/record-survey/"),
    ]
    assert all("409" in schema["paths"][path][method.lower()]["responses"] for method, path in steps)


def test_an_optional_query_parameter_may_be_sent_empty_and_a_form_field_too(schema):
    geocode = {p["name"]: p for p in schema["paths"]["/api/v1/geocode"]["get"]["parameters"]}
    assert geocode["limit"]["allowEmptyValue"] is True and "allowEmptyValue" not in geocode["q"]
    body = schema["paths"]["/api/v1/stamp-runs/{id}/print"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"].endswith("/PrintRequestRequest")
    form = schema["components"]["schemas"]["PrintRequestRequestForm"]
    assert {"type": "string", "maxLength": 0, "description": "Empty: not given."} in form["properties"]["layout"][
        "anyOf"
    ]


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("ProductionArea", "area_ha"),
        ("RetailPoint", "verified_by"),
        ("Order", "commune"),
        ("Order", "province"),
        ("Order", "pickup_point"),
        ("BatchEvent", "retail_point_name"),
    ],
)
def test_fields_that_can_be_null_say_so(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field]["nullable"] is True


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_api_path_that_matches_no_route_is_a_json_404_for_every_method(method):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/certificates/0.5/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_page_form_sent_without_its_csrf_token_gets_our_403_page_in_the_visitors_language():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a", "password": "b"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.content.decode()  # not Django's English technical page


def test_a_boolean_filter_that_is_neither_true_nor_false_is_a_400():
    client = Client()
    assert client.get("/api/v1/products/?is_active=true").status_code == 200
    response = client.get("/api/v1/products/?is_active=maybe")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["is_active"]


def test_what_only_a_producers_staff_and_officials_read_is_optional_in_the_schema(schema):
    """Anyone else gets the public fields only (tracing.disclosure): the rest may be absent from an answer."""
    from tracing import disclosure

    components = schema["components"]["schemas"]
    producer, area = components["Producer"], components["ProductionArea"]
    assert "pending_change" not in producer["required"] and "name" in producer["required"]
    assert "warnings" not in area["required"] and set(area["required"]) <= set(disclosure.AREA_FIELDS)
    assert set(components["Certificate"]["required"]) <= set(disclosure.CERTIFICATE_FIELDS)
    assert "pending_change" in producer["description"]
