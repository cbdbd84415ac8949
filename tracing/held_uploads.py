"""Files chosen in a form that came back with an error elsewhere: kept on the server until the next submit.

A browser never re-sends a file after a refused submit, so without this the applicant would have to
find the logo and the certificate scan again. Each kept file is written to a private folder
(`PRIVATE_MEDIA_ROOT/held-uploads/`, never served) under a random name that only the session knows,
with its original name, type and size in the session. It is given back to the form on the next
submit of the same session, as if chosen again, and passes the same checks; a new file replaces it.
Files are deleted when the form succeeds, when the page is opened afresh, when the applicant says
not to use them, and by the next writer once older than HELD_FOR.
"""

from __future__ import annotations

import datetime
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

HELD_FOR = datetime.timedelta(hours=2)
MAX_BYTES = 8 * 1024 * 1024  # the largest upload the forms accept (a phone photo)
SESSION_KEY = "held_uploads"


@dataclass(frozen=True)
class Held:
    name: str
    size: int


def _root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "held-uploads"


def _path(token: str) -> Path:
    return _root() / f"{token}.upload"


def _entries(request, form: str) -> dict:
    return dict(request.session.get(SESSION_KEY, {}).get(form, {}))


def _save(request, form: str, entries: dict) -> None:
    everything = dict(request.session.get(SESSION_KEY, {}))
    if entries:
        everything[form] = entries
    else:
        everything.pop(form, None)
    request.session[SESSION_KEY] = everything


def _purge_expired() -> None:
    cutoff = time.time() - HELD_FOR.total_seconds()
    try:
        with os.scandir(_root()) as found:
            for entry in found:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    Path(entry.path).unlink(missing_ok=True)
    except FileNotFoundError:
        pass


def _fresh(entry: dict) -> bool:
    return time.time() - entry.get("at", 0) < HELD_FOR.total_seconds() and _path(entry["token"]).is_file()


def hold(request, form: str, field: str, upload) -> bool:
    """Keep `upload` (the file chosen in `field` of `form`) for the session's next submit; False if too large."""
    if upload is None or getattr(upload, "size", 0) > MAX_BYTES:
        return False
    kept = _entries(request, form).get(field)
    if kept and getattr(upload, "held_token", None) == kept["token"]:
        return True  # the kept file itself, given back to this submit
    _purge_expired()
    _root().mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    upload.seek(0)
    with _path(token).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    upload.seek(0)
    forget(request, form, field)
    entries = _entries(request, form)
    entries[field] = {
        "token": token,
        "name": os.path.basename(upload.name or "")[:200],
        "content_type": getattr(upload, "content_type", "") or "application/octet-stream",
        "size": upload.size,
        "at": time.time(),
    }
    _save(request, form, entries)
    return True


def held(request, form: str) -> dict[str, Held]:
    """The files kept for the form, by field name (expired ones left out)."""
    return {
        field: Held(name=entry["name"], size=entry["size"])
        for field, entry in _entries(request, form).items()
        if _fresh(entry)
    }


def with_held(request, form: str, files: MultiValueDict, fields) -> MultiValueDict:
    """The submitted files, plus the kept file of each of `fields` for which none was chosen this time."""
    merged = files.copy()
    entries = _entries(request, form)
    for field in fields:
        entry = entries.get(field)
        if field in files or entry is None or not _fresh(entry):
            continue
        upload = SimpleUploadedFile(entry["name"], _path(entry["token"]).read_bytes(), entry["content_type"])
        upload.held_token = entry["token"]
        merged[field] = upload
    return merged


def forget(request, form: str, field: str | None = None) -> None:
    """Delete the kept file of one field, or of every field of the form."""
    entries = _entries(request, form)
    for name in [field] if field else list(entries):
        entry = entries.pop(name, None)
        if entry:
            _path(entry["token"]).unlink(missing_ok=True)
    _save(request, form, entries)
