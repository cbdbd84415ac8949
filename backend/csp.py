"""The Content-Security-Policy header: what a page may load and run.

No page of ours runs inline script: every script is a file under /static/, data for scripts comes in
`{{ value|json_script }}` blocks (JSON, never executed) or data- attributes, and event handlers are
attached from those files. So `script-src 'self'` without 'unsafe-inline' or 'unsafe-eval': markup
that slips into a page (`<img onerror=…>`, `<script>`) does not run. Styles likewise come from files
only (`style-src 'self'`); scripts may still set `element.style`, which CSP allows and Leaflet uses.

The header is one string per kind of page, built once when the process starts, so the busiest page
(the scan page) pays a dictionary lookup for it. Kinds:

- the default, for every response;
- `embeddable` (the open-data widget, `csp_embeddable`): may be framed by the sites in
  `CSP_WIDGET_FRAME_ANCESTORS` instead of by nobody;
- `inline_styles` (`csp_inline_styles`, and the REST framework's browsable API, recognised by its
  renderer): third-party pages whose markup carries `style="…"` attributes; their scripts are still
  held to files.

A page whose template needs an inline script — django-leaflet's map widgets in the admin — reads
`request.csp_nonce`; only then is a fresh nonce drawn and added to that response's `script-src`.
Django 6.0 brings the same design (`SECURE_CSP`, `request.csp_nonce`): this module can give way to it.
"""

from __future__ import annotations

import functools
import re
import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

HEADER = "Content-Security-Policy"
SELF = "'self'"
NONE = "'none'"

#: The responses' attribute naming their kind of policy (set by the decorators below).
ATTRIBUTE = "csp_policy"
DEFAULT, EMBEDDABLE, INLINE_STYLES = "default", "embeddable", "inline_styles"

#: Renderer formats of the REST framework's own HTML pages (browsable API and its admin renderer).
_DRF_HTML_FORMATS = frozenset({"api", "admin"})


def url_source(url: str, variable: str) -> str | None:
    """The CSP source expression of a URL (or URL template) another origin serves, None for our own.

    `https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png` → `https://*.tile.openstreetmap.org`: a
    placeholder may stand for the first label of the host only (CSP's wildcard), elsewhere in the host
    it stops start-up with a message naming `variable`. A relative URL is served by us ('self').
    """
    parts = urlsplit(url)
    if not parts.netloc:
        if parts.scheme:
            raise ImproperlyConfigured(f"{variable} must be an http(s) URL or a path, not {url!r}.")
        return None
    if parts.scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"{variable} must be an http(s) URL or a path, not {url!r}.")
    host, colon, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any(("{" in label or "}" in label) for label in labels) or (port and not port.isdigit()):
        raise ImproperlyConfigured(
            f"{variable}: a placeholder may stand only for the first label of the host "
            f"(https://{{s}}.example.org/…), not in {parts.netloc!r}."
        )
    return f"{parts.scheme}://{'.'.join(labels)}{colon}{port}"


def directives(*, image_sources: list[str], frame_ancestors: list[str], report_uri: str = "") -> dict[str, list[str]]:
    """The default policy, as directive → sources."""
    policy = {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the images that Leaflet's and Swagger UI's style sheets inline.
        "img-src": [SELF, "data:", *image_sources],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": frame_ancestors,
    }
    if report_uri:
        policy["report-uri"] = [report_uri]
    return policy


def header(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def policies_from_settings() -> dict[str, dict[str, list[str]]]:
    """Every kind of policy, from the settings (the map tiles' server, the widget's framing sites)."""
    from django.conf import settings

    tiles = url_source(settings.MAP_TILES_URL, "MAP_TILES_URL")
    base = directives(
        image_sources=[tiles] if tiles else [], frame_ancestors=[NONE], report_uri=settings.CSP_REPORT_URI
    )
    return {
        DEFAULT: base,
        EMBEDDABLE: {**base, "frame-ancestors": list(settings.CSP_WIDGET_FRAME_ANCESTORS) or [NONE]},
        INLINE_STYLES: {**base, "style-src": [*base["style-src"], "'unsafe-inline'"]},
    }


_SOURCE = re.compile(r"^(\*|'self'|'none'|https?:|(https?://)?(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]+)?)$")


def sources(values: list[str], variable: str) -> list[str]:
    """Source expressions from the environment (`*`, `'self'`, `https://*.example.vn`, …), checked one by one."""
    for value in values:
        if not _SOURCE.match(value):
            raise ImproperlyConfigured(
                f"{variable}: {value!r} is not a CSP source (use *, 'self', 'none', https: or https://host[:port])."
            )
    return values


class Nonce:
    """`request.csp_nonce`: drawn the first time a template prints it, so that only those pages carry one."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            self.value = secrets.token_urlsafe(18)
        return self.value

    __html__ = __str__  # printed as is by templates (letters, digits, - and _ only)


class ContentSecurityPolicyMiddleware:
    """Sets the policy on every response that has none yet (see the module's docstring)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.debug = settings.DEBUG
        self.policies = policies_from_settings()
        self.headers = {kind: header(policy) for kind, policy in self.policies.items()}

    def __call__(self, request):
        nonce = request.csp_nonce = Nonce()
        response = self.get_response(request)
        if HEADER in response or (self.debug and response.status_code in (404, 500)):
            return response  # a view's own policy; Django's debug pages run inline script
        kind = getattr(response, ATTRIBUTE, None)
        if kind is None:
            renderer = getattr(response, "accepted_renderer", None)
            kind = INLINE_STYLES if getattr(renderer, "format", None) in _DRF_HTML_FORMATS else DEFAULT
        if nonce.value is None:
            response[HEADER] = self.headers[kind]
        else:
            policy = self.policies[kind]
            response[HEADER] = header({**policy, "script-src": [*policy["script-src"], f"'nonce-{nonce.value}'"]})
        return response


def _marking(kind: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            setattr(response, ATTRIBUTE, kind)
            return response

        return wrapped

    return decorator


#: The view may be framed by the sites in CSP_WIDGET_FRAME_ANCESTORS (the open-data widget).
csp_embeddable = _marking(EMBEDDABLE)
#: A third-party page whose markup has style attributes (scripts are still held to files).
csp_inline_styles = _marking(INLINE_STYLES)
