"""The proposal's lifecycle: one table of allowed status changes, and the one function
that makes them.

Who may make a change is said in three kinds of actor: the proposal's owner, a champion
of its department, and CoE staff (reviewers and admins). Governance narrows this further
with its routing rules (which champion or reviewer handles which proposal) before it calls
``change_status``; this table is the floor nobody goes below.

The decisions on a proposal in review (approve, approve with conditions, reject, request
changes) belong to a fourth kind, the review itself, which no person is: the table offers
them to nobody, ``change_status`` refuses them, and only governance's decision on the
reviews makes them, through ``record_decision`` (DESIGN.md: "Decisions are made only on
reviews"). Rejecting at triage (out of scope, a duplicate) stays a direct staff action.

One rule beside the table: an approval's conditions gate the next stages. Starting the pilot
and moving to production are refused while any condition is open, until each is met or a
CoE reviewer waives it with a reason (``conditions_gate``).
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
from usecases.models import UseCase, UseCaseEvent

logger = logging.getLogger(__name__)

# The outbox handler that turns an event into notifications and emails.
NOTIFY_EVENT = "usecases.notifications.notify_event"


class Actor(StrEnum):
    OWNER = "owner"
    CHAMPION = "champion"
    COE = "coe"
    # Governance's decision on the reviews (governance.reviews); ``actor_kinds`` never
    # gives it to a person.
    REVIEW = "review"


OWNER = frozenset({Actor.OWNER})
STAFF = frozenset({Actor.CHAMPION, Actor.COE})
OWNER_OR_COE = frozenset({Actor.OWNER, Actor.COE})
BY_REVIEW = frozenset({Actor.REVIEW})


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    actors: frozenset[Actor]
    label: str
    needs_note: bool = False

    @property
    def by_review(self) -> bool:
        """Made only by governance's decision on the reviews (``record_decision``)."""
        return Actor.REVIEW in self.actors


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, Status.SUBMITTED, OWNER, "Submit"),
    Transition(Status.SUBMITTED, Status.TRIAGE, STAFF, "Start triage"),
    Transition(Status.SUBMITTED, Status.REJECTED, STAFF, "Reject", needs_note=True),
    Transition(Status.TRIAGE, Status.IN_REVIEW, STAFF, "Accept for review"),
    Transition(Status.TRIAGE, Status.REJECTED, STAFF, "Reject", needs_note=True),
    # Issue 15: decided on the reviews only, never by a person directly.
    Transition(Status.IN_REVIEW, Status.APPROVED, BY_REVIEW, "Approve", needs_note=True),
    Transition(
        Status.IN_REVIEW,
        Status.APPROVED_WITH_CONDITIONS,
        BY_REVIEW,
        "Approve with conditions",
        needs_note=True,
    ),
    Transition(Status.IN_REVIEW, Status.REJECTED, BY_REVIEW, "Reject", needs_note=True),
    Transition(
        Status.IN_REVIEW, Status.CHANGES_REQUESTED, BY_REVIEW, "Request changes", needs_note=True
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
# The stages an approval's conditions hold back (issue 18), with the step's name: a proposal
# starts its pilot, and moves to production, only once every condition is met or waived.
GATED_BY_CONDITIONS = {
    Status.IN_PILOT: "Start pilot",
    Status.IN_PRODUCTION: "Move to production",
}


class TransitionError(Exception):
    """A status change that may not happen; the message says why, for the person asking."""


class StaleChange(TransitionError):
    """Someone else changed the proposal first; nothing was changed."""


class DecidedOnReviews(TransitionError):
    """A decision asked for directly: decisions are made on the proposal's reviews."""

    def __init__(self, use_case_id: int):
        self.use_case_id = use_case_id
        super().__init__(
            "Decisions are made on the reviews, not here: open the proposal's governance page "
            "(“Governance details and risk”), decide each review routed to you there, and the "
            "proposal is decided when its last review is. Nothing was changed."
        )


class ConditionsOpen(TransitionError):
    """Starting the pilot or moving to production while a condition of the approval is
    still open (neither met nor waived). ``conditions`` are the open ones."""

    def __init__(self, target: Status, conditions: list):
        self.target = target
        self.conditions = conditions
        listed = "; ".join(f"“{_shortened(c.text)}” (due {c.due_on:%d %b %Y})" for c in conditions)
        # Why the step waits: shown beside its disabled button; a refused attempt adds
        # that nothing was changed.
        self.reason = (
            f"'{GATED_BY_CONDITIONS[target]}' waits for the conditions of the approval: "
            f"{len(conditions)} still open: {listed}. Mark each met, or ask a CoE reviewer "
            "to waive it with a reason, on the proposal's governance page."
        )
        super().__init__(f"{self.reason} Nothing was changed.")


def _shortened(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    """The changes ``user`` may make to ``use_case`` now, in table order: never a decision
    on a proposal in review, which is made on its reviews."""
    kinds = actor_kinds(user, use_case)
    return [t for t in TRANSITIONS if t.source == use_case.status and t.actors & kinds]


def find_transition(source: str, target: str) -> Transition | None:
    return _BY_PAIR.get((source, target))


def conditions_gate(use_case: UseCase, target: str) -> ConditionsOpen | None:
    """The refusal of moving ``use_case`` to ``target`` while a condition of its approval
    is open, or None when nothing holds it back: the one rule ``change_status`` enforces
    and every surface shows (the proposal page's disabled button, the go-live page, the
    API's 409). Governance owns the conditions and what "open" means
    (``ConditionQuerySet.open``); the lifecycle reaches them through the reverse relation,
    as usecases never imports governance."""
    if target not in GATED_BY_CONDITIONS:
        return None
    still_open = list(use_case.conditions.open().order_by("due_on", "id"))
    return ConditionsOpen(Status(target), still_open) if still_open else None


def transition_refusals(use_case: UseCase, transitions: list[Transition]) -> dict[str, str]:
    """Of ``transitions`` (those the person may make), why each that may not be made now is
    refused, by target: what a page shows beside its disabled button."""
    refusals = {}
    for t in transitions:
        if refusal := conditions_gate(use_case, t.target):
            refusals[t.target] = refusal.reason
    return refusals


def change_status(
    use_case_id: int,
    target: Status,
    *,
    actor,
    note: str = "",
    expected_status: str | None = None,
    data: dict | None = None,
    notify: bool = True,
) -> UseCase:
    """Move a proposal to ``target`` on behalf of ``actor`` and record the event.

    ``expected_status`` is the status the actor saw: if the proposal has moved on since
    (two reviewers deciding at once), nothing changes and StaleChange says what happened.
    Asking for the status it already has changes nothing. A decision on a proposal in
    review is refused with DecidedOnReviews: it is made on the reviews (``record_decision``).
    Starting the pilot or moving to production with a condition open is refused with
    ConditionsOpen (``conditions_gate``). ``notify=False`` records the event without telling
    the owner and followers: for a step on the way to the change one request makes (triage
    on the way to "in review"), so that they hear of that change once.
    """
    return _move(
        use_case_id, target, actor=actor, note=note, expected_status=expected_status,
        data=data, by_review=False, notify=notify,
    )  # fmt: skip


def record_decision(
    use_case_id: int,
    target: Status,
    *,
    actor,
    note: str,
    reviews: list[int],
    expected_status: str = Status.IN_REVIEW,
) -> UseCase:
    """Governance's decision on a proposal in review, the one way to a decision state.

    Called only by governance when the last review of a round is decided, after it has
    checked what the lifecycle cannot see: the routing (who decides each review), that every
    review of the round is decided, their criteria answered and the risk tier. ``reviews``
    are the decided reviews the outcome comes from; the event keeps them.
    """
    if not reviews:
        raise TransitionError("A decision needs the decided reviews it comes from.")
    return _move(
        use_case_id, target, actor=actor, note=note, expected_status=expected_status,
        data={"reviews": list(reviews)}, by_review=True,
    )  # fmt: skip


def _move(
    use_case_id: int,
    target: Status,
    *,
    actor,
    note: str,
    expected_status: str | None,
    data: dict | None,
    by_review: bool,
    notify: bool = True,
) -> UseCase:
    note = (note or "").strip()
    with transaction.atomic():
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
        if transition.by_review and not by_review:
            raise DecidedOnReviews(use_case.pk)
        if by_review and not transition.by_review:
            raise TransitionError(
                f"'{transition.label}' is not a decision on reviews; use change_status."
            )
        # A decision's actor is the last reviewer, whose routing governance has checked.
        if not by_review and not transition.actors & actor_kinds(actor, use_case):
            raise TransitionError(f"You may not '{transition.label.lower()}' this proposal.")
        if transition.needs_note and not note:
            raise TransitionError(f"Say why: '{transition.label}' needs a note.")
        # After the actor check: only those who may make the change learn the conditions.
        if refusal := conditions_gate(use_case, target):
            raise refusal
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
            # A decision's note is its reviews' reasoning: for governance readers only.
            note_audience=UseCaseEvent.NoteAudience.GOVERNANCE
            if by_review
            else UseCaseEvent.NoteAudience.EVERYONE,
            data=data or {},
        )
        # Recorded with the change and sent after commit: a rolled back change tells nobody,
        # and a committed one is told even when Redis is down (the outbox re-sends it).
        if notify:
            outbox.record(NOTIFY_EVENT, event_id=event.pk)
    return use_case
