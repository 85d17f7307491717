"""The proposal's lifecycle: one table of allowed status changes, and the one function
that makes them.

Who may make a change is said in three kinds of actor: the proposal's owner, a champion
of its department, and CoE staff (reviewers and admins). Governance narrows this further
with its routing rules (which champion or reviewer handles which proposal) before it calls
``change_status``; this table is the floor nobody goes below.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from coe_portal import outbox
from coe_portal.roles import is_champion_of, is_coe_staff
from usecases.choices import OPEN_STATUSES, Status
from usecases.counts import proposals_changed
from usecases.models import UseCase, UseCaseEvent

logger = logging.getLogger(__name__)

# The outbox handler that turns an event into notifications and emails.
NOTIFY_EVENT = "usecases.notifications.notify_event"


class Actor(StrEnum):
    OWNER = "owner"
    CHAMPION = "champion"
    COE = "coe"


OWNER = frozenset({Actor.OWNER})
STAFF = frozenset({Actor.CHAMPION, Actor.COE})
OWNER_OR_COE = frozenset({Actor.OWNER, Actor.COE})


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    actors: frozenset[Actor]
    label: str
    needs_note: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, Status.SUBMITTED, OWNER, "Submit"),
    Transition(Status.SUBMITTED, Status.TRIAGE, STAFF, "Start triage"),
    Transition(Status.SUBMITTED, Status.REJECTED, STAFF, "Reject", needs_note=True),
    Transition(Status.TRIAGE, Status.IN_REVIEW, STAFF, "Accept for review"),
    Transition(Status.TRIAGE, Status.REJECTED, STAFF, "Reject", needs_note=True),
    Transition(Status.IN_REVIEW, Status.APPROVED, STAFF, "Approve"),
    Transition(
        Status.IN_REVIEW,
        Status.APPROVED_WITH_CONDITIONS,
        STAFF,
        "Approve with conditions",
        needs_note=True,
    ),
    Transition(Status.IN_REVIEW, Status.REJECTED, STAFF, "Reject", needs_note=True),
    Transition(
        Status.IN_REVIEW, Status.CHANGES_REQUESTED, STAFF, "Request changes", needs_note=True
    ),
    Transition(Status.CHANGES_REQUESTED, Status.SUBMITTED, OWNER, "Resubmit"),
    Transition(Status.APPROVED, Status.IN_PILOT, OWNER_OR_COE, "Start pilot"),
    Transition(Status.APPROVED_WITH_CONDITIONS, Status.IN_PILOT, OWNER_OR_COE, "Start pilot"),
    # Issue 4: owners move approved work to pilot and production, and retire it.
    Transition(Status.IN_PILOT, Status.IN_PRODUCTION, OWNER_OR_COE, "Move to production"),
    Transition(Status.IN_PILOT, Status.RETIRED, OWNER_OR_COE, "Retire", needs_note=True),
    Transition(Status.IN_PRODUCTION, Status.RETIRED, OWNER_OR_COE, "Retire", needs_note=True),
    *(Transition(source, Status.WITHDRAWN, OWNER, "Withdraw") for source in OPEN_STATUSES),
)
_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}

DECISIONS = frozenset(
    {Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.REJECTED, Status.CHANGES_REQUESTED}
)


class TransitionError(Exception):
    """A status change that may not happen; the message says why, for the person asking."""


class StaleChange(TransitionError):
    """Someone else changed the proposal first; nothing was changed."""


class IncompleteProposal(TransitionError):
    """Submitting with required answers missing."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__("Answer these before submitting: " + ", ".join(missing) + ".")


def actor_kinds(user, use_case: UseCase) -> frozenset[Actor]:
    """The kinds of actor ``user`` is for ``use_case``."""
    kinds = set()
    if use_case.owner_id == user.pk:
        kinds.add(Actor.OWNER)
    if is_coe_staff(user):
        kinds.add(Actor.COE)
    if is_champion_of(user, use_case.department_id):
        kinds.add(Actor.CHAMPION)
    return frozenset(kinds)


def available_transitions(user, use_case: UseCase) -> list[Transition]:
    """The changes ``user`` may make to ``use_case`` now, in table order."""
    kinds = actor_kinds(user, use_case)
    return [t for t in TRANSITIONS if t.source == use_case.status and t.actors & kinds]


def find_transition(source: str, target: str) -> Transition | None:
    return _BY_PAIR.get((source, target))


def change_status(
    use_case_id: int,
    target: Status,
    *,
    actor,
    note: str = "",
    expected_status: str | None = None,
    data: dict | None = None,
) -> UseCase:
    """Move a proposal to ``target`` on behalf of ``actor`` and record the event.

    ``expected_status`` is the status the actor saw: if the proposal has moved on since
    (two reviewers deciding at once), nothing changes and StaleChange says what happened.
    Asking for the status it already has changes nothing.
    """
    note = (note or "").strip()
    with transaction.atomic():
        proposals_changed(use_case_id)
        # Lock the row: of two people changing the same proposal, the second waits and then
        # sees the first one's status instead of overwriting it.
        use_case = UseCase.objects.select_for_update().get(pk=use_case_id)
        source = use_case.status
        if source == target:
            return use_case
        if expected_status and source != expected_status:
            raise StaleChange(
                f"This proposal is now '{use_case.get_status_display()}': someone changed it "
                "while you were looking. Nothing was changed; check its history."
            )
        transition = find_transition(source, target)
        if transition is None:
            raise TransitionError(
                f"A proposal that is '{Status(source).label}' cannot become "
                f"'{Status(target).label}'."
            )
        if not transition.actors & actor_kinds(actor, use_case):
            raise TransitionError(f"You may not '{transition.label.lower()}' this proposal.")
        if transition.needs_note and not note:
            raise TransitionError(f"Say why: '{transition.label}' needs a note.")
        if target == Status.SUBMITTED and (missing := use_case.missing_answers()):
            raise IncompleteProposal(missing)

        now = timezone.now()
        use_case.status = target
        use_case.status_changed_at = now
        use_case.version += 1
        fields = ["status", "status_changed_at", "version", "updated_at"]
        if target == Status.SUBMITTED and use_case.submitted_at is None:
            use_case.submitted_at = now
            fields.append("submitted_at")
        if target in DECISIONS:
            use_case.decided_at = now
            fields.append("decided_at")
        use_case.save(update_fields=fields)
        event = UseCaseEvent.objects.create(
            use_case=use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.TRANSITION,
            from_status=source,
            to_status=target,
            note=note,
            data=data or {},
        )
        # Recorded with the change and sent after commit: a rolled back change tells nobody,
        # and a committed one is told even when Redis is down (the outbox re-sends it).
        outbox.record(NOTIFY_EVENT, event_id=event.pk)
    return use_case
