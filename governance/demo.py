"""Demo data for governance, for whatever proposals the intake demo created.

The intake's curated proposals whose path goes through a decision wait in review: they are
decided here the way a reviewer would, through their reviews (``governance.reviews``), and
then taken on to pilot, production or retirement. For every other proposal past submission
it adds what its status implies: a risk assessment, triage assignments, reviews with answers
(open, decided, requested changes), decisions, conditions (open and met) and register
entries with re-review dates, some overdue. The policy pack and tier policy come from
migrations. Safe to run twice: a proposal that already has a risk assessment is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from coe_portal.models import PortalSettings, User
from governance.choices import Outcome, ReviewerKind, ReviewKind, ReviewStatus
from governance.models import (
    Answer,
    Condition,
    Criterion,
    GovernanceSettings,
    RegisterEntry,
    Review,
    RiskAssessment,
    Triage,
)
from governance.reviews import (
    ConditionInput,
    add_working_days,
    decide_review,
    may_decide,
    next_review_date,
    open_reviews,
)
from governance.risk import assess, nist_flags, suggest_tier
from governance.routing import department_has_champion, required_areas_for, route
from governance.sla import start_of
from usecases import demo as intake_demo
from usecases.choices import LIVE_STATUSES, Status
from usecases.lifecycle import change_status
from usecases.models import UseCase

REVIEWED = {
    Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED, Status.APPROVED_WITH_CONDITIONS,
    Status.IN_PILOT, Status.IN_PRODUCTION, Status.RETIRED, Status.REJECTED,
}  # fmt: skip
RATIONALE = {
    Outcome.APPROVE: "Criteria met; the team has owners for monitoring and support.",
    Outcome.APPROVE_WITH_CONDITIONS: "Acceptable once outputs are labelled and retention is set.",
    Outcome.REQUEST_CHANGES: "How long are prompts and outputs kept, and who can read them?",
    Outcome.REJECT: "The data involved cannot leave the company's tenant on this platform.",
}
CONDITION_TEXTS = [
    "Label every generated reply as AI-assisted.",
    "Set a 30-day retention period for prompts and outputs.",
    "Run a bias check on a sample of 200 outputs before go-live.",
]


def seed(stdout) -> None:
    people = {
        u.username: u for u in User.objects.filter(username__in=["reviewer", "admin", "champion"])
    }
    reviewer = people.get("reviewer") or people.get("admin")
    GovernanceSettings.objects.update_or_create(
        pk=1,
        defaults={"setup_completed_at": timezone.now(), "setup_completed_by": people.get("admin")},
    )
    decided = _decide_curated(reviewer, people.get("champion"))
    operating_model = PortalSettings.load().operating_model
    today = timezone.localdate()
    criteria = list(Criterion.objects.filter(active=True))
    done = 0
    proposals = (
        UseCase.objects.exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        .filter(risk_assessment__isnull=True)
        .select_related("platform", "owner")
        .order_by("id")
    )
    for i, uc in enumerate(proposals):
        with transaction.atomic():
            _seed_one(uc, i, reviewer, people.get("champion"), operating_model, today, criteria)
        done += 1
    stdout.write(f"  governance for {done} proposals, {decided} decided on their reviews")


def _decide_curated(reviewer, champion) -> int:
    """Decide the intake's curated proposals waiting in review for a decision, through their
    reviews, then make the steps after it. Returns how many were decided."""
    decided = 0
    for username, target, answers, _endorsers, _commenters in intake_demo.PROPOSALS:
        _before, after = intake_demo.split_at_decision(target)
        use_case = UseCase.objects.filter(
            owner__username=username, title=answers["title"], status=Status.IN_REVIEW,
            risk_assessment__isnull=True,
        ).first()  # fmt: skip
        if not after or use_case is None:
            continue
        with transaction.atomic():
            _decide_on_reviews(use_case, after, {"reviewer": reviewer, "champion": champion})
        decided += 1
    return decided


def _decide_on_reviews(use_case, steps, people) -> None:
    (decision, _who, note), rest = steps[0], steps[1:]
    reviewer, champion = people["reviewer"], people["champion"]
    assessment = assess(use_case.pk, actor=reviewer)
    opened = open_reviews(use_case, assessment.tier, actor=reviewer, kind=ReviewKind.INITIAL)
    due = timezone.localdate() + timedelta(days=30)
    for n, (review, outcome) in enumerate(
        zip(opened, _outcomes_for(decision, len(opened), 0), strict=True)
    ):
        decide_review(
            review.pk,
            actor=champion if champion and may_decide(champion, review) else reviewer,
            outcome=outcome,
            rationale=(n == 0 and note) or RATIONALE[outcome],
            answers={a.pk: {"result": "pass"} for a in review.answers.all()},
            conditions=[ConditionInput(CONDITION_TEXTS[0], use_case.owner, due)]
            if outcome == Outcome.APPROVE_WITH_CONDITIONS
            else [],
            expected_version=review.version,
        )
    for step, who, step_note in rest:
        actor = use_case.owner if who == "owner" else User.objects.get(username=who)
        change_status(use_case.pk, step, actor=actor, note=step_note)


def _seed_one(uc, i, reviewer, champion, operating_model, today, criteria) -> None:
    suggestion = suggest_tier(uc)
    tier = suggestion.tier
    RiskAssessment.objects.create(
        use_case=uc, suggested_tier=tier, tier=tier, reasons=suggestion.reasons,
        nist_flags=nist_flags(uc),
    )  # fmt: skip
    if uc.status in (Status.SUBMITTED, Status.TRIAGE):
        if uc.status == Status.TRIAGE or i % 2:
            Triage.objects.create(use_case=uc, assignee=reviewer, assigned_at=timezone.now())
        return
    if uc.status not in REVIEWED:
        return
    Triage.objects.create(use_case=uc, assignee=reviewer, assigned_at=timezone.now())
    routes = route(
        operating_model, tier,
        department_has_champion=department_has_champion(uc.department_id),
        required_areas=required_areas_for(tier),
    )  # fmt: skip
    if uc.status == Status.REJECTED and i % 2:
        return  # rejected at triage: out of scope, no reviews
    outcomes = _outcomes_for(uc.status, len(routes), i)
    started = today - timedelta(days=20 + i)
    for n, (r, outcome) in enumerate(zip(routes, outcomes, strict=True)):
        decided = outcome is not None
        review = Review.objects.create(
            use_case=uc, area=r.area, round=1, kind=ReviewKind.INITIAL, reviewer_kind=r.reviewer,
            operating_model=operating_model,
            assignee=champion if r.reviewer == ReviewerKind.CHAMPION else reviewer,
            status=ReviewStatus.DECIDED if decided else ReviewStatus.OPEN,
            outcome=outcome or "", rationale=RATIONALE.get(outcome, ""),
            decided_by=(champion if r.decider == ReviewerKind.CHAMPION else reviewer) if decided else None,
            decided_at=timezone.now() - timedelta(days=3) if decided else None,
            # Every third open review is past its SLA, so the reminders have work to do.
            opened_at=start_of(started) if decided or (i + n) % 3 == 0 else timezone.now(),
            due_on=add_working_days(started, 10) if (i + n) % 3 == 0 else add_working_days(today, 5),
        )  # fmt: skip
        answered = decided or n % 2 == 0
        Answer.objects.bulk_create(
            Answer(
                review=review, criterion=c, criterion_code=c.code, criterion_text=c.text,
                clauses=c.clauses[:250], position=k,
                result=("fail" if outcome == Outcome.REJECT and k == 0 else "pass") if answered else "",
                note="Checked with the team." if answered and k == 0 else "",
            )
            for k, c in enumerate(x for x in criteria if x.area == r.area)
        )  # fmt: skip
        if outcome == Outcome.APPROVE_WITH_CONDITIONS:
            for k, text in enumerate(CONDITION_TEXTS[: 1 + i % 2]):
                met = uc.status == Status.IN_PRODUCTION or (k == 0 and uc.status == Status.IN_PILOT)
                Condition.objects.create(
                    use_case=uc, review=review, text=text, owner=uc.owner,
                    due_on=today + timedelta(days=14 * (k + 1)) if not met else today - timedelta(days=5),
                    status="met" if met else "open",
                    met_at=timezone.now() if met else None, met_by=uc.owner if met else None,
                )  # fmt: skip
    if uc.status in LIVE_STATUSES:
        # Some entries are overdue for re-review so the register and the schedule show it.
        next_on = today - timedelta(days=7) if i % 4 == 0 else next_review_date(uc.pk)
        RegisterEntry.objects.create(
            use_case=uc, next_review_on=next_on, last_reviewed_on=today - timedelta(days=30),
            went_live_on=today - timedelta(days=10) if uc.status == Status.IN_PRODUCTION else None,
        )  # fmt: skip


def _outcomes_for(status, n: int, i: int) -> list:
    """One outcome per review (None = still open) that yields the proposal's status."""
    if n == 0:
        return []
    if status == Status.IN_REVIEW:
        return [Outcome.APPROVE if k < n // 2 else None for k in range(n)]
    if status == Status.CHANGES_REQUESTED:
        return [Outcome.REQUEST_CHANGES, *[Outcome.APPROVE] * (n - 1)]
    if status == Status.REJECTED:
        return [Outcome.REJECT, *[Outcome.APPROVE] * (n - 1)]
    if status == Status.APPROVED:
        return [Outcome.APPROVE] * n
    if status == Status.APPROVED_WITH_CONDITIONS or i % 2:
        return [Outcome.APPROVE_WITH_CONDITIONS, *[Outcome.APPROVE] * (n - 1)]
    return [Outcome.APPROVE] * n
