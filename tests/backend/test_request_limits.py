"""Request bodies are capped before they are read: 413 with a clear message, by the kind of request."""

from __future__ import annotations

import asyncio
import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backend import roles
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "hagiang-boundary"


class UploadStream:
    """A multipart body with one file of `size` bytes, made while it is read; counts what the server read."""

    def __init__(self, size: int, field: str = "photo"):
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nTem lạ\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="big.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def _byte(self, index: int) -> int:
        if index < len(self.head):
            return self.head[index]
        if index >= self.length - len(self.tail):
            return self.tail[index - (self.length - len(self.tail))]
        return 0

    def read(self, size: int = -1) -> bytes:
        end = self.length if size is None or size < 0 else min(self.length, self.position + size)
        start, self.position = self.position, end
        if start >= len(self.head) and end <= self.length - len(self.tail):
            return bytes(end - start)
        return bytes(self._byte(i) for i in range(start, end))

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def post_upload(client, path: str, stream: UploadStream, **extra):
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    return client.generic(
        "POST",
        path,
        b"",
        content_type,  # (DRF's test client sets CONTENT_TYPE from it)
        **{
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(stream.length),
            "CONTENT_TYPE": content_type,
        },
        **extra,
    )


@pytest.mark.parametrize("path", ["/bao-hang-gia/", "/api/v1/reports/"])
def test_a_100_mb_anonymous_upload_is_refused_with_413_before_its_body_is_read(client, path):
    stream = UploadStream(100 * MB)
    response = post_upload(client, path, stream, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert stream.position == 0  # not one byte of the body was read
    message = "The request is too large: at most 10 MB at once."
    if path.startswith("/api/"):
        assert response.json()["error"] == {"code": "too_large", "message": message, "fields": {}}
    else:
        assert message in response.content.decode()


def test_the_413_page_is_in_vietnamese_first(client):
    response = post_upload(client, "/bao-hang-gia/", UploadStream(20 * MB))
    assert response.status_code == 413
    assert "Yêu cầu quá lớn: tối đa 10 MB mỗi lần." in response.content.decode()


def test_an_anonymous_upload_within_the_cap_is_read_and_judged_by_the_form(client):
    stream = UploadStream(9 * MB)
    response = post_upload(client, "/bao-hang-gia/", stream, HTTP_ACCEPT_LANGUAGE="en")
    assert stream.position == stream.length
    assert response.status_code == 400 and "The file is too large: the limit is 8 MB." in response.content.decode()


def test_signed_in_users_may_send_larger_uploads_up_to_their_own_cap(client):
    client.force_login(make_user("lan", roles.PRODUCER_STAFF))
    within = UploadStream(30 * MB)
    assert post_upload(client, "/bao-hang-gia/", within).status_code != 413
    assert within.position == within.length
    over = UploadStream(65 * MB)
    assert post_upload(client, "/bao-hang-gia/", over).status_code == 413 and over.position == 0


def test_an_api_token_counts_as_signed_in_and_a_wrong_token_does_not():
    user = make_user("lan", roles.PRODUCER_STAFF)
    token = Token.objects.create(user=user)
    client = APIClient()
    good = post_upload(client, "/api/v1/reports/", UploadStream(30 * MB), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert good.status_code != 413
    wrong = post_upload(client, "/api/v1/reports/", UploadStream(30 * MB), HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert wrong.status_code == 413


def test_a_json_body_over_its_cap_is_refused_with_413(client):
    body = json.dumps({"note": "x" * (3 * MB)})
    response = client.post("/api/v1/reports/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "The request is too large: at most 2 MB at once."


def _asgi_post(stream: UploadStream, *, declared: bool) -> tuple[int, dict, int]:
    """POST the stream to /api/v1/reports/ through the ASGI application in 1 MB messages; the status, the
    JSON body and how many bytes the server took from the client."""
    from backend.asgi import application

    async def receive():
        if stream.position >= stream.length:
            await asyncio.Event().wait()  # the client waits for the answer (Django listens for a disconnect)
        data = stream.read(MB)
        return {"type": "http.request", "body": data, "more_body": stream.position < stream.length}

    messages = []

    async def send(message):
        messages.append(message)

    headers = [(b"host", b"testserver"), (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    headers.append((b"content-length", str(stream.length).encode()) if declared else (b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/reports/",
        "raw_path": b"/api/v1/reports/",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(asyncio.wait_for(application(scope, receive, send), timeout=30))
    start = next(message for message in messages if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in messages if message["type"] == "http.response.body")
    return start["status"], json.loads(body), stream.position


def test_under_asgi_a_chunked_body_is_refused_while_it_arrives_once_past_the_largest_cap():
    status, body, received = _asgi_post(UploadStream(200 * MB), declared=False)
    assert status == 413 and body["error"]["code"] == "too_large"
    assert received <= 65 * MB  # the rest of the 200 MB was never taken


def test_under_asgi_a_declared_length_over_the_largest_cap_is_refused_before_the_body_arrives():
    status, _body, received = _asgi_post(UploadStream(100 * MB), declared=True)
    assert status == 413 and received == 0
