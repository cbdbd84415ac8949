"""Audio clips (a producer describing the product on a phone): recognised by content, size and duration limited.

Accepted containers, by their first bytes:
- MP3: an ID3v2 tag ("ID3") or an MPEG audio Layer III frame sync (11 set bits);
- Ogg (Vorbis or Opus): "OggS";
- M4A/MP4 audio (iPhone Safari's recorder): "ftyp" at offset 4;
- WebM (Chrome and Firefox's recorder): the EBML magic 1A 45 DF A3 with DocType "webm".
Durations come from mutagen for MP3, Ogg and MP4. mutagen does not read Matroska/WebM, so a small
EBML reader below takes the Segment's Duration or, when the recorder streamed the file without one
(MediaRecorder does), the time of the last block.
"""

from __future__ import annotations

import io
import logging
import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext as _

from tracing.uploads import read_limited

log = logging.getLogger(__name__)

MAX_AUDIO_BYTES = 5 * 1024 * 1024
MAX_AUDIO_SECONDS = 180


@dataclass(frozen=True)
class AudioClip:
    file: ContentFile
    content_type: str
    duration_s: float


FORMATS = {
    "mp3": ("audio/mpeg", "mp3"),
    "ogg": ("audio/ogg", "ogg"),
    "m4a": ("audio/mp4", "m4a"),
    "webm": ("audio/webm", "webm"),
}


def sniff_audio(head: bytes) -> str | None:
    """The container of an audio file from its first bytes: "mp3", "ogg", "m4a", "webm" or None."""
    if head.startswith(b"ID3"):
        return "mp3"
    # MPEG audio frame header: 11 sync bits, then version (not the reserved 01) and layer III (01).
    if (
        len(head) >= 2
        and head[0] == 0xFF
        and head[1] & 0xE0 == 0xE0
        and (head[1] >> 3) & 0b11 != 0b01
        and (head[1] >> 1) & 0b11 == 0b01
    ):
        return "mp3"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def _mutagen_duration(kind: str, data: bytes) -> float:
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    if kind == "mp3":
        return MP3(io.BytesIO(data)).info.length
    if kind == "m4a":
        return MP4(io.BytesIO(data)).info.length
    if b"OpusHead" in data[:512]:
        return OggOpus(io.BytesIO(data)).info.length
    return OggVorbis(io.BytesIO(data)).info.length


def audio_check(upload: File) -> AudioClip:
    """Validate an uploaded audio clip by content; return it with its type and duration, or raise ValidationError."""
    data = read_limited(upload, MAX_AUDIO_BYTES)
    kind = sniff_audio(data[:64])
    if kind is None:
        raise ValidationError(_("Upload an audio clip in MP3, Ogg, M4A or WebM format."), code="invalid_audio")
    try:
        duration = webm_duration(data) if kind == "webm" else _mutagen_duration(kind, data)
    except Exception as exc:  # any parser failure on untrusted bytes means "not a readable clip"
        log.info("audio upload refused: %s: %s", kind, exc)
        raise ValidationError(
            _("This audio file is damaged or not in a supported format."), code="invalid_audio"
        ) from exc
    if not duration or duration <= 0:
        raise ValidationError(_("This audio clip has no sound to play."), code="invalid_audio")
    if duration > MAX_AUDIO_SECONDS:
        raise ValidationError(
            _("The audio clip is too long (%(seconds)d s): at most %(limit)d seconds.")
            % {"seconds": round(duration), "limit": MAX_AUDIO_SECONDS},
            code="audio_too_long",
        )
    content_type, extension = FORMATS[kind]
    return AudioClip(file=ContentFile(data, name=f"clip.{extension}"), content_type=content_type, duration_s=duration)


# --- WebM (EBML) ---------------------------------------------------------------------------------

_EBML = 0x1A45DFA3
_DOCTYPE = 0x4282
_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TIMECODE_SCALE = 0x2AD7B1
_DURATION = 0x4489
_TRACKS = 0x1654AE6B
_TRACK_ENTRY = 0xAE
_TRACK_TYPE = 0x83
_CLUSTER = 0x1F43B675
_CLUSTER_TIMECODE = 0xE7
_SIMPLE_BLOCK = 0xA3
_BLOCK_GROUP = 0xA0
_BLOCK = 0xA1
# Elements that can only be children of the Segment: one of them ends a Cluster of unknown size.
_SEGMENT_CHILDREN = {
    0x114D9B74,  # SeekHead
    _INFO,
    _TRACKS,
    _CLUSTER,
    0x1C53BB6B,  # Cues
    0x1941A469,  # Attachments
    0x1043A770,  # Chapters
    0x1254C367,  # Tags
}
_TRACK_TYPE_VIDEO, _TRACK_TYPE_AUDIO = 1, 2


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int | None, int]:
    """An EBML variable-length integer at `pos`: (value, next position); value None means "unknown size"."""
    first = data[pos]
    if first == 0:
        raise ValueError("invalid EBML variable-length integer")
    length = 8 - first.bit_length() + 1
    raw = data[pos : pos + length]
    if len(raw) < length:
        raise ValueError("truncated EBML element")
    value = int.from_bytes(raw, "big")
    if keep_marker:
        return value, pos + length
    value &= (1 << (7 * length)) - 1
    if value == (1 << (7 * length)) - 1:
        return None, pos + length
    return value, pos + length


def _header(data: bytes, pos: int) -> tuple[int, int | None, int]:
    element_id, pos = _vint(data, pos, keep_marker=True)
    size, pos = _vint(data, pos, keep_marker=False)
    return element_id, size, pos


def _children(data: bytes, start: int, end: int):
    pos = start
    while pos < end:
        element_id, size, body = _header(data, pos)
        if size is None:
            raise ValueError("unknown size inside a sized element")
        yield element_id, body, min(body + size, end)
        pos = body + size


def _uint(data: bytes) -> int:
    return int.from_bytes(data, "big")


def _block_timecode(data: bytes, body: int) -> int:
    _track, pos = _vint(data, body, keep_marker=False)
    return struct.unpack(">h", data[pos : pos + 2])[0]


def webm_duration(data: bytes) -> float:
    """Seconds of a WebM file: Info/Duration when present, else the timecode of its last block."""
    element_id, size, body = _header(data, 0)
    if element_id != _EBML or size is None:
        raise ValueError("not an EBML file")
    doc_type = b""
    for child_id, child_start, child_end in _children(data, body, body + size):
        if child_id == _DOCTYPE:
            doc_type = data[child_start:child_end]
    if doc_type.rstrip(b"\x00") != b"webm":
        raise ValueError(f"EBML DocType {doc_type!r} is not webm")
    element_id, size, pos = _header(data, body + size)
    if element_id != _SEGMENT:
        raise ValueError("no Segment")
    segment_end = len(data) if size is None else min(pos + size, len(data))
    scale_ns, duration, last_timecode = 1_000_000, None, 0
    track_types: set[int] = set()
    while pos < segment_end:
        element_id, size, body = _header(data, pos)
        if size is None and element_id != _CLUSTER:
            raise ValueError("unknown size outside a Cluster")
        end = segment_end if size is None else min(body + size, segment_end)
        if element_id == _INFO:
            for child_id, child_start, child_end in _children(data, body, end):
                if child_id == _TIMECODE_SCALE:
                    scale_ns = _uint(data[child_start:child_end]) or 1_000_000
                elif child_id == _DURATION:
                    fmt = ">f" if child_end - child_start == 4 else ">d"
                    duration = struct.unpack(fmt, data[child_start:child_end])[0]
        elif element_id == _TRACKS:
            for child_id, child_start, child_end in _children(data, body, end):
                if child_id == _TRACK_ENTRY:
                    for entry_id, entry_start, entry_end in _children(data, child_start, child_end):
                        if entry_id == _TRACK_TYPE:
                            track_types.add(_uint(data[entry_start:entry_end]))
        elif element_id == _CLUSTER:
            cluster_timecode, child = 0, body
            while child < end:
                child_id, child_size, child_body = _header(data, child)
                if child_id in _SEGMENT_CHILDREN:
                    end = child  # a Cluster of unknown size ends where the next Segment child starts
                    break
                if child_size is None:
                    raise ValueError("unknown size inside a Cluster")
                child_end = min(child_body + child_size, end)
                if child_id == _CLUSTER_TIMECODE:
                    cluster_timecode = _uint(data[child_body:child_end])
                elif child_id == _SIMPLE_BLOCK:
                    last_timecode = max(last_timecode, cluster_timecode + _block_timecode(data, child_body))
                elif child_id == _BLOCK_GROUP:
                    for group_id, group_start, _group_end in _children(data, child_body, child_end):
                        if group_id == _BLOCK:
                            last_timecode = max(last_timecode, cluster_timecode + _block_timecode(data, group_start))
                child = child_body + child_size
        pos = end
    if _TRACK_TYPE_AUDIO not in track_types:
        raise ValueError("no audio track")
    if _TRACK_TYPE_VIDEO in track_types:
        raise ValueError("a video, not an audio clip")
    ticks = duration if duration else last_timecode
    return ticks * scale_ns / 1e9
