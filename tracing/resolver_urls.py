"""The compressed GS1 Digital Link route: one path segment that decompresses as a Digital Link.

Included last by backend/urls.py (every other single-segment path is tried first); a segment that is
not a compressed link does not match the converter and falls through to the 404.
"""

from django.urls import path, register_converter

from tracing import resolver_views

register_converter(resolver_views.CompressedLinkConverter, "gs1compressed")

urlpatterns = [
    path("<gs1compressed:segment>", resolver_views.compressed_view, name="gs1-compressed"),
]
