"""Home page, language switch, healthz, the API's error shape and its schema."""

import pytest
from django.db import connections
from django.template import Context, Template
from django.utils import translation

from tests.conftest import make_user


def test_home_page_is_vietnamese_by_default(client, db):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Chè Shan tuyết" in body


def test_home_page_follows_the_browser_language(client, db):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in body
    assert "Shan tuyết tea" in body


def test_language_switch_sets_a_cookie_and_returns_to_the_page(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies["hg_language"].value == "en"
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()


def test_language_switch_refuses_to_redirect_off_site(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize(("language", "expected"), [("vi", "1.250.000\u00a0₫"), ("en", "1,250,000\u00a0₫")])
def test_vnd_is_formatted_for_the_language(language, expected):
    with translation.override(language):
        rendered = Template("{% load formatting %}{{ amount|vnd }}").render(Context({"amount": 1250000}))
    assert rendered == expected


def test_healthz_reports_postgis_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["postgis"].startswith("3.")
    assert "Set-Cookie" not in response


@pytest.mark.django_db(transaction=True)
def test_healthz_says_whether_a_worker_was_heard_from_lately_without_failing_the_check(client):
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from backend.jobs import job_enqueue
    from backend.models import WorkerHeartbeat
    from backend.worker import Worker

    nobody = client.get("/healthz")
    assert nobody.status_code == 200
    assert nobody.json() | {"postgis": "-"} == {
        "status": "ok",
        "database": "ok",
        "postgis": "-",
        "worker": "stale",
        "worker_seen_s": None,
        "tasks_waiting": 0,
        "oldest_task_waiting_s": None,
    }
    job_enqueue(handler="tests.backend.job_handlers.count_to", title="Count", arguments={"n": 1})
    Worker(
        queue_names=["default"], interval=1, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="w1", excluded_queue_names=[],
    ).beat()  # fmt: skip
    beating = client.get("/healthz").json()
    assert (beating["worker"], beating["worker_seen_s"], beating["tasks_waiting"]) == ("ok", 0, 1)
    silent_since = timezone.now() - datetime.timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
    WorkerHeartbeat.objects.update(seen_at=silent_since)
    silent = client.get("/healthz")
    assert silent.status_code == 200 and silent.json()["worker"] == "stale"
    assert silent.json()["worker_seen_s"] >= settings.WORKER_STALE_SECONDS


def test_healthz_is_503_when_the_database_is_unreachable(client, db, monkeypatch):
    real = connections["default"]
    broken_settings = {**real.settings_dict, "HOST": "/nonexistent-socket-dir", "PORT": "1"}
    broken = real.__class__(broken_settings, alias="default")
    monkeypatch.setattr("backend.views.connections", {"default": broken})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error"}


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["fields"] == {}


def test_api_requires_login_with_the_error_shape(api_client, db):
    response = api_client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert error["message"]
    assert error["fields"] == {}


def test_bad_credentials_name_the_problem(api_client, db):
    response = api_client.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "password" in error["fields"]
    assert error["message"].startswith("password:")


def test_malformed_json_is_a_400_not_a_500(api_client, db):
    response = api_client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_token_login_works_and_is_rate_limited(api_client, db):
    make_user("tuan")
    ok = api_client.post("/api/v1/auth/token/", {"username": "tuan", "password": "correct-horse-battery-staple"})
    assert ok.status_code == 200
    token = ok.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").json()["username"] == "tuan"
    api_client.credentials()
    statuses = [
        api_client.post("/api/v1/auth/token/", {"username": "tuan", "password": "wrong"}).status_code for _ in range(12)
    ]
    assert statuses[-1] == 429
    assert (
        api_client.post("/api/v1/auth/token/", {"username": "tuan", "password": "x"}).json()["error"]["code"]
        == "throttled"
    )


def test_openapi_schema_is_served(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Hà Giang Origin API"
    assert "/api/v1/me/" in schema["paths"]


def test_openapi_schema_generates_without_warnings():
    from django.core.management import call_command

    # --fail-on-warn turns every drf-spectacular warning into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_api_docs_page_uses_our_own_assets(client, db):
    body = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in body
    assert "cdn." not in body and "unpkg" not in body and "jsdelivr" not in body


def test_admin_login_page_is_reachable(client, db):
    assert client.get("/admin/login/").status_code == 200


def test_no_model_changes_are_missing_a_migration(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("path", ["/", "/t/ABC", "/healthz", "/api/v1/stamps/ABC"])
def test_a_host_not_allowed_is_a_400_not_a_500(db, path):
    """A request refused before the middleware ran (Host not in ALLOWED_HOSTS) still gets its 400 page."""
    from django.test import Client

    response = Client(HTTP_HOST="evil.example", raise_request_exception=False).get(path)
    assert response.status_code == 400
