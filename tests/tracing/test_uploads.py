"""Photos, certificate documents and audio clips are checked by what they contain, not by their names."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from tests.tracing.conftest import png_bytes, upload
from tests.tracing.media import minimal_pdf, mp3_silence, ogg_opus_silence, png_bomb, webm_opus, windows_program
from tracing import services
from tracing.audio import audio_check, sniff_audio, webm_duration

ROOT = Path(__file__).resolve().parents[2]


def open_stored(field_file) -> Image.Image:
    field_file.open("rb")
    try:
        image = Image.open(io.BytesIO(field_file.read()))
        image.load()
        return image
    finally:
        field_file.close()


def test_a_real_photo_is_resized_to_web_and_thumbnail_sizes_without_its_exif(product, owner):
    data = png_bytes((2400, 1200), exif_gps=True, fmt="JPEG")
    assert Image.open(io.BytesIO(data)).getexif().get(0x8825)  # the phone's GPS position is in the upload
    photo = services.product_photo_add(by=owner, product=product, image=upload("IMG_0001.jpg", data, "image/jpeg"))
    web, thumbnail = open_stored(photo.image), open_stored(photo.thumbnail)
    assert web.size == (1600, 800) and (photo.width, photo.height) == (1600, 800)
    assert thumbnail.size == (400, 200)
    assert dict(web.getexif()) == {} and dict(thumbnail.getexif()) == {}
    assert "IMG_0001" not in photo.image.name


def test_a_small_png_is_accepted_as_it_is(product, owner):
    photo = services.product_photo_add(by=owner, product=product, image=upload("p.png", png_bytes((40, 30))))
    assert open_stored(photo.image).size == (40, 30)


def test_a_sideways_phone_photo_is_turned_upright(product, owner):
    image = Image.new("RGB", (60, 20), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    photo = services.product_photo_add(by=owner, product=product, image=upload("p.jpg", buffer.getvalue()))
    assert open_stored(photo.image).size == (20, 60)


@pytest.mark.parametrize("name", ["photo.jpg", "photo.png", "setup.exe"])
def test_a_renamed_program_is_refused_as_a_photo(name, product, owner):
    with pytest.raises(ValidationError) as error:
        services.product_photo_add(by=owner, product=product, image=upload(name, windows_program(), "image/jpeg"))
    assert "image" in error.value.message_dict
    assert product.photos.count() == 0


def test_a_truncated_photo_is_refused(product, owner):
    data = png_bytes((300, 300), fmt="JPEG")
    with pytest.raises(ValidationError):
        services.product_photo_add(by=owner, product=product, image=upload("cut.jpg", data[: len(data) // 2]))


def test_an_oversized_photo_is_refused_before_decoding(product, owner):
    data = b"\xff\xd8\xff\xe0" + bytes(8 * 1024 * 1024)
    with pytest.raises(ValidationError) as error:
        services.product_photo_add(by=owner, product=product, image=upload("big.jpg", data))
    assert "8 MB" in error.value.message_dict["image"][0]


def test_a_gif_is_not_a_supported_photo(product, owner):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    with pytest.raises(ValidationError):
        services.product_photo_add(by=owner, product=product, image=upload("a.gif", buffer.getvalue()))


def certificate(owner, producer, document):
    return services.certificate_add(
        by=owner,
        producer=producer,
        scheme="vietgap",
        number="VietGAP-TT-19-01",
        issuer="Trung tâm Chứng nhận",
        valid_from=timezone.localdate(),
        document=document,
    )


def test_a_pdf_certificate_is_kept_as_a_pdf(producer, owner):
    cert = certificate(owner, producer, upload("scan.pdf", minimal_pdf(), "application/pdf"))
    assert cert.document.name.endswith(".pdf") and cert.document_is_pdf
    cert.document.open("rb")
    assert cert.document.read() == minimal_pdf()
    cert.document.close()


def test_a_photographed_certificate_is_accepted_and_cleaned(producer, owner):
    cert = certificate(owner, producer, upload("scan.jpg", png_bytes((100, 140), exif_gps=True, fmt="JPEG")))
    assert cert.document.name.endswith(".jpg")
    assert dict(open_stored(cert.document).getexif()) == {}


@pytest.mark.parametrize(
    "data",
    [windows_program(), b"%PDF-1.4\n1 0 obj<<>>endobj\n", b"just some text"],
    ids=["renamed-exe", "pdf-without-end", "text"],
)
def test_a_certificate_document_that_is_neither_pdf_nor_image_is_refused(data, producer, owner):
    with pytest.raises(ValidationError) as error:
        certificate(owner, producer, upload("certificate.pdf", data, "application/pdf"))
    assert "document" in error.value.message_dict


def test_an_oversized_certificate_document_is_refused(producer, owner):
    data = minimal_pdf() + bytes(5 * 1024 * 1024)
    with pytest.raises(ValidationError) as error:
        certificate(owner, producer, upload("big.pdf", data))
    assert "5 MB" in error.value.message_dict["document"][0]


@pytest.mark.parametrize(
    ("data", "content_type", "seconds"),
    [
        (mp3_silence(2.0), "audio/mpeg", 2.0),
        (ogg_opus_silence(2.0), "audio/ogg", 2.0),
        (webm_opus(2.0), "audio/webm", 1.98),
        (webm_opus(2.0, with_duration=True), "audio/webm", 2.0),
    ],
    ids=["mp3", "ogg-opus", "webm-recorder", "webm-with-duration"],
)
def test_a_real_audio_clip_is_accepted_with_its_duration(data, content_type, seconds, product, owner):
    product = services.product_audio_set(by=owner, product=product, audio=upload("voice.bin", data))
    assert product.audio_content_type == content_type
    assert product.audio_duration_s == pytest.approx(seconds, abs=0.06)
    assert product.audio.name.endswith(content_type.split("/")[1].replace("mpeg", "mp3"))


@pytest.mark.parametrize(
    "data",
    [windows_program(), png_bytes(), b"ID3\x04\x00\x00\x00\x00\x00\x00garbage", webm_opus(1.0, track_type=1)],
    ids=["renamed-exe", "image", "id3-without-audio", "webm-video"],
)
def test_what_is_not_an_audio_clip_is_refused(data, product, owner):
    with pytest.raises(ValidationError) as error:
        services.product_audio_set(by=owner, product=product, audio=upload("voice.mp3", data, "audio/mpeg"))
    assert "audio" in error.value.message_dict
    product.refresh_from_db()
    assert not product.audio


def test_an_audio_clip_longer_than_three_minutes_is_refused(product, owner):
    with pytest.raises(ValidationError) as error:
        services.product_audio_set(by=owner, product=product, audio=upload("long.mp3", mp3_silence(185)))
    assert "180" in error.value.message_dict["audio"][0]


def test_an_audio_file_over_five_megabytes_is_refused():
    with pytest.raises(ValidationError, match="5 MB"):
        audio_check(upload("huge.mp3", mp3_silence(1) * 400))


def test_audio_containers_are_recognised_by_their_magic_bytes():
    assert sniff_audio(b"ID3\x03") == "mp3"
    assert sniff_audio(bytes([0xFF, 0xFB, 0x90, 0xC0])) == "mp3"
    assert sniff_audio(b"OggS\x00") == "ogg"
    assert sniff_audio(b"\x00\x00\x00\x20ftypM4A ") == "m4a"
    assert sniff_audio(b"\x1a\x45\xdf\xa3") == "webm"
    assert sniff_audio(b"MZ\x90\x00") is None
    assert sniff_audio(bytes([0xFF, 0xFD])) is None  # an MPEG Layer II frame, not MP3


def test_a_truncated_webm_is_an_error_not_a_crash():
    data = webm_opus(1.0)
    with pytest.raises((ValueError, IndexError)):
        webm_duration(data[:30])


# --- Memory: sizes are checked from the header, before any pixel is decoded ----------------------


@pytest.mark.parametrize(
    ("width", "height"),
    [(7000, 7000), (30_000, 30_000), (100_000, 100_000)],
    ids=["49-megapixels", "900-megapixels", "10-gigapixels"],
)
def test_a_png_decompression_bomb_is_refused_as_too_large_before_decoding(width, height, product, owner):
    data = png_bomb(width, height, rows=None if width * height < 60_000_000 else 10)
    assert len(data) < 200_000  # a few kilobytes that would need width × height bytes once decoded
    with pytest.raises(ValidationError) as error:
        services.product_photo_add(by=owner, product=product, image=upload("bomb.png", data, "image/png"))
    assert "megapixels" in error.value.message_dict["image"][0]
    assert product.photos.count() == 0


def test_a_progressive_jpeg_too_large_to_decode_whole_is_refused(product, owner):
    buffer = io.BytesIO()
    Image.new("L", (6000, 5000)).save(buffer, format="JPEG", progressive=True)
    with pytest.raises(ValidationError) as error:
        services.product_photo_add(by=owner, product=product, image=upload("p.jpg", buffer.getvalue()))
    assert "25 megapixels" in error.value.message_dict["image"][0]


def test_a_certificate_photo_that_is_a_decompression_bomb_is_refused_as_too_large(producer, owner):
    with pytest.raises(ValidationError) as error:
        certificate(owner, producer, upload("scan.png", png_bomb(7000, 7000), "image/png"))
    assert "megapixels" in error.value.message_dict["document"][0]


def test_a_48_megapixel_phone_photo_is_accepted_and_decoded_at_a_reduced_scale(tmp_path):
    """A 48 MP JPEG needs 144 MB decoded at full size; decoded at 1/4 scale it needs about 9 MB."""
    path = tmp_path / "phone.jpg"
    program = [sys.executable, "-m", "tests.tracing.upload_memory"]
    subprocess.run([*program, "make", str(path), "8000", "6000"], check=True, cwd=ROOT)
    result = subprocess.run([*program, "photo", str(path)], check=True, cwd=ROOT, capture_output=True, text=True)
    megabytes, width, height = result.stdout.split()
    assert (int(width), int(height)) == (1600, 1200)
    assert float(megabytes) < 80, f"processing a 48 MP photo took {megabytes} MB"
