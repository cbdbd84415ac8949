"""Public media answers byte ranges over real HTTP (backend/ranges.py): Safari plays audio only from a
server that answers 206 Partial Content. Private downloads keep their own permission checks.

A real gunicorn serves the app, as `make run` does: Django's live test server would answer /media/
itself, with a handler of its own, and so test nothing of ours.
"""

from __future__ import annotations

import http.client
import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.http import http_date

from backend.ranges import UNSATISFIABLE, byte_range
from tests.processes import VENV_BIN, child_env, database_url, free_port, get, running, wait_for
from tests.site_world import build_world
from tests.tracing.media import mp3_silence
from tracing import services

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT = bytes(i % 251 for i in range(1000))


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn on a free port, against the test database and media folder: its origin."""
    from django.db import connection

    port = free_port()
    with django_db_blocker.unblock():
        env = child_env(DATABASE_URL=database_url(connection.settings_dict))
    command = [str(VENV_BIN / "gunicorn"), "backend.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    with running(command, env=env, log=tmp_path_factory.mktemp("gunicorn") / "web.log"):
        origin = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(f"{origin}/healthz")[0] == 200, timeout=60, what="gunicorn to answer")
        yield origin


def fetch(server, path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One request over a new connection: status, headers (lower-case names), body."""
    host = urlsplit(server)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=15)
    try:
        conn.request(method, path, headers={name.replace("_", "-"): value for name, value in headers.items()})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture
def clip():
    """A 1,000-byte file in MEDIA_ROOT: its URL path."""
    name = default_storage.save(f"products/audio/test-{uuid.uuid4().hex}.mp3", ContentFile(CONTENT))
    yield default_storage.url(name)
    default_storage.delete(name)


def test_the_whole_file_says_it_accepts_ranges(server, clip):
    status, headers, body = fetch(server, clip)
    assert (status, body) == (200, CONTENT)
    assert headers["accept-ranges"] == "bytes" and headers["content-length"] == "1000"
    assert headers["content-type"] == "audio/mpeg"


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=0-99", 0, 99),  # the first 100 bytes
        ("bytes=0-1", 0, 1),  # what Safari asks first
        ("bytes=-100", 900, 999),  # the last 100 bytes
        ("bytes=100-", 100, 999),  # from byte 100 to the end
        ("bytes=990-5000", 990, 999),  # a last byte past the end is cut to the end
        ("bytes=-5000", 0, 999),  # a suffix longer than the file is the whole file
        ("bytes=999-999", 999, 999),
        ("BYTES = 10-19", 10, 19),  # the unit is case-insensitive
    ],
)
def test_one_range_is_answered_206_with_exactly_those_bytes(server, clip, asked, first, last):
    status, headers, body = fetch(server, clip, Range=asked)
    assert status == 206, (asked, status)
    assert headers["content-range"] == f"bytes {first}-{last}/1000"
    assert headers["content-length"] == str(last - first + 1)
    assert headers["accept-ranges"] == "bytes" and headers["content-type"] == "audio/mpeg"
    assert body == CONTENT[first : last + 1]


@pytest.mark.parametrize(
    "asked", ["bytes=1000-", "bytes=1000-1001", "bytes=5000-6000", "bytes=-0", "bytes=" + "9" * 30 + "-"]
)
def test_a_range_outside_the_file_is_416_with_the_files_size_and_a_message(server, clip, asked):
    status, headers, body = fetch(server, clip, Range=asked, Accept_Language="en")
    assert status == 416, asked
    assert headers["content-range"] == "bytes */1000"
    assert "outside the file, which has 1000 bytes" in body.decode()
    status, _headers, body = fetch(server, clip, Range=asked, Accept_Language="vi")
    assert "nằm ngoài tệp" in body.decode()


@pytest.mark.parametrize(
    "asked",
    [
        "bytes=0-9,20-29",  # several ranges: the whole file (documented in backend/ranges.py)
        "bytes=0-9, 5-",  # overlapping ones too
        "bytes=9-1",  # last before first: malformed
        "bytes=abc",
        "bytes=",
        "bytes=-",
        "items=0-9",  # another unit
        "0-9",
    ],
)
def test_several_ranges_or_a_malformed_header_get_the_whole_file(server, clip, asked):
    status, headers, body = fetch(server, clip, Range=asked)
    assert (status, body) == (200, CONTENT), asked
    assert "content-range" not in headers and headers["accept-ranges"] == "bytes"


def test_if_range_gives_the_range_only_for_the_version_the_client_has(server, clip):
    _status, headers, _body = fetch(server, clip)
    same = headers["last-modified"]
    status, headers, body = fetch(server, clip, Range="bytes=0-99", If_Range=same)
    assert (status, headers["content-range"], body) == (206, "bytes 0-99/1000", CONTENT[:100])
    older = http_date(0)
    status, headers, body = fetch(server, clip, Range="bytes=0-99", If_Range=older)
    assert (status, body) == (200, CONTENT)
    status, _headers, body = fetch(server, clip, Range="bytes=0-99", If_Range='"an-etag"')
    assert (status, body) == (200, CONTENT)


def test_head_answers_as_get_without_the_body_and_ignores_range(server, clip):
    for headers in ({}, {"Range": "bytes=0-99"}):
        status, answered, body = fetch(server, clip, "HEAD", **headers)
        assert (status, body) == (200, b""), headers
        assert answered["content-length"] == "1000" and answered["accept-ranges"] == "bytes"


def test_a_missing_file_is_still_404_and_the_private_folder_is_not_reachable(server, clip, settings):
    assert fetch(server, "/media/products/audio/none.mp3", Range="bytes=0-1")[0] == 404
    private = settings.PRIVATE_MEDIA_ROOT.name
    assert fetch(server, f"/media/../{private}/jobs/x.csv", Range="bytes=0-1")[0] in (400, 404)


def test_the_rules_on_their_own():
    assert byte_range("bytes=0-99", 0) is None  # an empty file is sent whole
    assert byte_range("bytes=5-", 5) == UNSATISFIABLE
    assert byte_range("bytes=4-", 5) == (4, 4)
    assert byte_range("bytes=-1", 5) == (4, 4)


def test_the_scan_pages_audio_answers_a_range_request_and_a_private_download_keeps_its_checks(server, client):
    world = build_world()
    product = world["product"]
    services.product_audio_set(
        by=world.users["producer"], product=product, audio=ContentFile(mp3_silence(2.0), name="voice.mp3")
    )
    status, _headers, page = fetch(server, f"/t/{world['stamps'][0].serial}")
    assert status == 200
    src = re.search(r'<audio controls preload="none" src="([^"]+)"', page.decode()).group(1)
    size = product.audio.size

    status, headers, body = fetch(server, src, Range="bytes=0-1")  # Safari's first question
    assert (status, headers["content-range"], body) == (206, f"bytes 0-1/{size}", b"\xff\xfb")
    assert headers["content-type"] == "audio/mpeg"
    status, headers, body = fetch(server, src, Range="bytes=1000-")
    assert (status, len(body), headers["content-range"]) == (206, size - 1000, f"bytes 1000-{size - 1}/{size}")

    # A job's output (PIN lists, print files) is private: its own view checks who asks, Range or not.
    job = world["job"]  # the official's
    job.result_file.save("pins.csv", ContentFile(b"serial,pin\nA,1\n"))
    path = f"/jobs/{job.pk}/download"
    status, headers, _body = fetch(server, path, Range="bytes=0-5")
    assert status == 302 and "/accounts/login/" in headers["location"]
    client.force_login(world.users["consumer"])
    assert client.get(path, HTTP_RANGE="bytes=0-5").status_code == 404
    client.force_login(world.users["official"])
    download = client.get(path, HTTP_RANGE="bytes=0-5")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"serial,pin\nA,1\n"
