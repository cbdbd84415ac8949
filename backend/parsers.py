"""The API's request parsers: DRF's, refusing what is never valid with a 400 (ParseError, the API's error shape).

* JSON nested deeper than MAX_JSON_DEPTH: Python's decoder raises RecursionError (a 500) at about a
  thousand levels, and serializers walking a structure of a few hundred run out of stack too; no
  body of ours is deeper than a GeoJSON MultiPolygon inside an object (6 levels).
* A NUL character or a lone surrogate (JSON's "\\u0000", "\\ud800") in any string or key: PostgreSQL
  refuses the first, UTF-8 cannot encode the second. A number too large for a float (1e400: Python
  reads it as infinity).
* A multipart field or file name that is not UTF-8 or holds a NUL (see backend/badinput.py).

`loads` applies the JSON rules to text a view or field decodes itself (GeoJSON sent in a form field).
URL-encoded bodies are checked before any view by backend.badinput.MalformedInputMiddleware.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from backend.badinput import MalformedFormData, check_form_fields, strict_encoding, text_is_clean

MAX_JSON_DEPTH = 32


class JSONShapeError(ValueError):
    """JSON that parses but is never valid input: too deep, or a string with a NUL or a lone surrogate."""


def check_json(value) -> None:
    """Raise JSONShapeError if a decoded JSON value is nested too deeply or holds an unusable string.

    Walks the value with an explicit stack: the check itself must not recurse.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not text_is_clean(item):
                raise JSONShapeError(_("A text in the JSON body contains a NUL character or an unpaired surrogate."))
        elif isinstance(item, float):
            if not math.isfinite(item):  # 1e400 parses as infinity: int() of it is an OverflowError
                raise JSONShapeError(_("A number in the JSON body is too large."))
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise JSONShapeError(
                    _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    stack.append((key, depth))
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def loads(text: str | bytes):
    """json.loads for input: ValueError (JSONShapeError or JSONDecodeError) for anything the parser would refuse."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONShapeError(
            _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
        ) from None
    check_json(value)
    return value


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
            ) from None
        try:
            check_json(data)
        except JSONShapeError as error:
            raise ParseError(str(error)) from None
        return data


class FormParser(parsers.FormParser):
    """DRF's (the middleware has already refused a URL-encoded body with a NUL or bytes that are not UTF-8)."""


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = dict(parser_context or {})
        parser_context["encoding"] = strict_encoding(parser_context.get("encoding") or settings.DEFAULT_CHARSET)
        try:
            result = super().parse(stream, media_type, parser_context)
        except UnicodeDecodeError:
            raise ParseError(_("A form field is not valid UTF-8 text.")) from None
        try:
            check_form_fields(result.data, result.files)
        except MalformedFormData as error:
            raise ParseError(str(error)) from None
        return result


DEFAULT_PARSER_CLASSES = [JSONParser, FormParser, MultiPartParser]
