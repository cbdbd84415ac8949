"""The demo's photos and audio clips: small files in fixtures/demo/, made once by `manage.py demo_media`.

Photos are drawn by demo/artwork.py (Pillow); each product's audio clip is its `spoken_vi` text read by
espeak-ng's Vietnamese voice and encoded as MP3 by LAME (both Debian packages, needed only to
remake the files, never to seed). fixtures/demo/README.md gives their licence.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

MEDIA_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
PHOTO_DIR = MEDIA_DIR / "photos"
AUDIO_DIR = MEDIA_DIR / "audio"


def photo(name: str) -> ContentFile:
    """A demo photo as an upload (the services check and re-encode it like a phone's picture)."""
    return ContentFile((PHOTO_DIR / name).read_bytes(), name=name)


def audio(name: str) -> ContentFile:
    return ContentFile((AUDIO_DIR / name).read_bytes(), name=name)
