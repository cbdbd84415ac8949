"""The participation workflow of a producer as an explicit transition map (no database here).

    applied → survey_scheduled → surveyed → approved | rejected
    approved → suspended → (reinstate) → approved
    rejected → (reapply) → applied

Each action names the statuses it may start from, the status it leads to, and who may take it:
the producer's own staff, or an official (tracing.verify_producer). Anything else is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Action(StrEnum):
    SCHEDULE_SURVEY = "schedule_survey"
    RECORD_SURVEY = "record_survey"
    APPROVE = "approve"
    REJECT = "reject"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REAPPLY = "reapply"


class Actor(StrEnum):
    STAFF = "staff"
    OFFICIAL = "official"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    actor: Actor
    label: str
    reason_required: bool


def _t(sources: set[str], target: str, actor: Actor, label, *, reason_required: bool) -> Transition:
    return Transition(frozenset(sources), target, actor, label, reason_required)


TRANSITIONS: dict[Action, Transition] = {
    Action.SCHEDULE_SURVEY: _t(
        {"applied"}, "survey_scheduled", Actor.OFFICIAL, _("survey scheduled"), reason_required=False
    ),
    Action.RECORD_SURVEY: _t(
        {"survey_scheduled"}, "surveyed", Actor.OFFICIAL, _("survey recorded"), reason_required=False
    ),
    Action.APPROVE: _t({"surveyed"}, "approved", Actor.OFFICIAL, _("approved"), reason_required=True),
    Action.REJECT: _t({"surveyed"}, "rejected", Actor.OFFICIAL, _("rejected"), reason_required=True),
    Action.SUSPEND: _t({"approved"}, "suspended", Actor.OFFICIAL, _("suspended"), reason_required=True),
    Action.REINSTATE: _t({"suspended"}, "approved", Actor.OFFICIAL, _("reinstated"), reason_required=True),
    Action.REAPPLY: _t({"rejected"}, "applied", Actor.STAFF, _("applied again"), reason_required=False),
}

#: Actions after which the producer's staff get an email.
NOTIFIED_ACTIONS = frozenset({Action.SCHEDULE_SURVEY, Action.APPROVE, Action.REJECT, Action.SUSPEND, Action.REINSTATE})


def allowed_actions(status: str) -> list[Action]:
    """The actions that may start from a status, in workflow order."""
    return [action for action, transition in TRANSITIONS.items() if status in transition.sources]
