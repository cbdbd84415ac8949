"""The OpenAPI schema's error responses: every status the API can answer is documented, with the error shape.

Some errors can come from any operation whatever the view does, and are added to each of them here
rather than repeated in every `extend_schema`:

* 400 — a NUL or non-UTF-8 byte in the path or query (backend.badinput), an unknown or invalid
  parameter, a body that does not parse or validate;
* 403 — not signed in, a bad token, or not allowed (session authentication comes first, so DRF
  answers 403 rather than 401 for a missing login);
* 404 — operations with a path parameter: no such object, or not one the caller may see;
* 415 — operations with a request body, sent in a media type they do not read;
* 429 — every operation is rate-limited (backend.throttling), with Retry-After.

A view documents its own further statuses (409 for a refused workflow step, 202, …) with
`extend_schema`; an error status documented there without a body gets the error shape too.

DRF and django-filter read an empty optional query parameter (`?limit=`) or form field as not given:
query parameters say so with `allowEmptyValue` (unless the view names them in
`empty_query_parameters_refused`), and form bodies (multipart, URL-encoded) get a
component of their own in which an optional field may also be empty (`form_bodies_allow_empty_fields`).
JSON bodies keep the strict component: there an empty string is a value and is checked as one.
"""

from __future__ import annotations

import copy

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from backend.api_errors import ErrorSerializer

JSON = ["application/json"]

ALWAYS = {
    "400": "The request is malformed, or a parameter or field is invalid (`fields` names them).",
    "403": "Not signed in, an invalid token, or not allowed to do this.",
    "429": "Too many requests: try again after the seconds in Retry-After.",
}
WITH_PATH_PARAMETER = {"404": "Not found, or not visible to you."}
WITH_BODY = {"415": "The body is in a media type this operation does not read."}

#: For `extend_schema(responses={…, 409: CONFLICT})` on a workflow step.
CONFLICT = OpenApiResponse(ErrorSerializer, description="This step is not allowed in the current status.")


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in responses.items():
            if code >= "400" and not response.get("content"):
                response["content"] = self._error_response(code, response.get("description", ""))["content"]
        expected = dict(ALWAYS)
        if self._path_has_parameters():
            expected.update(WITH_PATH_PARAMETER)
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            expected.update(WITH_BODY)
        for code, description in expected.items():
            responses.setdefault(code, self._error_response(code, description))
        return dict(sorted(responses.items()))

    def _get_parameters(self):
        parameters = super()._get_parameters()
        refused = set(getattr(self.view, "empty_query_parameters_refused", ()))
        for parameter in parameters:
            if parameter.get("in") == "query" and not parameter.get("required") and parameter["name"] not in refused:
                parameter["allowEmptyValue"] = True
        return parameters

    def _path_has_parameters(self) -> bool:
        return "{" in self.path

    def _error_response(self, code: str, description: str) -> dict:
        return self._get_response_for_code(OpenApiResponse(ErrorSerializer, description=description), code, JSON)


FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
EMPTY_FIELD = {"type": "string", "maxLength": 0, "description": "Empty: not given."}


def _form_variant(component: dict) -> dict:
    form = copy.deepcopy(component)
    required = set(form.get("required", []))
    for name, prop in form.get("properties", {}).items():
        if name not in required and not prop.get("readOnly"):
            form["properties"][name] = {"anyOf": [prop, EMPTY_FIELD]}
    return form


def form_bodies_allow_empty_fields(result, generator, request, public):
    """drf-spectacular postprocessing hook: form bodies refer to a copy of their component ("…Form") in which
    each optional field may also be sent empty, as DRF then reads it as not given."""
    schemas = result.get("components", {}).get("schemas", {})
    for item in result.get("paths", {}).values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            for media_type, body in content.items():
                ref = body.get("schema", {}).get("$ref", "")
                if media_type not in FORM_MEDIA_TYPES or not ref.startswith("#/components/schemas/"):
                    continue
                name = ref.rsplit("/", 1)[1]
                form_name = f"{name}Form"
                if form_name not in schemas:
                    schemas[form_name] = _form_variant(schemas[name])
                body["schema"] = {"$ref": f"#/components/schemas/{form_name}"}
    return result
