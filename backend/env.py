"""Strict parsing of settings from the environment.

Every helper raises ImproperlyConfigured naming the variable when its value is malformed, so a
typo stops start-up with a clear message instead of running with a surprising value.
"""

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    raw = env_str(name, default)
    if not raw:
        return raw
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, not {raw!r}."
        )
    return raw.rstrip("/")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as '60/min'."""
    value = env_str(name, default).strip()
    count, _, period = value.partition("/")
    if not count.isdigit() or period[:1] not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"{name} must look like '60/min' (number/second|minute|hour|day), not {value!r}.")
    return value


def env_database(name: str = "DATABASE_URL") -> dict:
    import dj_database_url

    raw = env_str(name, required=True)
    parsed = urlparse(raw)
    if parsed.scheme not in {"postgis", "postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgis:// URL (PostGIS is the only supported database), not {parsed.scheme!r}."
        )
    try:
        config = dj_database_url.parse(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database.")
    config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    return config
