"""Settings are parsed strictly: a bad value stops start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DATABASE_URL": "postgis://user@localhost:5432/hagiang",
    "DJANGO_SECRET_KEY": "tQ8v-Yz3pL0w_Km5rN2xB7cH4jD9fG6sA1eU_oI8nV3bW5qR0tY2",
    "PATH": os.environ.get("PATH", ""),
}


def load_settings(**overrides: str) -> subprocess.CompletedProcess:
    env = {**GOOD, **overrides}
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", "import backend.settings as s; print(s.DEBUG, s.DATABASES['default']['CONN_MAX_AGE'])"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_good_settings_load_with_persistent_connections():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "600"]


def test_production_hashes_passwords_with_pbkdf2_and_only_the_test_run_uses_a_fast_hasher():
    """The test run's fast hasher (tests/conftest.py) must not leak into the settings a server starts with."""
    from django.contrib.auth.hashers import get_hasher

    from tests.conftest import FAST_PASSWORD_HASHERS

    code = "import django; django.setup(); from django.contrib.auth import hashers as h"
    code += "; print(h.get_hasher().algorithm)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**GOOD, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["pbkdf2_sha256"]
    assert get_hasher().algorithm == "md5" and FAST_PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be a boolean"),
        ("DATABASE_URL", "sqlite:///db.sqlite3", "DATABASE_URL must be a postgis:// URL"),
        ("DATABASE_URL", "", "DATABASE_URL must be set"),
        ("DATABASE_CONN_MAX_AGE", "ten", "DATABASE_CONN_MAX_AGE must be a whole number"),
        ("DATABASE_CONN_MAX_AGE", "-1", "DATABASE_CONN_MAX_AGE must be at least 0"),
        ("SITE_URL", "origin.example", "SITE_URL must be a URL"),
        ("DJANGO_EMAIL_BACKEND", "pigeon", "DJANGO_EMAIL_BACKEND must be one of"),
        ("EMAIL_PORT", "99999", "EMAIL_PORT must be at most 65535"),
        ("API_THROTTLE_ANON", "lots", "API_THROTTLE_ANON must look like"),
        ("CSRF_TRUSTED_ORIGINS", "origin.example", "CSRF_TRUSTED_ORIGINS entries must start with"),
        ("DJANGO_SECRET_KEY", "short", "DJANGO_SECRET_KEY must be at least 50 characters"),
        ("TRUSTED_PROXY_HEADER", "forwarded", "TRUSTED_PROXY_HEADER must be one of none, x-forwarded-for, x-real-ip"),
        ("TRUSTED_PROXY_COUNT", "2", "TRUSTED_PROXY_COUNT is read only with TRUSTED_PROXY_HEADER=x-forwarded-for"),
        ("API_NUM_PROXIES", "1", "API_NUM_PROXIES is no longer read: set TRUSTED_PROXY_HEADER=x-forwarded-for"),
        ("API_TOKEN_TTL_DAYS", "0", "API_TOKEN_TTL_DAYS must be at least 1"),
    ],
)
def test_it_rejects_a_bad_value_naming_the_variable(variable, value, message):
    result = load_settings(**{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    env = dict(GOOD)
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import backend.settings"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_manage_py_prints_one_clear_line_for_a_bad_value():
    env = {**GOOD, "DJANGO_DEBUG": "perhaps"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: DJANGO_DEBUG must be a boolean (1/0, true/false, yes/no, on/off), not 'perhaps'."
    )
    assert "Traceback" not in result.stderr


def test_trusted_proxy_settings_load_together():
    result = load_settings(TRUSTED_PROXY_HEADER="X-Forwarded-For", TRUSTED_PROXY_COUNT="2")
    assert result.returncode == 0, result.stderr


def deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        **GOOD,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DJANGO_ALLOWED_HOSTS": "origin.example",
        "CSRF_TRUSTED_ORIGINS": "https://origin.example",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_production_settings():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_behind_a_proxy_whose_client_header_is_not_named():
    """Otherwise every client has the proxy's address, and per-client limits apply to the whole site."""
    result = deploy_check(DJANGO_BEHIND_PROXY="1")
    assert result.returncode != 0
    assert "backend.W001" in result.stdout + result.stderr
    named = deploy_check(DJANGO_BEHIND_PROXY="1", TRUSTED_PROXY_HEADER="x-forwarded-for")
    assert named.returncode == 0, named.stdout + named.stderr
