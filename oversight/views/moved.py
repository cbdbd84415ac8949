"""Old addresses of officials' pages that lived in tracing, redirected to their one home in oversight.

/tham-dinh/… (applications queue, producer's file, survey, decisions) → /giam-sat/ho-so/…;
/tem/nghi-van/ (suspicious stamps) and /tem/bao-cao/ (counterfeit reports) → the work queue /giam-sat/viec/.
A page (GET, HEAD) moves with 301; a form sent to an old action address (POST) with 308, which keeps the
method and the form, so a page still open in a browser keeps working. Nothing is decided here: the new
address checks who asks.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from backend import shortcuts
from oversight import casework
from oversight.views.common import official_required
from tracing.models import CounterfeitReport, SuspicionFlag

#: Old query names of tracing's queue → the desk's.
QUEUE_PARAMETERS = {"trang-thai": "status", "trang": "page"}
#: Report statuses of the old reports page → case statuses of the work queue.
REPORT_STATUSES = {
    CounterfeitReport.Status.NEW: "open",
    CounterfeitReport.Status.INVESTIGATING: "investigating",
    CounterfeitReport.Status.CLOSED: "closed",
}


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


def _moved(request, url: str, query: dict | None = None):
    if query:
        url = f"{url}?{urlencode(query)}"
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(url)
    return HttpResponsePermanentRedirectKeepMethod(url)


def _renamed(request, names: dict) -> dict:
    return {names[key]: value for key, value in request.GET.items() if key in names and value}


def moved_to(url_name: str, *, query_names: dict | None = None):
    """A view answering an old address with a redirect to `url_name` (same path arguments)."""

    @csrf_exempt  # the new address checks the CSRF token of a form sent on with 308
    def view(request, **kwargs):
        return _moved(request, reverse(url_name, kwargs=kwargs), _renamed(request, query_names or {}))

    return view


queue = moved_to("oversight:queue", query_names=QUEUE_PARAMETERS)
producer_file = moved_to("oversight:producer_file")
schedule_survey = moved_to("oversight:schedule_survey")
record_survey = moved_to("oversight:record_survey")
decide = moved_to("oversight:decide")
decide_change = moved_to("oversight:change_decide")


def flags(request):
    """The old suspicious-stamps page: the flags of the work queue (?all=1: closed ones too).

    A form sent to it (an old page still open) goes to the flag's case, where it is closed with an outcome.
    """
    if request.method == "POST":
        return _to_case(request, SuspicionFlag, "flag")
    query = {"kind": "flag"}
    if request.GET.get("all") == "1":
        query["status"] = "all"
    return _moved(request, reverse("oversight:cases"), query)


def reports(request):
    """The old counterfeit-reports page: the reports of the work queue, in the same status if one was chosen."""
    if request.method == "POST":
        return _to_case(request, CounterfeitReport, "report")
    query = {"kind": "report"}
    status = REPORT_STATUSES.get(request.GET.get("status", ""))
    if status:
        query["status"] = status
    return _moved(request, reverse("oversight:cases"), query)


@official_required
def _to_case(request, model, field: str):
    item = shortcuts.get_object_or_404(model, pk=request.POST.get(field))
    case = casework.open_for_flag(item) if field == "flag" else casework.open_for_report(item)
    return HttpResponseRedirect(reverse("oversight:case", args=[case.pk]))
