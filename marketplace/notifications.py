"""Order emails to the buyer and the producer at each step, in Vietnamese then English.

They are sent by the background worker (`manage.py worker`, started by `make run`), not in the
request: rendering two bilingual messages took about half of a checkout's time. The task is queued
in the same transaction as the step (django-tasks' database backend), so a step that rolls back
sends nothing and a committed one is always told, even if the web process dies right after.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from backend.formatting import vnd
from tracing.units import quantity_text

log = logging.getLogger(__name__)
SITE_NAME = "Hà Giang Origin"


def _bilingual(render) -> tuple[str, str]:
    parts = {}
    for language in ("vi", "en"):
        with translation.override(language):
            parts[language] = render()
    subject = f"[{SITE_NAME}] {parts['vi'][0]} / {parts['en'][0]}"
    return subject, f"{parts['vi'][1]}\n\n— — —\n\n{parts['en'][1]}\n"


def _headline(change, order, for_buyer: bool) -> str:
    reference = order.reference
    if change.action == "place":
        return (_("Order %(ref)s received") if for_buyer else _("New order %(ref)s")) % {"ref": reference}
    if change.action == "mark_paid":
        return _("Payment for order %(ref)s received") % {"ref": reference}
    return _("Order %(ref)s is now %(status)s") % {"ref": reference, "status": order.get_status_display()}


def _body(change, order, for_buyer: bool, *, lines_of_goods: list, url: str) -> str:
    lines = [_headline(change, order, for_buyer) + "."]
    if change.reason and change.action in ("cancel", "expire"):
        lines.append(_("Reason: %(reason)s") % {"reason": change.reason})
    lines.append("")
    for line in lines_of_goods:
        lines.append(f"- {quantity_text(line.quantity, line.unit)} × {line.product_name}: {vnd(line.line_total_vnd)}")
    lines.append(_("Delivery fee: %(fee)s") % {"fee": vnd(order.delivery_fee_vnd)})
    lines.append(_("Total: %(total)s") % {"total": vnd(order.total_vnd)})
    lines.append(_("Payment: %(method)s") % {"method": order.get_payment_method_display()})
    if order.pickup_point_id:
        point = order.pickup_point
        lines.append(_("Pickup at: %(name)s, %(address)s") % {"name": point.name, "address": point.address})
    else:
        lines.append(_("Delivery to: %(address)s") % {"address": order.delivery_address})
    if order.carrier and change.action == "ship":
        shipped = _("Shipped with: %(carrier)s") % {"carrier": order.get_carrier_display()}
        if order.tracking_number:
            shipped += " · " + _("tracking number %(number)s") % {"number": order.tracking_number}
        lines.append(shipped)
    if for_buyer and order.awaits_transfer and order.pay_by:
        lines.append(
            _("Please transfer the amount by %(deadline)s, or the order expires.")
            % {"deadline": date_format(order.pay_by, "DATETIME_FORMAT")}
        )
    lines.append("")
    if for_buyer:
        lines.append(_("Follow your order: %(url)s") % {"url": url})
    else:
        lines.append(_("Open the order desk: %(url)s") % {"url": url})
    return "\n".join(lines)


def _producer_addresses(order) -> list[str]:
    users = get_user_model().objects.filter(producer_membership__producer_id=order.producer_id, is_active=True)
    addresses = set(users.exclude(email="").values_list("email", flat=True))
    if order.producer.email:
        addresses.add(order.producer.email)
    return sorted(addresses)


def send_order_emails(change_id: int) -> None:
    """Tell the buyer and the producer's staff about one step of an order (placement, status, payment)."""
    from marketplace.models import OrderStatusChange

    change = (
        OrderStatusChange.objects.select_related(
            "order__producer", "order__pickup_point", "order__province", "order__commune"
        )
        .filter(pk=change_id)
        .first()
    )
    if change is None or change.action == "stamps":
        return
    order = change.order
    goods = list(order.lines.all())
    # URLs are reversed once, outside the language overrides (reversing under another language is slow).
    buyer_url = settings.SITE_URL + reverse("marketplace:order_detail", args=[order.token])
    desk_url = settings.SITE_URL + reverse("marketplace:desk_order", args=[order.pk])
    messages = []
    if order.email:
        subject, body = _bilingual(
            lambda: (_headline(change, order, True), _body(change, order, True, lines_of_goods=goods, url=buyer_url))
        )
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [order.email]))
    subject, body = _bilingual(
        lambda: (_headline(change, order, False), _body(change, order, False, lines_of_goods=goods, url=desk_url))
    )
    # One message per address: staff of a household business need not see each other's address.
    messages += [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in _producer_addresses(order)]
    for message in messages:
        try:
            message.send(fail_silently=False)
        except Exception:  # a mail server outage must not undo a committed order
            log.exception("could not email %s about order %s", message.to, order.pk)


@task()
def order_emails(change_id: int) -> None:
    """The background task that sends one step's emails."""
    send_order_emails(change_id)


def queue_order_emails(change_id: int) -> None:
    """Queue one step's emails in the current transaction (see the module's docstring)."""
    order_emails.enqueue(change_id)
