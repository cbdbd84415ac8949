"""Emails of the workflow: officials hear of applications, the producer's staff of every decision."""

import pytest
from django.core import mail
from django.utils import timezone

from tests.tracing.conftest import apply_as
from tracing import services


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.outbox.clear()


def test_officials_are_told_of_a_new_application(owner, official, commune, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        producer = apply_as(owner, commune)
    assert [message.to for message in mail.outbox] == [[official.email]]
    assert producer.name in mail.outbox[0].subject


def test_the_staff_get_the_survey_date_and_each_decision_in_both_languages(
    producer, owner, official, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.producer_schedule_survey(by=official, producer=producer, scheduled_for=timezone.localdate())
    assert mail.outbox[-1].to == [owner.email]
    assert "survey" in mail.outbox[-1].subject.lower()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.producer_record_survey(
            by=official,
            producer=producer,
            surveyed_on=timezone.localdate(),
            location=None,
            identity_confirmed=True,
            certificates_genuine=True,
            areas_as_declared=True,
            gap_practice_seen=True,
        )
        services.producer_approve(by=official, producer=producer, reason="Đạt.")
        services.producer_suspend(by=official, producer=producer, reason="Dán tem sai lô hàng.")
        services.producer_reinstate(by=official, producer=producer, reason="Đã thu hồi tem.")
    # recording the survey is a step, not a decision: only approve, suspend and reinstate are mailed
    decisions = list(mail.outbox)
    assert len(decisions) == 3
    suspended = decisions[1]
    assert "Dán tem sai lô hàng." in suspended.body
    assert "suspended" in suspended.subject and suspended.to == [owner.email]
    assert "— — —" in suspended.body  # Vietnamese first, then English


def test_a_rejection_email_gives_the_reason(producer, owner, official, django_capture_on_commit_callbacks):
    services.producer_schedule_survey(by=official, producer=producer, scheduled_for=timezone.localdate())
    services.producer_record_survey(
        by=official,
        producer=producer,
        surveyed_on=timezone.localdate(),
        location=None,
        identity_confirmed=True,
        certificates_genuine=False,
        areas_as_declared=True,
        gap_practice_seen=True,
        findings="Giấy chứng nhận VietGAP đã hết hạn.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.producer_reject(by=official, producer=producer, reason="Giấy chứng nhận hết hạn.")
    assert len(mail.outbox) == 1
    assert "Giấy chứng nhận hết hạn." in mail.outbox[0].body
    assert mail.outbox[0].to == [owner.email]


def test_no_email_leaves_when_the_decision_is_rolled_back(producer, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.TransitionNotAllowed):
        services.producer_approve(by=official, producer=producer, reason="Quá sớm.")
    assert mail.outbox == []
