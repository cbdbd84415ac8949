"""A producer signs up and goes straight on to the application; a refused application keeps the chosen files."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from tests.tracing.conftest import png_bytes, upload
from tests.tracing.media import windows_program
from tests.tracing.test_pages_producer import application
from tracing import held_uploads
from tracing.models import Producer

pytestmark = pytest.mark.django_db

APPLY = "/co-so/dang-ky/"
SIGNUP = "/accounts/signup/"


@pytest.fixture(autouse=True)
def _fast_passwords_and_own_private_folder(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def signup_data(**extra) -> dict:
    password = "ha-giang-tea-2026"
    return {
        "username": "htx.vinhtuy",
        "email": "htx@example.test",
        "password1": password,
        "password2": password,
        **extra,
    }


def held_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "held-uploads"
    return sorted(root.glob("*")) if root.exists() else []


# --- Signing up as a producer ----------------------------------------------------------------


def test_the_producer_choice_on_signup_leads_to_the_application(client, commune):
    response = client.post(SIGNUP, signup_data(producer="on"))
    assert response.status_code == 302 and response["Location"] == APPLY
    assert client.get(APPLY).status_code == 200


def test_the_producer_guide_sends_a_visitor_to_signup_and_then_to_the_application(client, commune):
    guide = client.get("/huong-dan-tem/").content.decode()
    link = re.search(r'<a class="btn" href="([^"]+)" data-apply>', guide).group(1).replace("&amp;", "&")
    assert link == "/accounts/signup/?next=%2Fco-so%2Fdang-ky%2F"
    page = client.get(link).content.decode()
    assert '<input type="hidden" name="next" value="/co-so/dang-ky/">' in page
    assert re.search(r'<input type="checkbox" name="producer"[^>]* checked', page)

    response = client.post(SIGNUP, signup_data(next="/co-so/dang-ky/"))
    assert response.status_code == 302 and response["Location"] == APPLY


def test_signup_goes_to_our_own_next_page_only(client, db):
    response = client.post(SIGNUP, signup_data(next="https://evil.example/phish"))
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_login_page_keeps_the_next_page_on_its_signup_link(client, db):
    page = client.get("/accounts/login/?next=/co-so/dang-ky/").content.decode()
    assert 'href="/accounts/signup/?next=%2Fco-so%2Fdang-ky%2F"' in page


def test_the_guide_offers_no_application_to_members_and_officials(client, approved_producer, owner, official):
    for user in (owner, official):
        client.force_login(user)
        assert "data-apply" not in client.get("/huong-dan-tem/").content.decode()


# --- Files kept across a refused application -------------------------------------------------


def test_a_refused_application_keeps_the_logo_and_the_certificate_for_the_next_submit(client, owner, commune):
    client.force_login(owner)
    client.get(APPLY)
    data = application(commune, tax_number="0123", logo=upload("logo-htx.png", png_bytes(), "image/png"))

    refused = client.post(APPLY, data)

    assert refused.status_code == 400
    page = refused.content.decode()
    assert re.search(r'data-held-file="logo">\s*<p>Đã giữ tệp: <strong>logo-htx.png</strong>', page)
    assert re.search(r'data-held-file="cert-document">\s*<p>Đã giữ tệp: <strong>chung-nhan.pdf</strong>', page)
    assert "Các tệp bạn đã chọn vẫn được giữ lại" in page
    assert not Producer.objects.exists()

    # The corrected form is sent without choosing the files again.
    corrected = application(commune)
    del corrected["cert-document"]
    response = client.post(APPLY, corrected)

    assert response.status_code == 302, response.content.decode()[:2000]
    producer = Producer.objects.get()
    assert producer.logo and Image.open(producer.logo).size == (40, 30)
    certificate = producer.certificates.get()
    assert certificate.document and certificate.document.read()[:5] == b"%PDF-"
    assert held_files() == []  # deleted once used


def test_kept_files_are_private_and_only_for_the_session_that_chose_them(client, owner, stranger, commune):
    client.force_login(owner)
    data = application(commune, tax_number="0123", logo=upload("logo-htx.png", png_bytes(), "image/png"))
    client.post(APPLY, data)
    [*kept] = held_files()
    assert kept and all(str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT)) for path in kept)
    assert not str(kept[0]).startswith(str(Path(settings.MEDIA_ROOT)) + os.sep)

    other = Client()
    other.force_login(stranger)
    corrected = application(commune)
    del corrected["cert-document"]
    assert other.post(APPLY, corrected).status_code == 302
    producer = Producer.objects.get()
    assert not producer.logo and not producer.certificates.get().document  # the stranger's session has no files


def test_a_file_that_was_itself_refused_is_not_kept(client, owner, commune):
    client.force_login(owner)
    data = application(commune, **{"cert-document": upload("cert.pdf", windows_program())})
    page = client.post(APPLY, data).content.decode()
    assert 'data-held-file="cert-document"' not in page
    assert held_files() == []


def test_the_applicant_can_drop_a_kept_file_or_replace_it(client, owner, commune):
    client.force_login(owner)
    client.post(APPLY, application(commune, tax_number="0123", logo=upload("old.png", png_bytes(), "image/png")))

    corrected = application(commune, **{"forget-cert-document": "1"})
    del corrected["cert-document"]
    corrected["logo"] = upload("new.png", png_bytes(colour=(10, 200, 10)), "image/png")
    assert client.post(APPLY, corrected).status_code == 302
    producer = Producer.objects.get()
    assert not producer.certificates.get().document
    assert Image.open(producer.logo).getpixel((0, 0))[1] > 150  # the new, green logo


def test_kept_files_expire(client, owner, commune, monkeypatch):
    client.force_login(owner)
    client.post(APPLY, application(commune, tax_number="0123"))
    later = time.time() + held_uploads.HELD_FOR.total_seconds() + 60
    monkeypatch.setattr(held_uploads.time, "time", lambda: later)
    corrected = application(commune)
    del corrected["cert-document"]
    assert client.post(APPLY, corrected).status_code == 302
    assert not Producer.objects.get().certificates.get().document


def test_opening_the_form_afresh_forgets_kept_files(client, owner, commune):
    client.force_login(owner)
    client.post(APPLY, application(commune, tax_number="0123"))
    assert held_files()
    page = client.get(APPLY).content.decode()
    assert "data-held-file" not in page
    assert held_files() == []
