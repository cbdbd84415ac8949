import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup(set_prefix=False)

from backend.request_limits import CappedASGIHandler  # noqa: E402 (after Django is set up)

# Django's ASGI handler receives a whole body before any middleware runs: this one refuses a body
# over the largest upload cap while it arrives (backend/request_limits.py).
application = CappedASGIHandler()
