"""The scratch PIN under concurrency: of simultaneous confirmations on real PostgreSQL connections, exactly one wins."""

import threading

import pytest
from django.db import connection

from tests.tracing.stamp_fixtures import (
    activate_range,
    issue,
    pins_of,
    product_kinds_present,  # noqa: F401  (autouse)
    stamps_of,
)
from tracing import services
from tracing.models import Stamp, StampEvent
from tracing.stamps.confirmation import PinRefused

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("contenders", [2, 6])
def test_simultaneous_confirmations_of_one_stamp_let_exactly_one_win(
    contenders, official, approved_producer, owner, batch
):
    run = issue(official, approved_producer, quantity=1)
    stamp = stamps_of(run)[0]
    activate_range(owner, batch, [stamp])
    pin = pins_of(official, run)[stamp.serial]
    barrier = threading.Barrier(contenders)
    outcomes = []
    lock = threading.Lock()

    def confirm():
        try:
            barrier.wait()
            result = services.stamp_confirm_pin(serial=stamp.serial, pin=pin)
            with lock:
                outcomes.append(("won", result.confirmed_at))
        except PinRefused as exc:
            with lock:
                outcomes.append((exc.code, None))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(code for code, _ in outcomes) == ["already_confirmed"] * (contenders - 1) + ["won"]
    stamp.refresh_from_db()
    winner_time = next(t for code, t in outcomes if code == "won")
    assert stamp.confirmed_at == winner_time and stamp.status == "sold"
    assert StampEvent.objects.filter(run=run, action="confirmed").count() == 1
    assert Stamp.objects.filter(confirmed_at__isnull=False).count() == 1
