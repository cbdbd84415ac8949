"""Every write to tracing's records goes through these functions (views, API, admin actions, commands).

Keyword-only arguments; `by` is the user acting, checked against the object's producer; input is
validated (ValidationError naming the field), saved in one transaction, side effects after commit.
"""

from tracing.services.batches import (
    batch_create,
    batch_create_from_previous,
    batch_event_add,
    batch_event_delete,
    batch_event_update,
    batch_update,
    next_lot_code,
)
from tracing.services.common import TransitionNotAllowed
from tracing.services.holdings import (
    certificate_add,
    certificate_delete,
    certificate_update,
    production_area_add,
    production_area_delete,
    production_area_update,
)
from tracing.services.producers.changes import (
    IDENTITY_FIELDS,
    needs_review,
    pending_change,
    producer_change_accept,
    producer_change_refuse,
    producer_change_withdraw,
)
from tracing.services.producers.profile import (
    producer_apply,
    producer_staff_add,
    producer_staff_remove,
    producer_update,
)
from tracing.services.producers.verification import (
    producer_approve,
    producer_reapply,
    producer_record_survey,
    producer_reinstate,
    producer_reject,
    producer_schedule_survey,
    producer_suspend,
)
from tracing.services.products import (
    product_audio_clear,
    product_audio_set,
    product_create,
    product_photo_add,
    product_photo_delete,
    product_update,
)

__all__ = [
    "IDENTITY_FIELDS",
    "TransitionNotAllowed",
    "batch_create",
    "batch_create_from_previous",
    "batch_event_add",
    "batch_event_delete",
    "batch_event_update",
    "batch_update",
    "certificate_add",
    "certificate_delete",
    "certificate_update",
    "needs_review",
    "next_lot_code",
    "pending_change",
    "producer_apply",
    "producer_approve",
    "producer_change_accept",
    "producer_change_refuse",
    "producer_change_withdraw",
    "producer_reapply",
    "producer_record_survey",
    "producer_reinstate",
    "producer_reject",
    "producer_schedule_survey",
    "producer_staff_add",
    "producer_staff_remove",
    "producer_suspend",
    "producer_update",
    "product_audio_clear",
    "product_audio_set",
    "product_create",
    "product_photo_add",
    "product_photo_delete",
    "product_update",
    "production_area_add",
    "production_area_delete",
    "production_area_update",
]

# Stamps and scans live in tracing/stamps/ (runs.py, lifecycle.py, scans.py, confirmation.py,
# follow_up.py), whose modules import
# tracing.services.common: their functions are looked up here on first use, not at import, so that
# importing either side first works.
_STAMP_SERVICES = {
    "tracing.stamps.scans": ("scan_counts", "scan_record", "scan_share_location"),
    "tracing.stamps.confirmation": ("stamp_confirm_pin",),
    "tracing.stamps.follow_up": ("flag_resolve", "report_create", "report_review"),
    "tracing.stamps.runs": ("stamp_run_fill", "stamp_run_pins_take", "stamps_issue", "stamps_print"),
    "tracing.stamps.lifecycle": ("stamp_confirm_copied", "stamps_activate", "stamps_mark_sold", "stamps_revoke"),
}
_STAMP_SERVICE_MODULE = {name: module for module, names in _STAMP_SERVICES.items() for name in names}
__all__ += sorted(_STAMP_SERVICE_MODULE)


def __getattr__(name: str):
    module = _STAMP_SERVICE_MODULE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
