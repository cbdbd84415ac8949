"""The API's pagination: DRF's limit/offset, with a ceiling on the page size and a 400 for values that are no count.

DRF's own class passes any `limit` to SQL (`?limit=9223372036854775808` was a 500: PostgreSQL's
LIMIT is a bigint) and silently ignores `limit=abc` or `offset=-5`. Here a page holds at most
MAX_LIMIT rows (a larger `limit` is reduced to it, as DRF's `max_limit` does), and a `limit` or
`offset` that is not a whole number in range is a 400 naming the parameter. An offset past the end
gives an empty page: it never reaches SQL.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_LIMIT = 200


def _count(request, name: str, *, minimum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    text = raw.strip()
    # No int() of an arbitrarily long string: Python refuses past 4300 digits, and no count has 20.
    if not (text.isascii() and text.isdigit() and len(text) <= 20) or int(text) < minimum:
        raise ValidationError({name: [_("Enter a whole number, at least %(minimum)d.") % {"minimum": minimum}]})
    return int(text)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT
    limit_query_description = gettext_lazy("Number of results to return per page (at most 200; more is read as 200).")
    offset_query_description = gettext_lazy("The initial index from which to return the results.")

    def get_limit(self, request):
        limit = _count(request, self.limit_query_param, minimum=1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return _count(request, self.offset_query_param, minimum=0) or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        minimums = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"]["minimum"] = minimums[parameter["name"]]
        return parameters
