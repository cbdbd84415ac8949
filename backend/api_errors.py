"""One JSON error shape for the whole API: {"error": {"code", "message", "fields"}}.

`fields` maps a field name to its messages (empty when the error is not about a field).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

from backend.storage import RETRY_AFTER_S, StorageUnavailable


class StorageRefused(exceptions.APIException):
    """The disk refused an upload: 507 when it is full, 503 otherwise; nothing was kept."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "storage_unavailable"

    def __init__(self, error: StorageUnavailable):
        super().__init__(detail=error.messages[0], code=error.code)
        self.status_code = error.status_code
        self.wait = RETRY_AFTER_S  # DRF sends it as Retry-After


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"field" or "field.sub": [messages]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                fields.update(_flatten(item, f"{prefix}[{index}]" if prefix else str(index)))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    if isinstance(exc, StorageUnavailable):
        exc = StorageRefused(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: logged, and turned into JSON by handler500
    if isinstance(exc, exceptions.AuthenticationFailed):
        # Credentials were sent and failed (an unknown or expired token): 401 with the scheme to use.
        # DRF says 403 because the first authenticator, the session's, has no challenge to offer.
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = "Token"
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first_field, first_messages = next(iter(fields.items()), ("", [_("Invalid input.")]))
        if first_field and first_field != "non_field_errors":
            message = f"{first_field}: {first_messages[0]}"
        else:
            message = first_messages[0]
        response.data = error_body("invalid", message, fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail))
    return response


def json_error_response(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def api_not_found(request, exception=None):
    return json_error_response("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    """The error shape, for the OpenAPI schema (backend/schema.py documents it on every operation)."""

    error = ErrorBodySerializer()
