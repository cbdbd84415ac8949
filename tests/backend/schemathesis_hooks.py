"""Schemathesis hooks for the live-server run (loaded by tests/backend/test_api_schemathesis.py).

DRF's fields convert a JSON scalar of another type on purpose, as they do for form fields: a number
sent for a text is that text, "12" or 12.0 for a whole number is 12, 0/1 or "true" for a boolean is
that boolean. A schema-violating body that the API accepts only because of such a conversion is not
reported; negative_data_rejection still reports everything else (a value out of range or not
matching its pattern, an object or a list where a scalar belongs, null where none is allowed, …).
"""

from __future__ import annotations

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.mutations import OperatorKind
from schemathesis.core.parameters import ParameterLocation

SCALARS = {"string", "integer", "number", "boolean"}


def converted_scalar_only(case) -> bool:
    """Whether every mutation of a negative case only changed a body value from one scalar type to another."""
    data = case.meta.phase.data if case.meta is not None else None
    mutations = getattr(data, "mutations", ())
    return bool(mutations) and all(
        mutation.operator == OperatorKind.CHANGE_TYPE
        and mutation.parameter_location == ParameterLocation.BODY
        and mutation.original_value in SCALARS
        and mutation.new_value in SCALARS
        for mutation in mutations
    )


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    return not (isinstance(failure, AcceptedNegativeData) and converted_scalar_only(case))
