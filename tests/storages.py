"""Storages that fail the way real disks do, for the tests of what an upload does when the disk refuses it."""

from __future__ import annotations

import errno

from backend.storage import MediaStorage


class _FillingUp:
    """A file's content read by the storage in chunks; the disk runs out of room once `room` bytes are written."""

    def __init__(self, content, disk: type[FullDiskStorage]):
        self._content, self._disk = content, disk

    def chunks(self, chunk_size=None):
        for chunk in self._content.chunks(16 * 1024):
            if self._disk.room < len(chunk):
                raise OSError(errno.ENOSPC, "No space left on device")
            self._disk.room -= len(chunk)
            yield chunk


class FullDiskStorage(MediaStorage):
    """The media storage on a disk with `room` bytes left (shared by every file written): once it is used
    up, a write fails half-way with ENOSPC, as a full disk makes it fail."""

    room = 0

    def _save(self, name, content):
        return super()._save(name, _FillingUp(content, type(self)))
