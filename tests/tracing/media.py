"""Real, tiny media files written byte by byte: silent MP3 frames, an Ogg Opus stream, a WebM recording.

No encoder is needed: the formats are simple enough to write their silence directly, and the files
are what a player (and mutagen) reads.
"""

from __future__ import annotations

import struct
import zlib


def mp3_silence(seconds: float) -> bytes:
    """MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono frames whose side information is all zero (silence)."""
    header = bytes([0xFF, 0xFB, 0x90, 0xC0])
    frame_length = 144 * 128_000 // 44_100  # 417 bytes, no padding
    frame = header + bytes(frame_length - len(header))
    frames = round(seconds * 44_100 / 1152)
    return frame * frames


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(packets: list[bytes], *, sequence: int, granule: int, flags: int) -> bytes:
    lacing = b""
    for packet in packets:
        lacing += bytes([255] * (len(packet) // 255) + [len(packet) % 255])
    header = b"OggS" + struct.pack("<BBqIIIB", 0, flags, granule, 0x48474F52, sequence, 0, len(lacing)) + lacing
    page = header + b"".join(packets)
    crc = _ogg_crc(page)
    return page[:22] + struct.pack("<I", crc) + page[26:]


def ogg_opus_silence(seconds: float) -> bytes:
    """An Ogg Opus stream of 20 ms packets that carry no frame data (decoded as silence)."""
    pre_skip = 312
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48_000, 0, 0)
    vendor = b"hagiang-tests"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    packet_count = round(seconds / 0.02)
    pages = [
        _ogg_page([head], sequence=0, granule=0, flags=0x02),
        _ogg_page([tags], sequence=1, granule=0, flags=0x00),
    ]
    sequence, done = 2, 0
    while done < packet_count:
        batch = min(200, packet_count - done)
        done += batch
        last = done == packet_count
        pages.append(
            _ogg_page(
                [bytes([0xF8])] * batch, sequence=sequence, granule=pre_skip + done * 960, flags=0x04 if last else 0
            )
        )
        sequence += 1
    return b"".join(pages)


def _ebml_id(element_id: int) -> bytes:
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")


def _ebml_size(size: int | None) -> bytes:
    if size is None:
        return bytes([0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])  # "unknown size", as MediaRecorder writes
    return (size | (1 << 56)).to_bytes(8, "big")


def _element(element_id: int, payload: bytes, *, unknown_size: bool = False) -> bytes:
    return _ebml_id(element_id) + _ebml_size(None if unknown_size else len(payload)) + payload


def _uint(element_id: int, value: int) -> bytes:
    return _element(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def webm_opus(seconds: float, *, with_duration: bool = False, track_type: int = 2) -> bytes:
    """A WebM file like Chrome's MediaRecorder makes: unknown-size Segment and Cluster, 20 ms Opus blocks."""
    header = _element(0x1A45DFA3, _uint(0x4286, 1) + _element(0x4282, b"webm"))
    info = _uint(0x2AD7B1, 1_000_000)
    if with_duration:
        info += _element(0x4489, struct.pack(">d", seconds * 1000))
    tracks = _element(
        0x1654AE6B,
        _element(0xAE, _uint(0xD7, 1) + _uint(0x83, track_type) + _element(0x86, b"A_OPUS")),
    )
    blocks = b""
    for index in range(round(seconds / 0.02)):
        timecode = index * 20
        blocks += _element(0xA3, bytes([0x81]) + struct.pack(">hB", timecode, 0x80) + bytes([0xF8]))
    cluster = _element(0x1F43B675, _uint(0xE7, 0) + blocks, unknown_size=True)
    segment = _element(0x18538067, _element(0x1549A966, info) + tracks + cluster, unknown_size=True)
    return header + segment


def windows_program() -> bytes:
    """The start of a Windows executable ("MZ" header): what a renamed .exe looks like."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode." * 20
    )


def minimal_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A grey PNG of `width` × `height` whose pixels are all black: a few kilobytes that decode to
    width × height bytes. With `rows`, only that many rows are written (the header still claims them all)."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    compressor = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte 0, then the pixels
    data = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + header + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")
