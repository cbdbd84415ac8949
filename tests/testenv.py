"""Loaded with `-p tests.testenv` before Django reads its settings: the test environment.

Production defaults (debug off, HTTPS redirect, secure cookies, hashed static files) stay the
defaults of settings.py; the test run turns off only what a test client over plain HTTP needs.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-" + "k" * 60)
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="hg-static-"))
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="hg-media-"))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "locmem")
os.environ.setdefault("SITE_URL", "https://origin.test")
os.environ.setdefault("GEOCODER", "none")
# Playwright drives the live server from another thread, which Django's async guard would refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
