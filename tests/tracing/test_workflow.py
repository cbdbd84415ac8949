"""The participation workflow: applied → survey scheduled → surveyed → approved | rejected → suspended ⇄ reinstated."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from backend import roles
from tests.conftest import make_user
from tests.tracing.conftest import HA_GIANG, apply_as, approve, png_bytes, upload
from tracing import services
from tracing.models import Producer, ProducerMembership, ProducerStatusChange
from tracing.workflow import TRANSITIONS, Action

TODAY = timezone.localdate


def survey_kwargs(**overrides):
    data = {
        "surveyed_on": TODAY(),
        "location": HA_GIANG,
        "identity_confirmed": True,
        "certificates_genuine": True,
        "areas_as_declared": True,
        "gap_practice_seen": True,
        "findings": "",
    }
    data.update(overrides)
    return data


def run_action(action: Action, producer, user):
    """Take a workflow action with valid arguments, as the given user."""
    if action == Action.SCHEDULE_SURVEY:
        return services.producer_schedule_survey(by=user, producer=producer, scheduled_for=TODAY())
    if action == Action.RECORD_SURVEY:
        return services.producer_record_survey(by=user, producer=producer, **survey_kwargs())
    function = {
        Action.APPROVE: services.producer_approve,
        Action.REJECT: services.producer_reject,
        Action.SUSPEND: services.producer_suspend,
        Action.REINSTATE: services.producer_reinstate,
        Action.REAPPLY: services.producer_reapply,
    }[action]
    return function(by=user, producer=producer, reason="Lý do rõ ràng.")


# How to bring a fresh application to each status, by the actions of the workflow itself.
PATHS = {
    "applied": [],
    "survey_scheduled": [Action.SCHEDULE_SURVEY],
    "surveyed": [Action.SCHEDULE_SURVEY, Action.RECORD_SURVEY],
    "approved": [Action.SCHEDULE_SURVEY, Action.RECORD_SURVEY, Action.APPROVE],
    "rejected": [Action.SCHEDULE_SURVEY, Action.RECORD_SURVEY, Action.REJECT],
    "suspended": [Action.SCHEDULE_SURVEY, Action.RECORD_SURVEY, Action.APPROVE, Action.SUSPEND],
}


def bring_to(status, producer, owner, official):
    for action in PATHS[status]:
        run_action(action, producer, owner if TRANSITIONS[action].actor == "staff" else official)
    producer.refresh_from_db()
    assert producer.status == status
    return producer


def test_applying_registers_the_organisation_and_makes_the_applicant_its_staff(owner, commune):
    producer = apply_as(owner, commune, tax_number="0100233488", phone="+84 912 345 678")
    assert producer.status == "applied"
    assert producer.tax_number == "0100233488"
    assert producer.phone == "0912345678"
    assert ProducerMembership.objects.get(user=owner).producer == producer
    assert roles.PRODUCER_STAFF in roles.user_roles(type(owner).objects.get(pk=owner.pk))
    assert list(producer.status_changes.values_list("from_status", "to_status")) == [("", "applied")]


def test_the_whole_workflow_is_recorded_as_history(producer, owner, official):
    run_action(Action.SCHEDULE_SURVEY, producer, official)
    run_action(Action.RECORD_SURVEY, producer, official)
    run_action(Action.APPROVE, producer, official)
    run_action(Action.SUSPEND, producer, official)
    run_action(Action.REINSTATE, producer, official)
    producer.refresh_from_db()
    assert producer.status == "approved"
    history = list(producer.status_changes.values_list("from_status", "to_status", "actor__username"))
    assert history == [
        ("", "applied", "lan"),
        ("applied", "survey_scheduled", "official1"),
        ("survey_scheduled", "surveyed", "official1"),
        ("surveyed", "approved", "official1"),
        ("approved", "suspended", "official1"),
        ("suspended", "approved", "official1"),
    ]
    assert producer.status_changes.last().reason == "Lý do rõ ràng."


def test_a_rejected_producer_may_apply_again(producer, owner, official):
    bring_to("rejected", producer, owner, official)
    run_action(Action.REAPPLY, producer, owner)
    producer.refresh_from_db()
    assert producer.status == "applied"


REFUSED = [(status, action) for status in PATHS for action in Action if status not in TRANSITIONS[action].sources]


@pytest.mark.parametrize(("status", "action"), REFUSED, ids=[f"{s}-{a}" for s, a in REFUSED])
def test_every_transition_outside_the_map_is_refused(status, action, producer, owner, official):
    bring_to(status, producer, owner, official)
    actor = owner if TRANSITIONS[action].actor == "staff" else official
    history_before = ProducerStatusChange.objects.count()
    with pytest.raises(services.TransitionNotAllowed):
        run_action(action, producer, actor)
    producer.refresh_from_db()
    assert producer.status == status
    assert ProducerStatusChange.objects.count() == history_before


OFFICIAL_ACTIONS = [action for action in Action if TRANSITIONS[action].actor == "official"]


@pytest.mark.parametrize("action", OFFICIAL_ACTIONS)
@pytest.mark.parametrize("who", ["owner", "stranger", "consumer"])
def test_only_officials_take_the_decisions(action, who, producer, owner, official, request):
    source = sorted(TRANSITIONS[action].sources)[0]
    bring_to(source, producer, owner, official)
    with pytest.raises(PermissionDenied):
        run_action(action, producer, request.getfixturevalue(who))
    producer.refresh_from_db()
    assert producer.status == source


@pytest.mark.parametrize("who", ["stranger", "official"])
def test_only_the_producers_staff_may_apply_again(who, producer, owner, official, request):
    bring_to("rejected", producer, owner, official)
    with pytest.raises(PermissionDenied):
        run_action(Action.REAPPLY, producer, request.getfixturevalue(who))


def test_anonymous_users_cannot_apply(commune):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        apply_as(AnonymousUser(), commune)


def test_officials_cannot_register_a_producer(official, commune):
    with pytest.raises(PermissionDenied):
        apply_as(official, commune)


def test_a_person_belongs_to_one_organisation_only(producer, owner, commune):
    with pytest.raises(ValidationError, match="already belong"):
        apply_as(owner, commune, name="Another cooperative")


def test_the_database_refuses_a_second_membership(producer, other_producer, owner):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ProducerMembership.objects.create(producer=other_producer, user=owner)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.REJECT, Action.SUSPEND, Action.REINSTATE])
def test_decisions_need_a_reason(action, producer, owner, official):
    bring_to(sorted(TRANSITIONS[action].sources)[0], producer, owner, official)
    function = getattr(services, f"producer_{action.value}")
    with pytest.raises(ValidationError) as error:
        function(by=official, producer=producer, reason="  ")
    assert "reason" in error.value.message_dict


def test_a_survey_cannot_be_scheduled_in_the_past(producer, official):
    with pytest.raises(ValidationError) as error:
        services.producer_schedule_survey(
            by=official, producer=producer, scheduled_for=TODAY() - datetime.timedelta(days=1)
        )
    assert "scheduled_for" in error.value.message_dict
    producer.refresh_from_db()
    assert producer.status == "applied"


def test_the_survey_record_keeps_checklist_gps_and_photos(producer, owner, official):
    bring_to("survey_scheduled", producer, owner, official)
    survey = services.producer_record_survey(
        by=official,
        producer=producer,
        **survey_kwargs(gap_practice_seen=False, findings="Chưa ghi nhật ký phun thuốc."),
        photos=[upload("garden.png", png_bytes())],
    )
    assert survey.is_recorded and not survey.all_checks_passed
    assert survey.location.equals_exact(HA_GIANG, 1e-9)
    assert survey.photos.count() == 1
    assert survey.recorded_by == official


def test_a_failed_check_needs_findings(producer, owner, official):
    bring_to("survey_scheduled", producer, owner, official)
    with pytest.raises(ValidationError) as error:
        services.producer_record_survey(
            by=official, producer=producer, **survey_kwargs(certificates_genuine=False, findings="")
        )
    assert "findings" in error.value.message_dict


def test_a_survey_position_outside_vietnam_is_refused(producer, owner, official):
    from django.contrib.gis.geos import Point

    bring_to("survey_scheduled", producer, owner, official)
    with pytest.raises(ValidationError) as error:
        services.producer_record_survey(
            by=official, producer=producer, **survey_kwargs(location=Point(22.82, 104.97, srid=4326))
        )
    assert "location" in error.value.message_dict


def test_only_approved_producers_are_public_and_suspension_hides_without_deleting(producer, owner, official):
    assert not Producer.objects.public().filter(pk=producer.pk).exists()
    approve(producer, official)
    assert Producer.objects.public().filter(pk=producer.pk).exists()
    services.producer_suspend(by=official, producer=producer, reason="Tem dán sai lô.")
    assert not Producer.objects.public().filter(pk=producer.pk).exists()
    assert Producer.objects.filter(pk=producer.pk).exists()


def test_staff_can_add_a_colleague_who_then_manages_the_producer(producer, owner, commune):
    colleague = make_user("hoa", roles.CONSUMER)
    services.producer_staff_add(by=owner, producer=producer, user=colleague)
    services.producer_update(by=colleague, producer=producer, representative="Trần Thị Hoa")
    producer.refresh_from_db()
    assert producer.representative == "Trần Thị Hoa"


def test_the_last_staff_member_cannot_leave(producer, owner):
    with pytest.raises(ValidationError):
        services.producer_staff_remove(by=owner, producer=producer, user=owner)


def test_a_new_tax_number_waits_for_review_once_surveyed(producer, owner, official):
    bring_to("surveyed", producer, owner, official)
    verified = producer.tax_number
    services.producer_update(by=owner, producer=producer, tax_number="0100233488")
    producer.refresh_from_db()
    assert producer.tax_number == verified
    assert services.pending_change(producer).values == {"tax_number": "0100233488"}
