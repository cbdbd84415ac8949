"""The log of what happened to stamps (StampEvent): one row per run and action, numbers as ranges."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tracing import access
from tracing.models import (
    StampEvent,
)


def number_ranges(numbers: Iterable[int]) -> list[list[int]]:
    """Sorted numbers as inclusive [first, last] ranges: [1, 2, 3, 7] → [[1, 3], [7, 7]]."""
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def log_event(
    *, run_id: int, action: str, actor, numbers=None, ranges=None, count: int, batch=None, reason=""
) -> StampEvent:
    return StampEvent.objects.create(
        run_id=run_id,
        action=action,
        actor=actor if access.is_authenticated(actor) else None,
        batch=batch,
        count=count,
        ranges=ranges if ranges is not None else number_ranges(numbers or ()),
        reason=reason[:300],
    )


def log_per_run(stamps: Sequence[tuple[int, int]], **kwargs) -> list[StampEvent]:
    """One log entry per run for (run_id, number) pairs."""
    by_run: dict[int, list[int]] = {}
    for run_id, number in stamps:
        by_run.setdefault(run_id, []).append(number)
    return [
        log_event(run_id=run_id, numbers=numbers, count=len(numbers), **kwargs) for run_id, numbers in by_run.items()
    ]
