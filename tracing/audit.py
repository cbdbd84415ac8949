"""The audit trail and the officials' work queue as tracing's services reach them: explicit calls made
by the service that changes the state, inside its transaction (never a signal after the fact).

Both live in oversight, the app above tracing (imports flow one way: docs/architecture.md), which plugs
them in from its AppConfig.ready(): `connect(recorder=oversight.audit.record, queue=oversight.casework)`.
A service calling them before that (oversight not installed) fails loudly rather than lose an entry.
"""

from __future__ import annotations

from typing import Protocol


class Queue(Protocol):
    """What the work queue does when a flag or a report is made or handled outside a case's own steps."""

    def open_for_flag(self, flag): ...

    def open_for_report(self, report): ...

    def flag_resolved(self, flag) -> None: ...

    def report_reviewed(self, report) -> None: ...


_recorder = None
_queue: Queue | None = None


def connect(*, recorder, queue: Queue) -> None:
    global _recorder, _queue
    _recorder, _queue = recorder, queue


def _connected():
    if _recorder is None or _queue is None:
        raise RuntimeError("The audit trail is not connected: is the oversight app installed?")


def record(*, actor, action: str, target=None, before: dict | None = None, after: dict | None = None, note: str = ""):
    """One entry of the audit trail (oversight.audit.record), in the caller's transaction."""
    _connected()
    return _recorder(actor=actor, action=action, target=target, before=before, after=after, note=note)


def queue() -> Queue:
    """The work queue (oversight.casework): open a case for a new flag or report, follow one handled directly."""
    _connected()
    return _queue
