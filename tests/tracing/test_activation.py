"""Activating stamps onto a batch: all or nothing, and every reason it is refused; revoking with a reason;
selling; the permission matrix of these writes."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from tests.conftest import make_user
from tests.tracing.stamp_fixtures import (
    activate_range,
    issue,
    product_kinds_present,  # noqa: F401  (autouse)
    stamps_of,
)
from tracing import services
from tracing.models import Stamp, StampEvent
from tracing.models.stamps import stamped_quantity, units_allowed
from tracing.stamps.selection import Selection

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(official, approved_producer, product):
    return issue(official, approved_producer, quantity=20, product=product)


def statuses(run) -> list[str]:
    return [s.status for s in stamps_of(run)]


def test_a_range_is_activated_onto_the_batch_and_logged(owner, batch, run):
    stamps = stamps_of(run)
    count = activate_range(owner, batch, stamps[2:12])

    assert count == 10
    assert statuses(run) == ["issued"] * 2 + ["activated"] * 10 + ["issued"] * 8
    assert Stamp.objects.filter(batch=batch).count() == 10
    event = StampEvent.objects.get(run=run, action="activated")
    assert (event.ranges, event.count, event.actor, event.batch) == ([[3, 12]], 10, owner, batch)
    assert stamped_quantity(batch) == Decimal(10)


def test_a_scanned_list_of_links_and_typed_codes_is_activated(owner, batch, run, settings):
    stamps = stamps_of(run)
    typed = [
        f"{settings.SITE_URL}/t/{stamps[0].serial}",
        f"{settings.SITE_URL}/01/08938500000010/21/{stamps[5].serial}",
        stamps[7].serial.lower()[:4] + "-" + stamps[7].serial[4:],
    ]
    count = services.stamps_activate(by=owner, batch=batch, selection=Selection.of(serials="\n".join(typed)))
    assert count == 3
    assert [s.number for s in Stamp.objects.filter(status="activated").order_by("number")] == [1, 6, 8]


def _refusal_setup(case, *, official, owner, stranger, batch, run, other_producer, product, kinds):
    """Prepare the situation of one refusal; return (batch, selection, expected message fragment)."""
    stamps = stamps_of(run)
    whole = Selection(first=stamps[0].serial, last=stamps[4].serial)
    if case == "outside_its_runs":
        foreign = stamps_of(issue(official, other_producer, quantity=3))
        return batch, Selection(serials=(stamps[0].serial, foreign[0].serial)), "not stamps issued to you"
    if case in ("already_active", "sold", "revoked"):
        activate_range(owner, batch, stamps[3:4])
        if case == "sold":
            services.stamps_mark_sold(by=owner, serials=[stamps[3].serial])
        if case == "revoked":
            services.stamps_revoke(by=owner, selection=Selection(serials=(stamps[3].serial,)), reason="Nhãn bị rách")
        return batch, whole, "Only new stamps can be activated"
    if case == "more_than_the_batch_allows":
        small = services.batch_create(
            by=owner, product=product, lot_code="CAM-NHO", harvest_started_on=timezone.localdate(), quantity=Decimal(4)
        )
        return small, whole, "allows 4 stamps"
    if case == "certificate_expired":
        certificate = services.certificate_add(
            by=owner,
            producer=product.producer,
            scheme="vietgap",
            number="VG-01",
            issuer="Sở NN&PTNT",
            valid_from=timezone.localdate() - datetime.timedelta(days=800),
            valid_to=timezone.localdate() + datetime.timedelta(days=30),
        )
        services.product_update(by=owner, product=product, certificates=[certificate])
        type(certificate).objects.filter(pk=certificate.pk).update(
            valid_to=timezone.localdate() - datetime.timedelta(days=1)
        )
        return batch, whole, "not valid today"
    if case == "producer_suspended":
        services.producer_suspend(by=official, producer=product.producer, reason="Kiểm tra đột xuất")
        return batch, whole, "suspended"
    if case == "printed_for_another_product":
        other = services.product_create(
            by=owner, producer=product.producer, kind=kinds["orange"], name_vi="Cam loại 2", net_quantity=Decimal(1)
        )
        other_batch = services.batch_create(
            by=owner, product=other, lot_code="CAM2-01", harvest_started_on=timezone.localdate(), quantity=Decimal(50)
        )
        return other_batch, whole, "printed for another product"
    if case == "range_backwards":
        return batch, Selection(first=stamps[4].serial, last=stamps[0].serial), "swap them"
    if case == "range_across_runs":
        second = stamps_of(issue(official, product.producer, quantity=2, product=product))
        return batch, Selection(first=stamps[0].serial, last=second[1].serial), "same run"
    if case == "recalled_batch":
        services.batch_update(by=owner, batch=batch, status="recalled")
        return batch, whole, "recalled"
    if case == "unknown_code":
        from tracing.stamps import serials

        return batch, Selection(serials=(stamps[0].serial, serials.new_serial())), "not stamps issued to you"
    raise AssertionError(case)


REFUSALS = [
    "outside_its_runs",
    "already_active",
    "sold",
    "revoked",
    "more_than_the_batch_allows",
    "certificate_expired",
    "producer_suspended",
    "printed_for_another_product",
    "range_backwards",
    "range_across_runs",
    "recalled_batch",
    "unknown_code",
]


@pytest.mark.parametrize("case", REFUSALS)
def test_activation_is_refused_and_changes_nothing(
    case, official, owner, stranger, batch, run, other_producer, product, kinds
):
    target, selection, fragment = _refusal_setup(
        case,
        official=official,
        owner=owner,
        stranger=stranger,
        batch=batch,
        run=run,
        other_producer=other_producer,
        product=product,
        kinds=kinds,
    )
    before = list(Stamp.objects.order_by("pk").values_list("status", "batch_id"))

    with pytest.raises(ValidationError) as refused:
        services.stamps_activate(by=owner, batch=target, selection=selection)

    assert fragment in " ".join(refused.value.messages)
    assert list(Stamp.objects.order_by("pk").values_list("status", "batch_id")) == before


def test_the_batch_quantity_counts_in_net_weight_for_a_batch_in_kg(owner, product):
    half_kilo = services.product_update(by=owner, product=product, net_quantity=Decimal("0.5"))
    batch = services.batch_create(
        by=owner,
        product=half_kilo,
        lot_code="CAM-05",
        harvest_started_on=timezone.localdate(),
        quantity=Decimal("12.3"),
    )
    assert units_allowed(batch) == 24


@pytest.mark.parametrize("who", ["stranger", "official", "anonymous"])
def test_only_the_producers_staff_activate_onto_its_batch(who, request, batch, run):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    stamps = stamps_of(run)
    with pytest.raises(PermissionDenied):
        services.stamps_activate(
            by=user, batch=batch, selection=Selection(first=stamps[0].serial, last=stamps[1].serial)
        )
    assert set(statuses(run)) == {"issued"}


def test_the_owner_and_officials_revoke_with_a_reason_others_may_not(
    owner, official, stranger, other_producer, batch, run
):
    stamps = stamps_of(run)
    with pytest.raises(ValidationError, match="why"):
        services.stamps_revoke(by=owner, selection=Selection(serials=(stamps[0].serial,)), reason=" ")
    with pytest.raises(ValidationError):
        services.stamps_revoke(
            by=stranger, selection=Selection(serials=(stamps[0].serial,)), reason="không phải của tôi"
        )
    with pytest.raises(PermissionDenied):
        services.stamps_revoke(by=AnonymousUser(), selection=Selection(serials=(stamps[0].serial,)), reason="x")

    assert (
        services.stamps_revoke(
            by=owner, selection=Selection(first=stamps[0].serial, last=stamps[2].serial), reason="Mất cuộn tem"
        )
        == 3
    )
    assert services.stamps_revoke(by=official, selection=Selection(serials=(stamps[5].serial,)), reason="Nghi giả") == 1
    revoked = Stamp.objects.filter(status="revoked").order_by("number")
    assert [(s.number, s.revoked_by, s.revoke_reason) for s in revoked] == [
        (1, owner, "Mất cuộn tem"),
        (2, owner, "Mất cuộn tem"),
        (3, owner, "Mất cuộn tem"),
        (6, official, "Nghi giả"),
    ]
    assert StampEvent.objects.filter(run=run, action="revoked").count() == 2


def test_selling_needs_activated_stamps_of_ones_own(owner, stranger, other_producer, batch, run):
    stamps = stamps_of(run)
    activate_range(owner, batch, stamps[:2])
    with pytest.raises(ValidationError, match="Only activated"):
        services.stamps_mark_sold(by=owner, serials=[stamps[0].serial, stamps[5].serial])
    with pytest.raises(ValidationError):
        services.stamps_mark_sold(by=stranger, serials=[stamps[0].serial])
    assert services.stamps_mark_sold(by=owner, serials=[stamps[0].serial, stamps[1].serial]) == 2
    assert statuses(run)[:3] == ["sold", "sold", "issued"]


@pytest.mark.django_db(transaction=True)
def test_two_phones_activating_onto_one_small_batch_cannot_overfill_it(official, approved_producer, owner, product):
    batch = services.batch_create(
        by=owner, product=product, lot_code="CAM-DUA", harvest_started_on=timezone.localdate(), quantity=Decimal(6)
    )
    stamps = stamps_of(issue(official, approved_producer, quantity=10, product=product))
    second_phone = make_user("lan-phone2")
    from tracing.models import ProducerMembership

    ProducerMembership.objects.create(producer=approved_producer, user=second_phone)
    halves = [(owner, stamps[:5]), (second_phone, stamps[5:])]
    barrier = threading.Barrier(2)
    outcomes = []

    def activate(user, chunk):
        try:
            barrier.wait()
            outcomes.append(activate_range(user, batch, chunk))
        except ValidationError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=activate, args=half) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(str(type(o).__name__) for o in outcomes) == ["ValidationError", "int"]
    assert Stamp.objects.filter(batch=batch, status="activated").count() == 5
