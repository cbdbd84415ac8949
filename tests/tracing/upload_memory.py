"""Run as a program by tests/tracing/test_uploads.py: the memory a photo upload needs, in a fresh process.

    python -m tests.tracing.upload_memory make PATH WIDTH HEIGHT   # write a JPEG photo of that size
    python -m tests.tracing.upload_memory photo PATH               # process it as an upload; print the MB it took

The figure is the growth of the process's peak resident memory (ru_maxrss) while tracing.uploads
checks, decodes and re-encodes the file: what one upload costs a web worker.
"""

from __future__ import annotations

import os
import resource
import sys


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def make(path: str, width: int, height: int) -> None:
    from PIL import Image

    Image.new("RGB", (width, height), (200, 120, 40)).save(path, format="JPEG", quality=80)


def photo(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tracing.uploads import process_photo

    with open(path, "rb") as file:
        upload = SimpleUploadedFile("photo.jpg", file.read(), content_type="image/jpeg")
    before = _peak_mb()
    processed = process_photo(upload)
    print(f"{_peak_mb() - before:.1f} {processed.width} {processed.height}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        photo(sys.argv[2])
