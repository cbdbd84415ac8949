"""Storage for files that must never be public: the one-time PIN lists of stamp runs and the jobs' outputs.

They live in PRIVATE_MEDIA_ROOT (beside MEDIA_ROOT, in `<media>-private/`, by default), which is not
under MEDIA_URL: each is handed out only by a view that checks who asks.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    root = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if not root:
        media = Path(settings.MEDIA_ROOT)
        root = media.with_name(media.name + "-private")
    return FileSystemStorage(location=str(root), base_url=None)
