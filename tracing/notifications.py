"""Emails of the participation workflow, in Vietnamese then English (run after the commit, by the services)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tracing.access import VERIFY_PERMISSION
from tracing.models import FieldSurvey, Producer, ProducerChange, ProducerStatusChange

log = logging.getLogger(__name__)


def _bilingual(render) -> tuple[str, str]:
    """(subject, body) rendered once per language, Vietnamese first."""
    parts = {}
    for language in ("vi", "en"):
        with translation.override(language):
            parts[language] = render()
    subject = f"[{_site_name()}] {parts['vi'][0]} / {parts['en'][0]}"
    body = f"{parts['vi'][1]}\n\n— — —\n\n{parts['en'][1]}\n"
    return subject, body


def _site_name() -> str:
    return "Hà Giang Origin"


def _send(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients:
        return
    # One message per recipient: staff of different households need not see each other's address.
    for address in recipients:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send(fail_silently=False)


def _staff_addresses(producer: Producer) -> list[str]:
    users = get_user_model().objects.filter(producer_membership__producer=producer, is_active=True).exclude(email="")
    return sorted(users.values_list("email", flat=True))


def send_decision_email(change_id: int) -> None:
    """Tell the producer's staff about a workflow step taken by an official (survey date, decision, reason)."""
    change = ProducerStatusChange.objects.select_related("producer").get(pk=change_id)
    producer = change.producer
    survey = None
    if change.to_status == Producer.Status.SURVEY_SCHEDULED:
        survey = FieldSurvey.objects.filter(producer=producer, recorded_at__isnull=True).first()

    def render():
        headline = {
            Producer.Status.SURVEY_SCHEDULED: _("A field survey of %(name)s has been scheduled"),
            Producer.Status.APPROVED: _("%(name)s is approved as a participant"),
            Producer.Status.REJECTED: _("The application of %(name)s was not approved"),
            Producer.Status.SUSPENDED: _("The participation of %(name)s is suspended"),
        }.get(change.to_status, _("The status of %(name)s has changed")) % {"name": producer.name}
        if change.from_status == Producer.Status.SUSPENDED and change.to_status == Producer.Status.APPROVED:
            headline = _("The participation of %(name)s is reinstated") % {"name": producer.name}
        lines = [headline + "."]
        if survey is not None:
            lines.append(_("Date of the visit: %(date)s.") % {"date": date_format(survey.scheduled_for)})
            if survey.schedule_note:
                lines.append(survey.schedule_note)
        if change.reason:
            lines.append(_("Reason: %(reason)s") % {"reason": change.reason})
        if change.to_status == Producer.Status.SUSPENDED:
            lines.append(
                _("While suspended, your products and stamps are hidden from consumers; nothing has been deleted.")
            )
        lines.append(_("Sign in at %(url)s to see the details.") % {"url": settings.SITE_URL})
        return headline, "\n\n".join(lines)

    subject, body = _bilingual(render)
    _send(subject, body, _staff_addresses(producer))


def _official_addresses() -> list[str]:
    officials = get_user_model().objects.filter(is_active=True).exclude(email="")
    app_label, codename = VERIFY_PERMISSION.split(".")
    officials = officials.filter(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    )
    return sorted(set(officials.values_list("email", flat=True)))


def send_application_email(producer_id: int) -> None:
    """Tell the officials that a producer has applied (or applied again) and waits for a survey."""
    producer = Producer.objects.get(pk=producer_id)
    addresses = _official_addresses()

    def render():
        headline = _("New application: %(name)s") % {"name": producer.name}
        body = "\n\n".join(
            [
                _("%(name)s (%(kind)s, tax number %(tax)s) has applied to take part and waits for a field survey.")
                % {"name": producer.name, "kind": producer.get_kind_display(), "tax": producer.tax_number},
                _("Sign in at %(url)s to see the details.") % {"url": settings.SITE_URL},
            ]
        )
        return headline, body

    subject, body = _bilingual(render)
    _send(subject, body, addresses)


def _changed_fields(change: ProducerChange) -> str:
    return ", ".join(str(Producer._meta.get_field(name).verbose_name) for name in change.values)


def send_change_request_email(change_id: int) -> None:
    """Tell the officials that a producer asks to change verified data (it stays public as verified meanwhile)."""
    change = ProducerChange.objects.select_related("producer").get(pk=change_id)

    def render():
        headline = _("Change to review: %(name)s") % {"name": change.producer.name}
        body = "\n\n".join(
            [
                _("The staff of %(name)s ask to change what was verified: %(fields)s.")
                % {"name": change.producer.name, "fields": _changed_fields(change)},
                _("Until an official accepts the change, the verified data stays on the public pages."),
                _("Sign in at %(url)s to see the details.") % {"url": settings.SITE_URL},
            ]
        )
        return headline, body

    subject, body = _bilingual(render)
    _send(subject, body, _official_addresses())


def send_change_decision_email(change_id: int) -> None:
    """Tell the producer's staff that an official accepted or refused their change to verified data."""
    change = ProducerChange.objects.select_related("producer").get(pk=change_id)

    def render():
        values = {"name": change.producer.name, "fields": _changed_fields(change)}
        if change.status == ProducerChange.Status.ACCEPTED:
            headline = _("The change to the data of %(name)s is accepted") % values
            lines = [headline + ".", _("The public pages now show: %(fields)s as you asked.") % values]
        else:
            headline = _("The change to the data of %(name)s was not accepted") % values
            lines = [headline + ".", _("The verified data stays as it was: %(fields)s.") % values]
        if change.reason:
            lines.append(_("Reason: %(reason)s") % {"reason": change.reason})
        lines.append(_("Sign in at %(url)s to see the details.") % {"url": settings.SITE_URL})
        return headline, "\n\n".join(lines)

    if change.status in (ProducerChange.Status.ACCEPTED, ProducerChange.Status.REFUSED):
        subject, body = _bilingual(render)
        _send(subject, body, _staff_addresses(change.producer))
