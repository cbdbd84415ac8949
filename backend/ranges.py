"""Byte ranges (RFC 9110 §14) for the public media files the app serves itself (`DJANGO_SERVE_MEDIA`).

Safari on an iPhone plays an `<audio>` or `<video>` only from a server that answers `Range:
bytes=0-1` with 206 Partial Content; Django's `django.views.static.serve` always sends the whole
file. `serve_media` serves `MEDIA_ROOT` through Django's view (its path checks, content types,
Last-Modified and If-Modified-Since stay as they are) and then answers a range of the file:

- `Accept-Ranges: bytes` on every file, whole or not;
- one range — `bytes=0-99`, `bytes=100-` (to the end), `bytes=-100` (the last 100 bytes) — gives 206
  with `Content-Range: bytes first-last/size`; a last byte past the end is cut to the end;
- a range that starts at or after the end, or `bytes=-0`, gives 416 with `Content-Range: bytes */size`;
- several ranges (`bytes=0-9,20-29`) give the whole file (200): RFC 9110 lets a server ignore
  Range, media players ask for one range, and a multipart answer would let one request make the
  server send many overlapping pieces of a file;
- a malformed header, another unit, or a range on an empty file also give the whole file;
- `If-Range` with the file's Last-Modified date gives the range, with any other date or an entity
  tag (these responses have none) the whole file, so a client never joins pieces of two versions;
- HEAD answers as GET without the body, and ignores Range (range handling is defined for GET only).

Only public media goes through here. Private files (PIN lists, job outputs) are handed out by their
own views after their permission checks, whole, as before.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import parse_http_date_safe
from django.utils.translation import gettext as _
from django.views.static import serve

_SPEC = re.compile(r"^(\d*)-(\d*)$")
_MAX_DIGITS = 18  # longer numbers are past the end of any file (and int() of very long text is slow)
UNSATISFIABLE = "unsatisfiable"
CHUNK_BYTES = 64 * 1024


def _number(text: str) -> int:
    return int(text) if len(text) <= _MAX_DIGITS else 10**_MAX_DIGITS


def byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """The range (first, last byte, inclusive) a Range header asks of a file of `size` bytes.

    UNSATISFIABLE when the one range asked lies outside the file; None when the header is to be
    ignored and the whole file sent (no header, malformed, another unit, several ranges, empty file).
    """
    unit, _sep, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not _sep:
        return None
    specs = [spec.strip() for spec in specs.split(",") if spec.strip()]
    if len(specs) != 1 or size == 0:
        return None
    match = _SPEC.match(specs[0])
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # a suffix: the last `last` bytes
        length = _number(last)
        return UNSATISFIABLE if length == 0 else (max(size - length, 0), size - 1)
    start = _number(first)
    end = _number(last) if last else None
    if end is not None and end < start:
        return None
    if start >= size:
        return UNSATISFIABLE
    return start, size - 1 if end is None else min(end, size - 1)


def _if_range_holds(request, response) -> bool:
    """No If-Range, or one naming this very version of the file (its Last-Modified date, exactly)."""
    validator = request.headers.get("If-Range")
    if validator is None:
        return True
    validator = validator.strip()
    etag = response.get("ETag")
    if validator.startswith(('"', "W/")):
        return bool(etag) and not etag.startswith("W/") and validator == etag
    when = parse_http_date_safe(validator)
    return when is not None and when == parse_http_date_safe(response.get("Last-Modified", ""))


class _Slice:
    """`length` bytes of an open file from `start`, read in chunks; closing it closes the file."""

    def __init__(self, file, start: int, length: int):
        self.file, self.start, self.length = file, start, length

    def __iter__(self):
        self.file.seek(self.start)
        remaining = self.length
        while remaining > 0:
            chunk = self.file.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.file.close()


def ranged(request, response):
    """`response` (a whole file) answering the request's Range header, if it has one we honour."""
    if not isinstance(response, FileResponse) or response.status_code != 200 or "Content-Length" not in response:
        return response
    response["Accept-Ranges"] = "bytes"
    header = request.headers.get("Range")
    if request.method != "GET" or header is None or not _if_range_holds(request, response):
        return response
    size = int(response["Content-Length"])
    wanted = byte_range(header, size)
    if wanted is None:
        return response
    if wanted == UNSATISFIABLE:
        response.close()
        refused = HttpResponse(
            _("The range asked for is outside the file, which has %(size)s bytes.") % {"size": size},
            status=416,
            content_type="text/plain; charset=utf-8",
        )
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    start, end = wanted
    partial = StreamingHttpResponse(_Slice(response.file_to_stream, start, end - start + 1), status=206)
    for name, value in response.items():
        partial[name] = value
    partial["Content-Length"] = str(end - start + 1)
    partial["Content-Range"] = f"bytes {start}-{end}/{size}"
    return partial


def serve_media(request, path):
    """A file of MEDIA_ROOT, whole or the byte range asked (`make run` and single-machine deployments)."""
    return ranged(request, serve(request, path, document_root=settings.MEDIA_ROOT))
