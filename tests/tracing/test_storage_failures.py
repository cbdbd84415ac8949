"""When the disk refuses an upload (full, or mounted read-only) the user is told so and keeps what they typed,
no partial file stays behind and nothing is half-written in the database."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from backend.storage import MediaStorage, StorageUnavailable
from tests.storages import FullDiskStorage
from tests.tracing.conftest import png_bytes, upload
from tracing.models import CounterfeitReport, ProductPhoto
from tracing.uploads import process_photo

pytestmark = pytest.mark.django_db

FULL_VI = "Máy chủ đã hết chỗ lưu tệp của bạn."
FULL_EN = "The server has no room left to store your file. Nothing was saved; please try again later."
READ_ONLY_EN = "The server cannot store files at the moment. Nothing was saved; please try again later."


def noisy_png(size=(900, 700)) -> bytes:
    """A photo that does not compress: its re-encoded versions are hundreds of kilobytes."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def full_disk(settings, media) -> Path:
    """The media folder on a disk with 20 kB left."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.storages.FullDiskStorage"}}
    FullDiskStorage.room = 20 * 1024
    return media


@pytest.fixture
def read_only_media(settings, tmp_path):
    """The media folder on a read-only file system (a tmpfs mounted read-only), or without write permission
    for a user who cannot mount."""
    root = tmp_path / "read-only-media"
    root.mkdir()
    if os.geteuid() == 0:
        if (
            shutil.which("mount") is None
            or subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(root)], capture_output=True, check=False
            ).returncode
        ):
            pytest.skip("root without the right to mount a read-only tmpfs: no read-only folder to test with")
        settings.MEDIA_ROOT = str(root)
        yield root
        subprocess.run(["umount", str(root)], check=True)
    else:
        root.chmod(0o555)
        settings.MEDIA_ROOT = str(root)
        yield root
        root.chmod(0o755)


def _report(client, language="en"):
    return client.post(
        "/bao-hang-gia/",
        {
            "place": "Chợ Bắc Quang",
            "note": "Tem mờ, mã QR dẫn tới trang khác",
            "photo": upload("fake.png", noisy_png(), "image/png"),
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize(("language", "message"), [("vi", FULL_VI), ("en", FULL_EN)])
def test_a_report_to_a_full_disk_is_shown_again_with_a_507_and_nothing_is_kept(client, full_disk, language, message):
    response = _report(client, language)
    page = response.content.decode()
    assert response.status_code == 507
    assert message in page
    assert "Tem mờ, mã QR dẫn tới trang khác" in page and "Chợ Bắc Quang" in page  # what they typed is kept
    assert not CounterfeitReport.objects.exists()
    assert files_under(full_disk) == []  # not even the half-written file


def test_a_report_to_read_only_media_is_shown_again_with_a_503(client, read_only_media):
    response = _report(client)
    assert response.status_code == 503
    assert READ_ONLY_EN in response.content.decode() and "Chợ Bắc Quang" in response.content.decode()
    assert not CounterfeitReport.objects.exists()


def test_the_report_api_answers_507_in_the_error_shape_when_the_disk_is_full(api_client, full_disk):
    response = api_client.post(
        "/api/v1/reports/",
        {"note": "Hộp chè giả", "photo": upload("hop.png", noisy_png(), "image/png")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 507 and response["Retry-After"] == "300"
    assert response.json()["error"] == {"code": "storage_full", "message": FULL_EN, "fields": {}}
    assert not CounterfeitReport.objects.exists() and files_under(full_disk) == []


def test_the_report_api_answers_503_when_the_media_is_read_only(api_client, read_only_media):
    response = api_client.post(
        "/api/v1/reports/", {"note": "x", "photo": upload("hop.png", png_bytes(), "image/png")}, format="multipart"
    )
    assert response.status_code == 503 and response.json()["error"]["code"] == "storage_unavailable"


def test_photos_saved_before_the_disk_filled_up_are_removed_with_the_product(
    client, full_disk, owner, approved_producer, kinds
):
    """Three photos at once: the first ones fit, the disk fills during a later one; the whole save is undone."""
    images = [noisy_png((1600, 1200)) for _ in range(3)]
    first = process_photo(upload("p.png", images[0]))
    FullDiskStorage.room = first.web.size + first.thumbnail.size + 10_000  # the first photo fits, not the second
    client.force_login(owner)
    photos = [upload(f"p{i}.png", data) for i, data in enumerate(images)]
    data = {
        "kind": kinds["honey"].pk,
        "name_vi": "Mật ong bạc hà",
        "name_en": "Mint honey",
        "unit": "jar",
        "net_quantity": "0.5",
        "net_quantity_unit": "l",
        "is_active": "on",
        "photos": photos,
    }
    response = client.post("/co-so/san-pham/moi/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 507 and FULL_EN in response.content.decode()
    assert ProductPhoto.objects.count() == 0 and not approved_producer.products.exists()
    assert files_under(full_disk) == []


def test_a_whole_file_is_published_under_its_name_and_no_partial_file_remains(media):
    storage = MediaStorage()
    name = storage.save("photos/2026/a.jpg", ContentFile(b"x" * 100_000))
    assert name == "photos/2026/a.jpg" and (media / name).read_bytes() == b"x" * 100_000
    again = storage.save("photos/2026/a.jpg", ContentFile(b"second"))
    assert again != name and (media / again).read_bytes() == b"second"
    assert files_under(media) == sorted([name, again])


def test_a_write_that_fails_half_way_leaves_no_file(full_disk):
    FullDiskStorage.room = 40 * 1024
    with pytest.raises(StorageUnavailable) as error:
        FullDiskStorage().save("photos/2026/b.jpg", ContentFile(b"x" * 100_000))
    assert error.value.status_code == 507
    assert files_under(full_disk) == []
