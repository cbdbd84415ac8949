"""Input that is never valid is refused at the door: NUL characters and bytes that are not UTF-8.

PostgreSQL cannot store a NUL character in text (psycopg2 refuses the whole statement, a 500), and
no code, name or number of ours contains one. Bytes that are not UTF-8 are no text at all: Django
would quietly turn them into U+FFFD (query strings, forms) or %XX (paths), so a view would work on
something other than what was sent. Rather than have every view defend itself, this module answers
400 with a message, before any view runs, when

* the path, or any name or value of the query string, holds a NUL or is not UTF-8
  (MalformedInputMiddleware);
* a URL-encoded form body does (the middleware reads it: Django would read it anyway);
* a header holds a NUL (the Authorization header reaches the token table, User-Agent the scans);
* a field or file name of a multipart form does (checked while Django or DRF parses the form, so
  the upload stays lazy: `_install_strict_multipart` here, backend.parsers.MultiPartParser).

A cookie holding a NUL is dropped rather than refused: the visitor may not be able to remove it.
JSON bodies are checked by the API's parser (backend/parsers.py), which also limits their depth.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.datastructures import ImmutableList
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NUL = "\x00"

#: What Django makes of path bytes that are not UTF-8 (it percent-encodes them again, %FF): the raw path
#: is gone by the time a middleware runs. A literal "%" is in no address of ours either (no route, code
#: or lot code has one), so a percent sign before a byte of 0x80 or more is refused whichever it was.
_REPERCENTED = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")

#: Codec name handed to Django's multipart parser: UTF-8 that raises on bad bytes even when the
#: parser asks for errors="replace" (it does, for every field), so a field that is not UTF-8 is refused.
STRICT_UTF8 = "hg-strict-utf-8"


def _strict_utf8_decode(data, errors="strict"):
    return codecs.utf_8_decode(data, "strict", True)


def _strict_utf8_search(name: str):
    if name == "hg_strict_utf_8":
        return codecs.CodecInfo(codecs.utf_8_encode, _strict_utf8_decode, name=STRICT_UTF8)
    return None


codecs.register(_strict_utf8_search)


class MalformedFormData(MultiPartParserError):
    """A multipart form with a NUL or non-UTF-8 bytes in a field (Django and DRF answer it with a 400)."""


def text_is_clean(text: str) -> bool:
    """True when `text` holds no NUL and no lone surrogate (what JSON's \\ud800 escapes can smuggle in)."""
    if NUL in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _raw(value: str) -> bytes:
    """The bytes behind a WSGI environ string (latin-1 by PEP 3333; ASGI servers hand over decoded text)."""
    try:
        return value.encode("iso-8859-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def bytes_are_clean(raw: bytes) -> bool:
    """True when percent-decoded bytes are UTF-8 without a NUL."""
    if b"\x00" in raw:
        return False
    if raw.isascii():
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def malformed_fields(encoded: bytes) -> list[str]:
    """Names of the fields of a query string or URL-encoded body whose name or value has a NUL or non-UTF-8 bytes.

    Separators are ASCII, so the whole string decodes cleanly exactly when every field does: the
    common case costs one pass, and only a bad string is split to name its fields.
    """
    if b"%" not in encoded and bytes_are_clean(encoded):
        return []
    if bytes_are_clean(unquote_to_bytes(encoded.replace(b"+", b" "))):
        return []
    names = []
    for pair in encoded.split(b"&"):
        name, _equals, value = pair.partition(b"=")
        name_bytes = unquote_to_bytes(name.replace(b"+", b" "))
        if not (bytes_are_clean(name_bytes) and bytes_are_clean(unquote_to_bytes(value.replace(b"+", b" ")))):
            label = name_bytes.decode("utf-8", "replace").replace(NUL, "\ufffd")
            names.append(label or "?")
    return names or ["?"]


def check_form_fields(post, files) -> None:
    """Raise MalformedFormData if a parsed form's field names, values or file names hold a NUL."""
    bad = [name for name, values in post.lists() if NUL in name or any(NUL in value for value in values)]
    bad += [name for name, uploads in files.lists() if NUL in name or any(NUL in (f.name or "") for f in uploads)]
    if bad:
        raise MalformedFormData(_("A form field contains a NUL character: %(fields)s.") % {"fields": ", ".join(bad)})


def strict_encoding(encoding: str | None) -> str:
    """The codec to parse a multipart form with: strict UTF-8 unless the request named another charset."""
    if encoding is None or codecs.lookup(encoding).name == "utf-8":
        return STRICT_UTF8
    return encoding


def _install_strict_multipart(request: HttpRequest) -> None:
    """Make request.POST refuse a NUL or non-UTF-8 field when (and only if) a view or middleware reads it.

    The parse stays where Django does it (views may still set upload handlers first); this is
    HttpRequest.parse_file_upload with the strict codec, and a look at the fields afterwards.
    """

    def parse_file_upload(META, post_data):
        request.upload_handlers = ImmutableList(
            request.upload_handlers,
            warning="You cannot alter upload handlers after the upload has been processed.",
        )
        parser = MultiPartParser(META, post_data, request.upload_handlers, strict_encoding(request.encoding))
        try:
            post, files = parser.parse()
        except UnicodeDecodeError:
            raise MalformedFormData(_("A form field is not valid UTF-8 text.")) from None
        check_form_fields(post, files)
        return post, files

    request.parse_file_upload = parse_file_upload


def _problem(request: HttpRequest) -> tuple[str, dict[str, list[str]]] | None:
    """What makes the request unreadable (a message and the fields concerned), or None.

    Messages are lazy: they are put in the visitor's language when the refusal is written."""
    meta = request.META
    path = request.path_info
    if NUL in path or ("%" in path and _REPERCENTED.search(path)):
        return gettext_lazy("The address contains a NUL character or bytes that are not valid UTF-8."), {}
    bad = malformed_fields(_raw(meta.get("QUERY_STRING", "")))
    if bad:
        message = gettext_lazy("A query parameter contains a NUL character or bytes that are not valid UTF-8.")
        return message, {name: [message] for name in bad}
    for key, value in meta.items():
        is_header = (key.startswith("HTTP_") and key != "HTTP_COOKIE") or key == "CONTENT_TYPE"
        if is_header and isinstance(value, str) and NUL in value:
            return gettext_lazy("A request header contains a NUL character."), {}
    if request.content_type == "application/x-www-form-urlencoded" and request.method not in ("GET", "HEAD"):
        bad = malformed_fields(request.body)
        if bad:
            message = gettext_lazy("A form field contains a NUL character or bytes that are not valid UTF-8.")
            return message, {name: [message] for name in bad}
    return None


def _drop_cookies_with_nul(request: HttpRequest) -> None:
    # The parsed cookies, not the header: a quoted cookie value spells NUL as the escape \\000.
    cookies = request.COOKIES
    if any(NUL in name or NUL in value for name, value in cookies.items()):
        request.COOKIES = {name: value for name, value in cookies.items() if NUL not in name and NUL not in value}


def _refuse(request: HttpRequest, message, fields: dict) -> HttpResponse:
    # Before LocaleMiddleware: the refusal is in the visitor's language all the same.
    with translation.override(translation.get_language_from_request(request)):
        if request.path_info.startswith("/api/"):
            # Imported here: api_errors loads DRF, whose settings import backend.parsers, which imports this module.
            from backend.api_errors import error_body

            fields = {name: [str(text) for text in texts] for name, texts in fields.items()}
            response = JsonResponse(error_body("bad_request", str(message), fields), status=400)
        else:
            # The path is not echoed back (the page's language switch returns to the home page).
            response = render(request, "400.html", {"detail": message, "next_path": "/"}, status=400)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response


class MalformedInputMiddleware:
    """Refuse (400, the API's error shape or the 400 page) a request whose path, query, headers or form are not text.

    Placed before SessionMiddleware: a session cookie holding a NUL must be dropped before the session
    table is read with it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _drop_cookies_with_nul(request)
        problem = _problem(request)
        if problem is not None:
            return _refuse(request, *problem)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            _install_strict_multipart(request)
        return self.get_response(request)
