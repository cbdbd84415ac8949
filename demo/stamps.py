"""Demo batches with their journeys, and stamp runs in every state, through tracing's services.

A batch's harvest date is the day of its harvest step ("commissioning"), and every later step
follows in order, in the past, at a real shop for the reception. Runs are issued by the official;
the producer activates ranges onto batches (some runs fully, some partly, one not at all) and
revokes damaged labels; an official revokes a range under investigation. PINs exist in clear only
when a run is issued: the demo takes the PIN list then, on the official's behalf, and returns the
PINs of the stamps it issued in this call.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from demo import province as spec
from demo.clock import Clock
from geo.models import RetailPoint
from tracing import services
from tracing.models import Batch, Producer, Product, ProductionArea, Stamp, StampRun
from tracing.stamps.selection import Selection


def _step_time(clock: Clock, batch: spec.Batch, step: spec.Step) -> datetime.datetime:
    return clock.moment(days=batch.harvest_days - step.after_days, hour=step.hour)


def batch_ensure(producer: Producer, user: User, item: spec.Batch, products: dict[str, Product], clock: Clock) -> Batch:
    """The batch and its journey, recorded on the days they happened (once)."""
    batch = Batch.objects.filter(producer=producer, lot_code=item.lot).first()
    if batch is not None:
        return batch
    product = products[item.product]
    area = ProductionArea.objects.get(producer=producer, name=item.area)
    with clock.at(days=item.harvest_days, hour=max(item.steps[0].hour - 1, 0)):
        batch = services.batch_create(
            by=user,
            product=product,
            lot_code=item.lot,
            harvest_started_on=clock.day(item.harvest_days),
            quantity=item.quantity,
            unit=item.unit or None,
            production_area=area,
        )
    shops = {s.name: s for s in RetailPoint.objects.filter(name__in=[s.shop for s in item.steps if s.shop])}
    for step in item.steps:
        when = _step_time(clock, item, step)
        with clock.at(when + datetime.timedelta(minutes=20)):
            services.batch_event_add(
                by=user,
                batch=batch,
                event_type=step.event_type,
                occurred_at=when,
                retail_point=shops[step.shop] if step.shop else None,
                actor=step.actor or (shops[step.shop].name if step.shop else producer.name),
                note=step.note,
            )
    return batch


def run_ensure(
    producer: Producer,
    user: User,
    official: User,
    item: spec.Run,
    products: dict[str, Product],
    batches: dict[str, Batch],
    clock: Clock,
) -> tuple[StampRun, dict[str, str]]:
    """The run, issued, activated and revoked as `item` says (once); (run, PINs taken now by serial)."""
    run = StampRun.objects.filter(producer=producer, note=item.note).first()
    if run is not None:
        return run, {}
    product = products[item.product] if item.product else None
    pins: dict[str, str] = {}
    with clock.at(days=item.issued_days, hour=9):
        run = services.stamps_issue(
            by=official, producer=producer, product=product, quantity=item.quantity, note=item.note
        )
        if item.take_pins:
            _name, data = services.stamp_run_pins_take(by=official, run=run)
            for line in data.decode().splitlines()[1:]:
                _number, serial, _grouped, pin = line.split(",")
                pins[serial] = pin
    numbers = dict(Stamp.objects.filter(run=run).values_list("number", "serial"))
    first = 1
    for activation in item.activations:
        last = first + activation.count - 1
        with clock.at(days=activation.days, hour=10):
            services.stamps_activate(
                by=user,
                batch=batches[activation.lot],
                selection=Selection(first=numbers[first], last=numbers[last]),
            )
        first = last + 1
    if item.revoke:
        low, high, days, reason, by_official = item.revoke
        with clock.at(days=days, hour=11):
            services.stamps_revoke(
                by=official if by_official else user,
                selection=Selection(first=numbers[low], last=numbers[high]),
                reason=reason,
                producer=None if by_official else producer,
            )
    return run, pins
