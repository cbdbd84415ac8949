"""Every write to tracing's records goes through these functions (views, API, admin actions, commands).

Keyword-only arguments; `by` is the user acting, checked against the object's producer; input is
validated (ValidationError naming the field), saved in one transaction, side effects after commit.
"""

from tracing.services.batches import (
    batch_create,
    batch_create_from_previous,
    batch_event_add,
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
from tracing.services.producers import (
    producer_apply,
    producer_approve,
    producer_reapply,
    producer_record_survey,
    producer_reinstate,
    producer_reject,
    producer_schedule_survey,
    producer_staff_add,
    producer_staff_remove,
    producer_suspend,
    producer_update,
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
    "TransitionNotAllowed",
    "batch_create",
    "batch_create_from_previous",
    "batch_event_add",
    "batch_update",
    "certificate_add",
    "certificate_delete",
    "certificate_update",
    "next_lot_code",
    "producer_apply",
    "producer_approve",
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
