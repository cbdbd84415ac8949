import logging

from django.db import DatabaseError, connections
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from backend import health
from backend.api_errors import json_error_response

log = logging.getLogger(__name__)


def home(request):
    return render(request, "backend/home.html")


@never_cache
@require_GET
def healthz(request):
    """200 when the database and PostGIS answer, 503 otherwise. No auth, no session.

    Also says whether a background worker was heard from lately ("worker": "ok" or "stale") and how
    much queued work waits. A stale worker does not make the answer 503: the web serves pages
    without it, and a load balancer must not take the site down for it; monitoring alerts on it.
    """
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            postgis = cursor.fetchone()[0]
    except DatabaseError as exc:
        log.warning("healthz: database unavailable: %s", exc)
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    try:
        worker = health.worker_status()
    except DatabaseError as exc:  # the tables are missing (before `migrate`) or a statement failed
        log.warning("healthz: worker status unavailable: %s", exc)
        worker = {"worker": "unknown"}
    return JsonResponse({"status": "ok", "database": "ok", "postgis": postgis, **worker})


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        return json_error_response("not_found", _("Not found."), 404)
    return render(request, "404.html", status=404)


@csrf_exempt  # it changes nothing: an unknown API path is a JSON 404 for every method, not a CSRF page
def api_not_found(request, *args, **kwargs):
    return json_error_response("not_found", _("Not found."), 404)


def csrf_failure(request, reason=""):
    """A refused CSRF check: the error shape under /api/ (a session-authenticated write without the token),
    the 403 page elsewhere."""
    if _wants_json(request):
        return json_error_response(
            "permission_denied", _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."), 403
        )
    return render(request, "403.html", status=403)


def error_500(request):
    if _wants_json(request):
        return json_error_response("server_error", _("Server error. It has been logged."), 500)
    # No request context: the database may be what failed, and context processors query it.
    return HttpResponseServerError(loader.get_template("500.html").render())


def error_400(request, exception=None):
    if _wants_json(request):
        return json_error_response("bad_request", _("Bad request."), 400)
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    if _wants_json(request):
        return json_error_response("permission_denied", _("You do not have permission to do this."), 403)
    return render(request, "403.html", status=403)
