"""Triage and reviews: every state change governance makes to a proposal's review.

Each change is one function with a keyword-only ``actor``; it runs in one transaction,
locks the rows it changes, writes its UseCaseEvent in the same transaction and sends mail
only after commit. Status changes go through ``usecases.lifecycle.change_status``, after
governance's own narrower rules (routing, prohibited tier) have been checked here; the
decision on a proposal in review goes through ``usecases.lifecycle.record_decision``, which
only ``_conclude_round`` calls, once every review of the round is decided. Who may decide
a review is one function, ``may_decide``, asked by the page, the API and ``decide_review``.

The outcome rule, applied when every review of the current round has decided:
any reject → rejected; else any changes requested → changes requested; else any approval
with conditions → approved with conditions; else approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from coe_portal import outbox
from coe_portal.limits import too_long
from coe_portal.models import PortalSettings
from coe_portal.roles import Role, has_role, is_champion_of, is_coe_staff
from coe_portal.subqueries import count_of
from governance.choices import (
    ConditionStatus,
    Outcome,
    ReviewerKind,
    ReviewKind,
    ReviewStatus,
    RiskTier,
)
from governance.models import (
    WAIVER_REASON_LENGTH,
    Answer,
    Condition,
    Criterion,
    RegisterEntry,
    Review,
    RiskAssessment,
    TierPolicy,
    Triage,
)
from governance.risk import assess
from governance.routing import decider_of, department_has_champion, route_use_case
from governance.sla import add_working_days
from usecases.choices import Status
from usecases.lifecycle import TransitionError, change_status, record_decision
from usecases.models import UseCase, UseCaseEvent

QUEUE_STATUSES = (Status.SUBMITTED, Status.TRIAGE, Status.IN_REVIEW)
APPROVALS = (Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS)
# Who may open the review queue (champions see their own department's part of it).
QUEUE_ROLES = (Role.COE_REVIEWER, Role.COE_ADMIN, Role.CHAMPION)

# The outbox handler that tells someone a proposal was assigned to them for triage.
EMAIL_ASSIGNMENT = "governance.tasks.email_assignment"
# The outbox handlers that tell a reviewer the reviews given to them (in the portal and by
# email), and a proposal's owner that a re-review round has opened (once a round).
NOTIFY_ASSIGNMENT = "governance.notices.notify_assignment"
NOTIFY_REREVIEW_OWNER = "governance.notices.notify_rereview_owner"


class ReviewError(TransitionError):
    """A review action that may not happen; the message says why, for the person asking."""


class StaleReview(ReviewError):
    """Someone else changed the review first; nothing was changed."""


# --- who may do what ------------------------------------------------------------------


def may_triage(user, use_case) -> bool:
    """CoE staff triage everything; champions their own department's proposals."""
    return is_coe_staff(user) or is_champion_of(user, use_case.department_id)


def may_review(user, review: Review) -> bool:
    """Whether ``user`` is of the kind ``review`` is routed to, who are given it and answer
    its criteria: CoE staff the CoE's reviews; the department's champions theirs, or CoE
    staff once the department has no champion left (routing's own fallback)."""
    if review.reviewer_kind == ReviewerKind.CHAMPION:
        department_id = review.use_case.department_id
        if is_champion_of(user, department_id):
            return True
        return is_coe_staff(user) and not department_has_champion(department_id)
    return is_coe_staff(user)


def may_decide(user, review: Review) -> bool:
    """Whether ``user`` may record ``review``'s outcome (the last of a round decides the
    proposal): the decider routing names for it (``routing.decider_of``), CoE staff or the
    department's champions. The one answer the review page, the API and ``decide_review``
    ask; e.g. under the hybrid model a champion reviews a limited-risk proposal and a CoE
    reviewer decides it."""
    if review.reviewer_kind != ReviewerKind.CHAMPION:
        return is_coe_staff(user)
    department_id = review.use_case.department_id
    champion, staff = is_champion_of(user, department_id), is_coe_staff(user)
    if not (champion or staff):
        return False
    decider = decider_of(
        review,
        current_tier(review.use_case_id),
        department_has_champion=department_has_champion(department_id),
    )
    return champion if decider == ReviewerKind.CHAMPION else staff


def may_answer(user, review: Review) -> bool:
    """Whether ``user`` may work on ``review`` (open its form, save answers, give it to a
    colleague): those it is routed to, and its decider, who completes what it decides on."""
    return may_review(user, review) or may_decide(user, review)


def why_not_decider(review: Review) -> str:
    """What a person who may not decide ``review`` is told (page, API and logic alike)."""
    if review.reviewer_kind == ReviewerKind.CHAMPION:
        return (
            "CoE reviewers decide this review: the department's champion reviews it and the "
            f"CoE records the decision ({review.operating_model} operating model, "
            f"{RiskTier(current_tier(review.use_case_id)).label.lower()} risk). Save your "
            "answers without choosing a decision. Nothing was changed."
        )
    return "This review is not routed to you."


def current_tier(use_case_id: int) -> str:
    """The proposal's effective risk tier; limited until it has been assessed."""
    tier = (
        RiskAssessment.objects.filter(use_case_id=use_case_id)
        .values_list("tier", flat=True)
        .first()
    )
    return tier or RiskTier.LIMITED


def queue_for(user):
    """The proposals in ``user``'s review queue: new and in-review ones they are responsible
    for, and register entries with a re-review open. Champions: their department's
    proposals waiting for triage, and the ones with a review routed to champions."""
    visible = UseCase.objects.visible_to(user)
    # The ids are fetched first (few: open reviews of one kind, from an index): as a
    # subquery inside the OR, PostgreSQL could serve the OR with no index and read every
    # proposal; as a list it combines the status index with the primary key.
    if is_coe_staff(user):
        open_rereviews = set(
            Review.objects.filter(kind=ReviewKind.RE_REVIEW, status=ReviewStatus.OPEN)
            .order_by()
            .values_list("use_case_id", flat=True)
        )
        return visible.filter(Q(status__in=QUEUE_STATUSES) | Q(pk__in=open_rereviews))
    if has_role(user, Role.CHAMPION) and user.department_id:
        routed_to_champions = set(
            Review.objects.filter(
                reviewer_kind=ReviewerKind.CHAMPION,
                status=ReviewStatus.OPEN,
                use_case__department_id=user.department_id,
            )
            .order_by()
            .values_list("use_case_id", flat=True)
        )
        return visible.filter(department_id=user.department_id).filter(
            Q(status__in=(Status.SUBMITTED, Status.TRIAGE)) | Q(pk__in=routed_to_champions)
        )
    return visible.none()


def open_review_figures() -> dict:
    """Annotations for the queue: how many reviews of a proposal are open and when the
    oldest opened. Correlated subqueries rather than a join with COUNT: PostgreSQL then works
    them out only for the page of rows shown, and the page's count needs no GROUP BY."""
    open_reviews = Review.objects.filter(use_case=OuterRef("pk"), status=ReviewStatus.OPEN)
    return {
        "open_reviews": count_of(open_reviews, "use_case"),
        "review_opened": Subquery(open_reviews.order_by("opened_at").values("opened_at")[:1]),
    }


def get_use_case_for_user(user, pk: int, *, write: bool = False) -> UseCase:
    """A proposal for governance pages: 404 when invisible, 403 when ``write`` and the user
    may not triage it."""
    use_case = (
        UseCase.objects.visible_to(user).select_related("department", "owner", "platform")
    ).filter(pk=pk)
    use_case = use_case.first()
    if use_case is None:
        raise Http404("No such proposal.")
    if write and not may_triage(user, use_case):
        raise PermissionDenied("You do not triage this proposal.")
    return use_case


def get_review_for_user(user, pk: int, *, write: bool = False) -> Review:
    """A review: 404 when its proposal is invisible, 403 when ``write`` and the user may not
    answer it."""
    review = (
        Review.objects.visible_to(user)
        .select_related("use_case__department", "use_case__owner", "assignee", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    if write and not may_answer(user, review):
        raise PermissionDenied("This review is not routed to you.")
    return review


# --- triage ---------------------------------------------------------------------------


def assign(use_case_id: int, assignee, *, actor) -> Triage:
    """Give a proposal in the queue to ``assignee`` (the actor, or a colleague who may
    triage it). Picking up a submitted proposal starts its triage."""
    with transaction.atomic():
        use_case = UseCase.objects.select_for_update().get(pk=use_case_id)
        if not may_triage(actor, use_case):
            raise ReviewError("You do not triage this proposal.")
        if not may_triage(assignee, use_case):
            raise ReviewError(f"{assignee} does not triage {use_case.department}'s proposals.")
        triage, _ = Triage.objects.select_for_update().get_or_create(use_case=use_case)
        if triage.assignee_id == assignee.pk:
            return triage
        previous = triage.assignee
        triage.assignee = assignee
        triage.assigned_at = timezone.now()
        triage.save()
        UseCaseEvent.objects.create(
            use_case=use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.ASSIGNMENT,
            note=f"Assigned to {assignee}" + (f" (was {previous})" if previous else ""),
            data={"assignee": assignee.pk},
        )
        if use_case.status == Status.SUBMITTED:
            change_status(use_case.pk, Status.TRIAGE, actor=actor, expected_status=Status.SUBMITTED)
        assess(use_case.pk, actor=actor)
        if assignee.pk != actor.pk and assignee.email:
            outbox.record(
                EMAIL_ASSIGNMENT, use_case_id=use_case_id, assignee_id=assignee.pk, review_id=None
            )
    return triage


def accept_for_review(use_case_id: int, *, actor, expected_status: str | None = None) -> UseCase:
    """Accept a proposal for review: assess its risk, open the reviews routing asks for
    (or reopen those that requested changes, when the owner has resubmitted) and move it
    to 'in review'."""
    with transaction.atomic():
        use_case = UseCase.objects.select_for_update().get(pk=use_case_id)
        if not may_triage(actor, use_case):
            raise ReviewError("You do not triage this proposal.")
        if expected_status and use_case.status != expected_status:
            raise StaleReview(
                f"This proposal is now '{use_case.get_status_display()}': someone changed it "
                "while you were looking. Nothing was changed."
            )
        if use_case.status == Status.SUBMITTED:
            # A step on the way to "in review", recorded but not announced: the owner hears
            # of the one change they see, once (issue 18).
            change_status(use_case.pk, Status.TRIAGE, actor=actor, notify=False)
        assessment = assess(use_case.pk, actor=actor)
        change_status(
            use_case.pk, Status.IN_REVIEW, actor=actor, expected_status=Status.TRIAGE,
            note="Accepted for review",
        )  # fmt: skip
        reopened = _reopen_changes_requested(use_case, actor=actor)
        if not reopened and not use_case.reviews.filter(kind=ReviewKind.INITIAL).exists():
            open_reviews(use_case, assessment.tier, actor=actor, kind=ReviewKind.INITIAL)
    return UseCase.objects.get(pk=use_case_id)


def reject_out_of_scope(
    use_case_id: int, *, actor, note: str, expected_status: str | None = None
) -> UseCase:
    """Reject a new proposal as out of the CoE's scope; the note says why."""
    with transaction.atomic():
        use_case = UseCase.objects.select_for_update().get(pk=use_case_id)
        if not may_triage(actor, use_case):
            raise ReviewError("You do not triage this proposal.")
        if use_case.status not in (Status.SUBMITTED, Status.TRIAGE):
            raise StaleReview(
                f"This proposal is now '{use_case.get_status_display()}'; triage is over."
            )
        return change_status(
            use_case.pk, Status.REJECTED, actor=actor, note=f"Out of scope: {note}".strip()
            if note.strip() else "", expected_status=expected_status,
        )  # fmt: skip


def open_reviews(use_case, tier: str, *, actor, kind: str, round_no: int | None = None) -> list:
    """Open a round: one review per routed area, each with the current criteria copied in,
    given to a reviewer (``choose_assignees``) who is told in the portal and by email. A
    re-review round also tells the proposal's owner, once for the round. The same for a
    first review (``actor`` accepted the proposal) and a re-review (``actor`` is None when
    the schedule opens it)."""
    operating_model, routes = route_use_case(use_case, tier)
    if round_no is None:
        round_no = (use_case.reviews.aggregate(m=Max("round"))["m"] or 0) + 1
    sla_days = PortalSettings.load().review_sla_days
    due = add_working_days(timezone.localdate(), sla_days)
    criteria = list(Criterion.objects.filter(active=True, area__in=[r.area for r in routes]))
    created = []
    for r in routes:
        review, made = Review.objects.get_or_create(
            use_case=use_case,
            round=round_no,
            area=r.area,
            defaults={
                "kind": kind,
                "reviewer_kind": r.reviewer,
                "operating_model": operating_model,
                "due_on": due,
            },
        )
        if not made:
            continue
        Answer.objects.bulk_create(
            Answer(
                review=review,
                criterion=c,
                criterion_code=c.code,
                criterion_text=c.text,
                clauses=c.clauses[:250],
                position=i,
            )
            for i, c in enumerate(x for x in criteria if x.area == r.area)
        )
        created.append(review)
    if not created:
        return created
    opened = UseCaseEvent.objects.create(
        use_case=use_case,
        actor=actor,
        kind=UseCaseEvent.Kind.REVIEW,
        note=f"{ReviewKind(kind).label} opened: "
        + ", ".join(
            f"{rv.get_area_display()} ({rv.get_reviewer_kind_display()})" for rv in created
        ),
        data={"round": round_no, "areas": [rv.area for rv in created]},
    )
    chosen = choose_assignees(use_case, created, actor=actor)
    by_person: dict[int, list[Review]] = {}
    people = {}
    for review in created:
        person = chosen.get(review.pk)
        if person is not None:
            by_person.setdefault(person.pk, []).append(review)
            people[person.pk] = person
    for pk, given in by_person.items():
        _give(use_case, given, people[pk], actor=actor)
    if kind == ReviewKind.RE_REVIEW:
        outbox.record(NOTIFY_REREVIEW_OWNER, event_id=opened.pk)
    return created


def eligible_reviewers(use_case, reviewer_kind: str) -> list:
    """The people a review of ``use_case`` routed to ``reviewer_kind`` may be given to, as
    one query (``may_review``'s rule): the department's active champions; with none, or
    for the CoE's reviews, the CoE's reviewers (its admins where it has no reviewer)."""
    from coe_portal.models import User

    active = User.objects.filter(is_active=True).order_by("pk")
    if reviewer_kind == ReviewerKind.CHAMPION and use_case.department_id:
        champions = list(
            active.filter(department_id=use_case.department_id, groups__name=Role.CHAMPION)
        )
        if champions:
            return champions
    return list(active.filter(groups__name=Role.COE_REVIEWER)) or list(
        active.filter(groups__name=Role.COE_ADMIN)
    )


def choose_assignees(use_case, opened: list[Review], *, actor=None) -> dict[int, object]:
    """Who each review of a newly opened round is given to (review id → person, or absent
    when nobody may review it), in this order of preference:

    1. whoever had the same area in the proposal's previous round (decided it, or was given
       it), if they may still review it: a re-review goes back to the people who know it;
    2. ``actor``, the person who accepted the proposal for review, if they may review it;
    3. of ``eligible_reviewers``, the one with the fewest open reviews (then the oldest
       account), counting those given out in this round.
    """
    from coe_portal.models import User

    if not opened:
        return {}
    round_no = opened[0].round
    previous: dict[str, int] = {}
    earlier = (
        Review.objects.filter(use_case=use_case, round__lt=round_no)
        .order_by("-round")
        .values_list("area", "decided_by_id", "assignee_id")
    )
    for area, decided_by_id, assignee_id in earlier:
        if area not in previous and (decided_by_id or assignee_id):
            previous[area] = decided_by_id or assignee_id
    earlier_people = User.objects.filter(pk__in=set(previous.values()), is_active=True)
    known = {p.pk: p for p in earlier_people}
    pools: dict[str, list] = {}
    load: dict[int, int] = {}
    chosen = {}
    for review in opened:
        person = known.get(previous.get(review.area))
        if person is None or not may_review(person, review):
            person = actor if actor is not None and may_review(actor, review) else None
        if person is None:
            if review.reviewer_kind not in pools:
                pool = eligible_reviewers(use_case, review.reviewer_kind)
                pools[review.reviewer_kind] = pool
                for row in (
                    Review.objects.filter(
                        status=ReviewStatus.OPEN, assignee_id__in=[p.pk for p in pool]
                    )
                    .values("assignee_id")
                    .annotate(n=Count("pk"))
                    .order_by()
                ):
                    load[row["assignee_id"]] = row["n"]
            pool = pools[review.reviewer_kind]
            person = min(pool, key=lambda p: (load.get(p.pk, 0), p.pk)) if pool else None
        if person is not None:
            load[person.pk] = load.get(person.pk, 0) + 1
            chosen[review.pk] = person
    return chosen


def _give(use_case, given: list[Review], assignee, *, actor) -> None:
    """Give ``given`` (reviews of one round of ``use_case``) to ``assignee``: one event, and
    one notice for them in the portal and by email unless they gave it to themselves. The
    caller holds the lock on the reviews and has checked who may have them."""
    for review in given:
        review.assignee = assignee
        review.version += 1
        review.save(update_fields=["assignee", "version"])
    areas = ", ".join(r.get_area_display() for r in given)
    noun = ("re-review" if given[0].kind == ReviewKind.RE_REVIEW else "review") + (
        "s" if len(given) > 1 else ""
    )
    event = UseCaseEvent.objects.create(
        use_case=use_case,
        actor=actor,
        kind=UseCaseEvent.Kind.ASSIGNMENT,
        note=f"{areas} {noun} assigned to {assignee}",
        data={
            "review": given[0].pk,
            "reviews": [r.pk for r in given],
            "round": given[0].round,
            "assignee": assignee.pk,
        },
    )
    if actor is None or assignee.pk != actor.pk:
        outbox.record(NOTIFY_ASSIGNMENT, event_id=event.pk, assignee_id=assignee.pk)


def _reopen_changes_requested(use_case, *, actor) -> list[Review]:
    reviews = list(
        Review.objects.select_for_update().filter(
            use_case=use_case, outcome=Outcome.REQUEST_CHANGES, status=ReviewStatus.DECIDED
        )
    )
    for review in reviews:
        review.status = ReviewStatus.OPEN
        review.outcome = ""
        review.version += 1
        # The SLA clock starts again: the time the owner spent on the changes is not the
        # reviewer's (governance.sla).
        review.opened_at = timezone.now()
        review.due_on = add_working_days(
            timezone.localdate(), PortalSettings.load().review_sla_days
        )
        review.save()
    if reviews:
        UseCaseEvent.objects.create(
            use_case=use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.REVIEW,
            note="Resubmitted: reopened " + ", ".join(r.get_area_display() for r in reviews),
        )
    return reviews


def assign_review(review_id: int, assignee, *, actor) -> Review:
    """Give one review to a person of the kind it is routed to (``may_review``); they are
    told as when a round opens (``_give``)."""
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("use_case").get(pk=review_id)
        if not may_answer(actor, review):
            raise ReviewError("This review is not routed to you.")
        if not may_review(assignee, review):
            raise ReviewError(f"{assignee} may not answer this review.")
        if review.assignee_id == assignee.pk:
            return review
        _give(review.use_case, [review], assignee, actor=actor)
    return review


# --- answering and deciding ------------------------------------------------------------


@dataclass
class ConditionInput:
    text: str
    owner: object
    due_on: date


def save_answers(review_id: int, answers: dict[int, dict], *, actor, expected_version: int):
    """Save answers without deciding (a reviewer's work in progress)."""
    with transaction.atomic():
        review = _lock_open_review(review_id, actor=actor, expected_version=expected_version)
        _write_answers(review, answers)
        review.version += 1
        review.save(update_fields=["version"])
    return review


def decide_review(
    review_id: int,
    *,
    actor,
    outcome: str,
    rationale: str,
    answers: dict[int, dict] | None = None,
    conditions: list[ConditionInput] | None = None,
    expected_version: int,
) -> Review:
    """Record an area's decision, and when it is the round's last, the proposal's outcome.
    Only the review's decider (``may_decide``) records it; the others it is routed to may
    save answers (``save_answers``).

    Two reviewers deciding at once: the proposal row is locked first, so the second waits,
    then finds the review decided (or the proposal moved on) and gets StaleReview or
    StaleChange; their whole change is rolled back.
    """
    rationale = (rationale or "").strip()
    conditions = conditions or []
    if not rationale:
        raise ReviewError("Give the rationale for your decision.")
    if outcome not in Outcome.values:
        raise ReviewError("Choose a decision.")
    if outcome == Outcome.APPROVE_WITH_CONDITIONS and not conditions:
        raise ReviewError("Approving with conditions needs at least one condition.")
    if outcome != Outcome.APPROVE_WITH_CONDITIONS and conditions:
        raise ReviewError("Conditions go with 'approve with conditions' only.")
    with transaction.atomic():
        # Lock the proposal before the review: deciders of different areas of the same
        # proposal then take turns, so the last one always sees the others' decisions.
        use_case = UseCase.objects.select_for_update().get(
            pk=Review.objects.values("use_case_id").get(pk=review_id)["use_case_id"]
        )
        review = _lock_open_review(
            review_id, actor=actor, expected_version=expected_version, deciding=True
        )
        if review.kind == ReviewKind.INITIAL and use_case.status != Status.IN_REVIEW:
            raise StaleReview(
                f"This proposal is now '{use_case.get_status_display()}', no longer in review: "
                "its reviews cannot be decided. Nothing was changed."
            )
        if answers:
            _write_answers(review, answers)
        if outcome in APPROVALS:
            _refuse_if_prohibited(use_case)
            unanswered = review.answers.filter(result="").count()
            if unanswered:
                raise ReviewError(f"Answer every criterion before approving ({unanswered} left).")
        now = timezone.now()
        review.status = ReviewStatus.DECIDED
        review.outcome = outcome
        review.rationale = rationale
        review.decided_by = actor
        review.decided_at = now
        review.version += 1
        review.save()
        for c in conditions:
            Condition.objects.create(
                use_case=use_case, review=review, text=c.text, owner=c.owner, due_on=c.due_on
            )
        UseCaseEvent.objects.create(
            use_case=use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.REVIEW,
            note=f"{review.get_area_display()}: {Outcome(outcome).label}. {rationale}",
            note_audience=UseCaseEvent.NoteAudience.GOVERNANCE,
            data={"review": review.pk, "outcome": outcome, "conditions": len(conditions)},
        )
        _conclude_round(use_case, review, actor=actor)
    return review


def outcome_of(outcomes: list[str]) -> Status:
    """The proposal's outcome from its reviews' outcomes (the rule in the module doc)."""
    if Outcome.REJECT in outcomes:
        return Status.REJECTED
    if Outcome.REQUEST_CHANGES in outcomes:
        return Status.CHANGES_REQUESTED
    if Outcome.APPROVE_WITH_CONDITIONS in outcomes:
        return Status.APPROVED_WITH_CONDITIONS
    return Status.APPROVED


def _refuse_if_prohibited(use_case) -> None:
    tier = RiskAssessment.objects.filter(use_case=use_case).values_list("tier", flat=True).first()
    if tier == RiskTier.PROHIBITED:
        raise ReviewError(
            "A proposal in the prohibited risk tier cannot be approved: reject it, or request "
            "changes if a different design could lower its tier."
        )


def _conclude_round(use_case, review: Review, *, actor) -> None:
    """When ``review`` was the last open one of its round, decide the proposal from the
    round's outcomes (the proposal row is locked by the caller). The one caller of
    ``record_decision``."""
    round_reviews = list(Review.objects.filter(use_case=use_case, round=review.round))
    if any(r.status == ReviewStatus.OPEN for r in round_reviews):
        return
    target = outcome_of([r.outcome for r in round_reviews])
    if review.kind == ReviewKind.RE_REVIEW:
        _conclude_rereview(use_case, target, actor=actor)
        return
    if target in (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS):
        # Checked again for the round as a whole: the tier may have been raised to prohibited
        # after the other areas approved.
        _refuse_if_prohibited(use_case)
    summary = "\n".join(
        f"{r.get_area_display()}: {r.get_outcome_display()}: {r.rationale}" for r in round_reviews
    )
    record_decision(
        use_case.pk,
        target,
        actor=actor,
        note=summary,
        reviews=[r.pk for r in round_reviews],
        expected_status=Status.IN_REVIEW,
    )
    if target in (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS):
        RegisterEntry.objects.update_or_create(
            use_case=use_case,
            defaults={
                "next_review_on": next_review_date(use_case.pk),
                "last_reviewed_on": timezone.localdate(),
                "rereview_open": False,
            },
        )


def _conclude_rereview(use_case, target: Status, *, actor) -> None:
    entry = RegisterEntry.objects.select_for_update().get(use_case=use_case)
    entry.rereview_open = False
    entry.last_reviewed_on = timezone.localdate()
    entry.next_review_on = next_review_date(use_case.pk)
    entry.save()
    UseCaseEvent.objects.create(
        use_case=use_case,
        actor=actor,
        kind=UseCaseEvent.Kind.REVIEW,
        note=f"Re-review concluded: {target.label}. Next re-review {entry.next_review_on}.",
        note_audience=UseCaseEvent.NoteAudience.GOVERNANCE,
        data={"outcome": target},
    )


def next_review_date(use_case_id: int) -> date:
    tier = current_tier(use_case_id)
    days = TierPolicy.objects.filter(tier=tier).values_list("rereview_after_days", flat=True)
    return timezone.localdate() + timedelta(days=days.first() or 365)


def _lock_open_review(
    review_id: int, *, actor, expected_version: int, deciding: bool = False
) -> Review:
    review = Review.objects.select_for_update().select_related("use_case").get(pk=review_id)
    if not may_answer(actor, review):
        raise ReviewError("This review is not routed to you.")
    if deciding and not may_decide(actor, review):
        raise ReviewError(why_not_decider(review))
    if review.status != ReviewStatus.OPEN:
        who = f" by {review.decided_by}" if review.decided_by_id else ""
        raise StaleReview(
            f"This review was already decided{who} ({review.get_outcome_display()}) while you "
            "were working on it. Nothing was changed."
        )
    if expected_version and review.version != expected_version:
        raise StaleReview(
            "Someone else changed this review while you were working on it. Nothing was "
            "changed; reload to see their changes."
        )
    return review


def _write_answers(review: Review, answers: dict[int, dict]) -> None:
    by_id = {a.pk: a for a in review.answers.all()}
    changed = []
    for answer_id, values in answers.items():
        answer = by_id.get(int(answer_id))
        if answer is None:
            continue
        answer.result = values.get("result", "") or ""
        answer.note = (values.get("note") or "").strip()
        answer.evidence = (values.get("evidence") or "").strip()
        if values.get("evidence_file"):
            answer.evidence_file = values["evidence_file"]
            answer.save(update_fields=["evidence_file"])  # saving stores the file
        changed.append(answer)
    Answer.objects.bulk_update(changed, ["result", "note", "evidence"])


# --- conditions -------------------------------------------------------------------------


def may_update_condition(user, condition: Condition) -> bool:
    return (
        is_coe_staff(user)
        or condition.owner_id == user.pk
        or condition.use_case.owner_id == user.pk
    )


def mark_condition_met(condition_id: int, *, actor) -> Condition:
    """Tick off a condition: its owner, the proposal's owner or CoE staff."""
    with transaction.atomic():
        condition = (
            Condition.objects.select_for_update().select_related("use_case").get(pk=condition_id)
        )
        if not may_update_condition(actor, condition):
            raise ReviewError("You may not update this condition.")
        if condition.status != ConditionStatus.OPEN:  # met already, or waived
            return condition
        condition.status = ConditionStatus.MET
        condition.met_at = timezone.now()
        condition.met_by = actor
        condition.save()
        UseCaseEvent.objects.create(
            use_case=condition.use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.REVIEW,
            note=f"Condition met: {condition.text}",
            note_audience=UseCaseEvent.NoteAudience.GOVERNANCE,
            data={"condition": condition.pk},
        )
    return condition


def may_waive_condition(user, condition: Condition) -> bool:
    """Only CoE reviewers and admins waive a condition: it lets the proposal past the gate
    its approval set (usecases.lifecycle.conditions_gate) without the condition being met."""
    return is_coe_staff(user)


def waive_condition(condition_id: int, *, actor, reason: str) -> Condition:
    """Waive an open condition with a reason, kept on the condition and in the proposal's
    history for the readers of its governance reasoning. Waiving a condition no longer
    open (met, or waived by someone a moment before: a double submit) changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Say why the condition is waived.")
    if len(reason) > WAIVER_REASON_LENGTH:
        raise ReviewError(too_long(reason, WAIVER_REASON_LENGTH))
    with transaction.atomic():
        condition = (
            Condition.objects.select_for_update().select_related("use_case").get(pk=condition_id)
        )
        if not may_waive_condition(actor, condition):
            raise ReviewError("Only CoE reviewers waive a condition.")
        if condition.status != ConditionStatus.OPEN:
            return condition
        condition.status = ConditionStatus.WAIVED
        condition.waived_at = timezone.now()
        condition.waived_by = actor
        condition.waiver_reason = reason
        condition.save()
        UseCaseEvent.objects.create(
            use_case=condition.use_case,
            actor=actor,
            kind=UseCaseEvent.Kind.REVIEW,
            note=f"Condition waived: {condition.text}\nReason: {reason}",
            note_audience=UseCaseEvent.NoteAudience.GOVERNANCE,
            data={"condition": condition.pk, "waived": True},
        )
    return condition
