"""Hà Giang Origin settings: one file, every deploy-specific value from the environment.

See the configuration table in README.md. Helpers in backend/env.py stop start-up with a message
naming the variable when a value is malformed.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from backend.csp import sources as csp_sources
from backend.csp import url_source
from backend.env import (
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_rate,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-only" if DEBUG else None, required=not DEBUG)
if not DEBUG and len(SECRET_KEY) < 50:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long when DJANGO_DEBUG is off.")

# Key of the scratch-off PIN hashes (tracing.stamps.pins). Set it apart from DJANGO_SECRET_KEY and never rotate it
# while stamps are in circulation: rotating the secret key must not invalidate PINs already printed.
STAMP_PIN_KEY = env_str("STAMP_PIN_KEY", "")
if not DEBUG and STAMP_PIN_KEY and len(STAMP_PIN_KEY) < 32:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("STAMP_PIN_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, not {_origin!r}."
        )

# The domain printed into QR codes: it must stay stable for as long as stamps are in circulation.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "backend.apps.AdminConfig",  # django.contrib.admin with our site (backend/admin.py): limited login, safe forms
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "leaflet",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "backend",
    "geo",
    "tracing",
    "marketplace",
    "oversight",
    "demo",  # last: the demo province imports every app above; nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backend.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the input: a NUL or non-UTF-8 path, query, header or form is a 400 here.
    "backend.badinput.MalformedInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backend.request_limits.RequestBodyLimitMiddleware",  # 413 before a body is read; asks who is signed in
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.context_processors.site",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------------------
# Persistent connections: every new PostgreSQL backend loads PostGIS's libraries again, which made
# a simple PostGIS endpoint 17x slower here with Django's default of one connection per request.
DATABASES = {"default": env_database("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The hottest statements are prepared once per connection (backend/prepared.py); turn this off only
# behind a transaction-pooling proxy (PgBouncer in transaction mode), which does not keep them.
PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every process without a broker (geocoding cache and slots, scan-page limits); the API's
# rate limits live in their own table (backend/throttling.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "hg_cache",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# Marketplace: an unpaid bank-transfer order expires after this many hours and its stock goes back on sale.
MARKETPLACE_UNPAID_TRANSFER_HOURS = env_int("MARKETPLACE_UNPAID_TRANSFER_HOURS", 24, minimum=1, maximum=336)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The background worker (`manage.py worker`) says it is alive every WORKER_HEARTBEAT_SECONDS, for
# itself and for the job it runs. One silent for WORKER_STALE_SECONDS is presumed dead: /healthz
# reports it "stale", and its job is run again (or failed, when it may not be) by the next worker.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10, minimum=1, maximum=300)
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 60, minimum=2, maximum=3600)
if WORKER_STALE_SECONDS < 2 * WORKER_HEARTBEAT_SECONDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("WORKER_STALE_SECONDS must be at least twice WORKER_HEARTBEAT_SECONDS.")

# Auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Language and time ------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Vietnamese dates as 02/12/2026 and numbers grouped 1.250.000 (backend/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["backend.formats"]
LANGUAGE_COOKIE_NAME = "hg_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# Static and media files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Hashed file names (far-future caching for slow rural connections) need `collectstatic`; the test
# suite serves files straight from the apps instead.
_STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
_STATIC_BACKEND = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if _STATIC_MANIFEST
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
WHITENOISE_USE_FINDERS = not _STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "backend.storage.MediaStorage"},  # whole files only; clear errors
    "staticfiles": {"BACKEND": _STATIC_BACKEND},
}
# Files that must never be public (the one-time PIN lists of stamp runs); keep it on a persistent volume.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(MEDIA_ROOT.parent / (MEDIA_ROOT.name + "-private"))))
# Serve uploaded media from Django (a single-machine deployment); behind a web server set it off.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", True)
# Request bodies are capped before they are read (backend/request_limits.py answers 413): uploads from
# visitors who are not signed in (the counterfeit report: one photo), uploads from signed-in users and
# API tokens (several photos, a document, audio), and every other body (forms, JSON).
UPLOAD_MAX_BYTES_ANONYMOUS = env_int("UPLOAD_MAX_MB_ANONYMOUS", 10, minimum=9, maximum=1024) * 1024 * 1024
UPLOAD_MAX_BYTES_SIGNED_IN = env_int("UPLOAD_MAX_MB_SIGNED_IN", 64, minimum=9, maximum=1024) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # a form or JSON body; the non-file part of an upload
DATA_UPLOAD_MAX_NUMBER_FILES = 25  # 20 photos of a batch step through the API, and a few more
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files are spooled to a temporary file while read

# Email ----------------------------------------------------------------------------------------
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = _EMAIL_BACKENDS[env_choice("DJANGO_EMAIL_BACKEND", "console", tuple(_EMAIL_BACKENDS))]
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / ".local" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hà Giang Origin <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "backend.views.csrf_failure"
CSRF_COOKIE_HTTPONLY = False  # the map pages read it to send writes with fetch()
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# The client's address for every rate limit (backend/client_address.py): REMOTE_ADDR, unless the
# header that the reverse proxy in front sets is named here (clients can send any header themselves).
TRUSTED_PROXY_HEADER = env_choice("TRUSTED_PROXY_HEADER", "none", ("none", "x-forwarded-for", "x-real-ip"))
# How many proxies in front append to X-Forwarded-For: the client is that many entries from the right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1, maximum=10)
if env_str("TRUSTED_PROXY_COUNT") and TRUSTED_PROXY_HEADER != "x-forwarded-for":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is read only with TRUSTED_PROXY_HEADER=x-forwarded-for.")
if env_str("API_NUM_PROXIES"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "API_NUM_PROXIES is no longer read: set TRUSTED_PROXY_HEADER=x-forwarded-for and TRUSTED_PROXY_COUNT."
    )

# Content-Security-Policy on every response (backend/csp.py; docs/operations.md, "Security model"): scripts and
# styles from our own files only, images also from the map tile server. The open-data widget may be framed by
# these sites (every other page by none); violation reports go to CSP_REPORT_URI when it is set.
CSP_WIDGET_FRAME_ANCESTORS = csp_sources(env_list("CSP_WIDGET_FRAME_ANCESTORS", ["*"]), "CSP_WIDGET_FRAME_ANCESTORS")
CSP_REPORT_URI = env_url("CSP_REPORT_URI")

# GDAL older than 3.9 cannot block file and network access while parsing spatial references
# (check gis.W001). We never build a SpatialReference from user input: the API takes numbers and
# GeoJSON in EPSG:4326 only, and boundary files are imported by administrators from the command
# line. PROJ's network access is off by default and we keep it off (PROJ_NETWORK). So the warning
# is silenced deliberately on such systems; docs/operations.md explains it.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "backend.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["backend.throttling.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "120/min"),
        "user": env_rate("API_THROTTLE_USER", "600/min"),
        "auth": env_rate("API_THROTTLE_AUTH", "10/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "backend.schema.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "backend.parsers.JSONParser",
        "backend.parsers.FormParser",
        "backend.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "backend.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "backend.api_errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["backend.filters.DjangoFilterBackend"],
    # Our throttles take the address from backend/client_address.py; 0 keeps DRF's own get_ident()
    # on REMOTE_ADDR should anything call it (DRF's default, None, would believe any X-Forwarded-For).
    "NUM_PROXIES": 0,
}
# API tokens (backend/tokens.py) expire this many days after they were issued; a new password revokes them.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30, minimum=1, maximum=365)
SPECTACULAR_SETTINGS = {
    "TITLE": "Hà Giang Origin API",
    "DESCRIPTION": "Traceability stamps, growing regions, shops and orders for Hà Giang's specialty products.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No badge image from validator.swagger.io: the page loads nothing from other sites (CSP img-src).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The GS1 resolver's routes are plain Django views at the site's root: documented by a hook.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracing.api.resolver_schema.add_resolver_paths",
        "tracing.api.schema.disclosure_optional_fields",
        "backend.schema.form_bodies_allow_empty_fields",
    ],
}

# Maps -----------------------------------------------------------------------------------------
MAP_TILES_URL = env_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
url_source(MAP_TILES_URL, "MAP_TILES_URL")  # fails start-up on a host that CSP cannot name
MAP_TILES_ATTRIBUTION = env_str(
    "MAP_TILES_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (22.8, 104.98),
    "DEFAULT_ZOOM": 8,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "TILES": [("OpenStreetMap", MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION, "maxZoom": 19})],
    "RESET_VIEW": False,
}

# Geocoding (geo/geocoding.py): our own gazetteer first, then the provider, if any.
GEOCODER = env_choice("GEOCODER", "nominatim", ("nominatim", "none"))
GEOCODER_USER_AGENT = env_str("GEOCODER_USER_AGENT", "HaGiangOrigin/1.0 (+https://github.com/ha-giang-origin)")
GEOCODER_DOMAIN = env_str("GEOCODER_DOMAIN", "nominatim.openstreetmap.org")
GEOCODER_SCHEME = env_choice("GEOCODER_SCHEME", "https", ("https", "http"))
GEOCODER_TIMEOUT_S = env_int("GEOCODER_TIMEOUT_S", 5, minimum=1, maximum=60)

# Logging: everything to stdout, for the process manager to collect.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stdout"}},
    "root": {
        "handlers": ["stdout"],
        "level": env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
    },
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
