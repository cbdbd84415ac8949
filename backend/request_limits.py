"""Request bodies are capped before anything reads them: a too large one is answered 413 at once.

Without this, Django reads a multipart body to its end (files over FILE_UPLOAD_MAX_MEMORY_SIZE go
to temporary files) before any form can say that a photo is over its limit: a stranger could make
every worker receive and store 100 MB per request. The caps, by what the request is:

- a file upload (multipart/form-data) from a visitor who is not signed in — the counterfeit
  report, one photo: UPLOAD_MAX_MB_ANONYMOUS (10 MB);
- a file upload from a signed-in user or an API token — producers' and officials' photos,
  documents and audio, several at once: UPLOAD_MAX_MB_SIGNED_IN (64 MB);
- any other body (forms, JSON): DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).

RequestBodyLimitMiddleware checks the declared Content-Length; who is signed in is looked up only
when it decides. A body without a declared length (chunked) is never read by Django under WSGI
(gunicorn): Django and DRF read a body only up to its Content-Length. Under ASGI, though, Django
receives the whole body before any middleware runs, so CappedASGIHandler (backend/asgi.py) counts
it while it arrives and answers 413 as soon as it passes the largest cap. Behind nginx,
`client_max_body_size` should be the largest cap (docs/operations.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from backend.api_errors import json_error_response

log = logging.getLogger(__name__)
MB = 1024 * 1024


def _is_upload(request) -> bool:
    return request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data")


def _signed_in(request) -> bool:
    """A session user, or a valid API credential (every non-session authentication class the API uses)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if not request.META.get("HTTP_AUTHORIZATION"):
        return False
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.exceptions import APIException
    from rest_framework.settings import api_settings

    for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if issubclass(authentication, SessionAuthentication):
            continue
        try:
            if authentication().authenticate(request):
                return True
        except APIException:
            return False
    return False


def cap_for(request, *, signed_in: Callable[[], bool]) -> int:
    """The largest body this request may have, in bytes."""
    if not _is_upload(request):
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if signed_in():
        return settings.UPLOAD_MAX_BYTES_SIGNED_IN
    return settings.UPLOAD_MAX_BYTES_ANONYMOUS


def largest_cap() -> int:
    return max(
        settings.UPLOAD_MAX_BYTES_SIGNED_IN, settings.UPLOAD_MAX_BYTES_ANONYMOUS, settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )


def _declared_length(request) -> int | None:
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def too_large_response(request, cap: int):
    megabytes = max(1, cap // MB)
    message = _("The request is too large: at most %(megabytes)d MB at once.") % {"megabytes": megabytes}
    if request.path.startswith("/api/"):
        return json_error_response("too_large", message, 413)
    return render(request, "413.html", {"message": message}, status=413)


class RequestBodyLimitMiddleware:
    """Answer 413 to a body over its cap, before the body is read (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        answer: dict[str, bool] = {}

        def signed_in() -> bool:
            if "value" not in answer:
                answer["value"] = _signed_in(request)
            return answer["value"]

        declared = _declared_length(request)
        if declared is not None and declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            cap = cap_for(request, signed_in=signed_in)
            if declared > cap:
                log.info("refused a %d-byte body to %s (cap %d)", declared, request.path, cap)
                return too_large_response(request, cap)
        return self.get_response(request)


class _TooLarge(Exception):
    pass


class CappedASGIHandler(ASGIHandler):
    """Django's ASGI handler, refusing a body larger than any cap while it is still being received."""

    async def handle(self, scope, receive, send):
        cap = largest_cap()
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > cap:
            await self._refuse(scope, headers, send, cap)
            return
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise _TooLarge
            return message

        try:
            await super().handle(scope, counting_receive, send)
        except _TooLarge:
            await self._refuse(scope, headers, send, cap)

    async def _refuse(self, scope, headers: dict, send, cap: int) -> None:
        log.info("refused a body over %d bytes to %s while receiving it", cap, scope.get("path"))
        accept = headers.get(b"accept-language", b"").decode("latin-1").strip().lower()
        with translation.override("en" if accept.startswith("en") else settings.LANGUAGE_CODE):
            message = _("The request is too large: at most %(megabytes)d MB at once.") % {"megabytes": cap // MB}
            if scope.get("path", "").startswith("/api/"):
                response = json_error_response("too_large", message, 413)
            else:
                response = HttpResponse(message, content_type="text/plain; charset=utf-8", status=413)
        await self.send_response(response, send)
