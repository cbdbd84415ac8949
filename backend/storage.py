"""Where uploads are stored, and what happens when the disk refuses them.

MediaStorage (the default storage) writes every file under a temporary name, flushes it to disk and
only then moves it to its real name, so that nobody ever reads a truncated file; if the disk is
full, read-only or otherwise refuses, the partial file is removed and StorageUnavailable is raised:
a ValidationError with a message for the user (the form is shown again with what they typed) that
the pages answer with 507 (full) or 503 (read-only and the rest) and the API likewise
(tracing.api.common.call_service, backend.api_errors).

A file written by an operation that then fails is an orphan: the database rolled back, the file
stays. `atomic_with_files()` is transaction.atomic() that also deletes the files saved inside it
when the block ends with an exception (nested blocks hand their files to the enclosing one).

private_storage() is the same storage for files that must never be public — the one-time PIN lists
of stamp runs and the jobs' outputs — in PRIVATE_MEDIA_ROOT (beside MEDIA_ROOT, `<media>-private/`,
by default), which is not under MEDIA_URL: each is handed out only by a view that checks who asks.
"""

from __future__ import annotations

import contextvars
import errno
import logging
import os
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

#: errno values that mean "no room": HTTP 507 Insufficient Storage. Anything else is 503.
FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
RETRY_AFTER_S = 300

_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("hg_files_written", default=None)


class StorageUnavailable(ValidationError):
    """The storage could not keep a file (disk full, read-only, no permission); nothing was kept."""

    def __init__(self, *, full: bool):
        if full:
            message = _("The server has no room left to store your file. Nothing was saved; please try again later.")
        else:
            message = _("The server cannot store files at the moment. Nothing was saved; please try again later.")
        super().__init__(message, code="storage_full" if full else "storage_unavailable")
        self.full = full

    @property
    def status_code(self) -> int:
        return 507 if self.full else 503


def status_for(error: ValidationError | None) -> int | None:
    """507 or 503 when `error` is a storage failure, else None."""
    return error.status_code if isinstance(error, StorageUnavailable) else None


class MediaStorage(FileSystemStorage):
    """FileSystemStorage that publishes a file only once it is whole on disk, and removes what a failed write
    left behind."""

    def _save(self, name, content):
        directory = os.path.dirname(name)
        partial = os.path.join(directory, f".{uuid.uuid4().hex}.partial")  # unique: Django never renames it
        try:
            written = super()._save(partial, content)
            self._flush(written)
            final = self._publish(written, name)
        except OSError as exc:
            self._remove(partial)
            log.error("media storage refused %s: %s", name, exc)
            raise StorageUnavailable(full=exc.errno in FULL) from exc
        registry = _written.get()
        if registry is not None:
            registry.append((self, final))
        return final

    def _flush(self, name: str) -> None:
        """Ask the kernel to put the file on the disk now: a full disk may only say so here."""
        descriptor = os.open(self.path(name), os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _publish(self, partial: str, name: str) -> str:
        """Move the whole file to a free name: the name is claimed first (O_EXCL), then replaced at once."""
        while True:
            target = self.path(name)
            try:
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                name = self.get_available_name(name)
                continue
            try:
                os.replace(self.path(partial), target)
            except OSError:
                self._remove(name)
                raise
            return name

    def _remove(self, name: str) -> None:
        with suppress(OSError):
            os.unlink(self.path(name))


def _delete_quietly(files: list) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError as exc:
            log.warning("could not remove %s after a failed operation: %s", name, exc)


@contextmanager
def atomic_with_files(using=None):
    """transaction.atomic() that also deletes the files stored inside it if the block fails.

    Usable as a decorator. Files saved in a nested block that succeeded belong to the enclosing
    block afterwards, so that its failure removes them too.
    """
    outer = _written.get()
    mine: list = []
    token = _written.set(mine)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        _delete_quietly(mine)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(mine)


def private_storage() -> MediaStorage:
    root = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if not root:
        media = Path(settings.MEDIA_ROOT)
        root = media.with_name(media.name + "-private")
    return MediaStorage(location=str(root), base_url=None)
