"""Governance at scale (``manage.py generate_data``): for every generated proposal past
submission, what its status implies, as ``governance.demo`` does for the demo: a risk
assessment (the real rules), triage, reviews routed by the tier policy with answers,
decisions, conditions, and register entries with re-reviews for live use cases.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coe_portal.models import PortalSettings
from coe_portal.scale import ScaleRun
from governance.choices import (
    DEFAULT_TIER_POLICY,
    ConditionStatus,
    Outcome,
    ReviewerKind,
    ReviewKind,
    ReviewStatus,
)
from governance.demo import CONDITION_TEXTS, RATIONALE, REVIEWED, _outcomes_for
from governance.models import (
    Answer,
    Condition,
    Criterion,
    GovernanceSettings,
    RegisterEntry,
    Review,
    RiskAssessment,
    TierPolicy,
    Triage,
)
from governance.reviews import add_working_days
from governance.risk import nist_flags, suggest_tier
from governance.routing import route
from usecases.choices import LIVE_STATUSES, Status
from usecases.models import UseCase

S = Status


def generate(run: ScaleRun) -> None:
    rng, shared = run.rng, run.shared
    proposals = shared["proposals"]
    reviewers, champions = shared["reviewers"], shared["champions"]
    portal = PortalSettings.load()
    operating_model, sla_days = portal.operating_model, portal.review_sla_days
    GovernanceSettings.objects.update_or_create(
        pk=1,
        defaults={"setup_completed_at": run.now, "setup_completed_by_id": shared["demo"]["admin"]},
    )
    policy = {t: (list(areas), days) for t, (areas, days) in DEFAULT_TIER_POLICY.items()}
    for row in TierPolicy.objects.all():
        policy[row.tier] = (list(row.required_areas), row.rereview_after_days)
    criteria: dict[str, list[Criterion]] = {}
    for c in Criterion.objects.filter(active=True):
        criteria.setdefault(c.area, []).append(c)

    assessments, triages, reviews, answers, conditions, register = [], [], [], [], [], []
    review_pk = run.first_id(Review)
    today = run.today
    for i, p in enumerate(proposals):
        submitted = p.reached(S.SUBMITTED)
        if submitted is None or p.status == S.WITHDRAWN:
            continue
        use_case = UseCase(**p.answers)
        suggestion = suggest_tier(use_case)
        tier = suggestion.tier
        assessments.append(
            (p.id, tier, suggestion.reasons, nist_flags(use_case), tier, "", None, None, submitted)
        )
        triaged = p.reached(S.TRIAGE)
        if triaged or i % 2:
            triages.append((p.id, rng.choice(reviewers), triaged or submitted))
        if p.status not in REVIEWED:
            continue
        if p.status == S.REJECTED and i % 2:
            continue  # rejected at triage: out of scope, no reviews
        dept_champions = champions.get(p.department_id) or []
        routes = route(
            operating_model, tier, department_has_champion=bool(dept_champions),
            required_areas=policy[tier][0],
        )  # fmt: skip
        opened = p.reached(S.IN_REVIEW) or submitted
        decision = next((w for t, w in p.steps if t in (S.APPROVED, S.APPROVED_WITH_CONDITIONS,
                                                           S.REJECTED, S.CHANGES_REQUESTED)), None)  # fmt: skip
        outcomes = _outcomes_for(p.status, len(routes), i)
        for n, (r, outcome) in enumerate(zip(routes, outcomes, strict=True)):
            decided = outcome is not None
            person = (
                rng.choice(dept_champions)
                if r.reviewer == ReviewerKind.CHAMPION
                else rng.choice(reviewers)
            )
            # Under the hybrid model a champion reviews limited risk and the CoE decides.
            decider = person if r.decider == r.reviewer else rng.choice(reviewers)
            end = decision or run.now
            decided_at = opened + (end - opened) * rng.uniform(0.3, 1.0) if decided else None
            due = add_working_days(timezone.localdate(opened), sla_days)
            reviews.append(
                (review_pk, p.id, r.area, 1, ReviewKind.INITIAL, r.reviewer, operating_model,
                 person, ReviewStatus.DECIDED if decided else ReviewStatus.OPEN, outcome or "",
                 RATIONALE.get(outcome, ""), decider if decided else None, decided_at, due,
                 None, 1, opened, opened)
            )  # fmt: skip
            answered = decided or n % 2 == 0
            for k, c in enumerate(criteria.get(r.area, [])):
                result = ""
                if answered:
                    result = "fail" if outcome == Outcome.REJECT and k == 0 else "pass"
                answers.append(
                    (review_pk, c.pk, c.code, c.text, c.clauses[:250], k, result,
                     "Checked with the team." if answered and k == 0 else "", "", "")
                )  # fmt: skip
            if outcome == Outcome.APPROVE_WITH_CONDITIONS:
                for k, text in enumerate(CONDITION_TEXTS[: 1 + i % 2]):
                    met = p.status in (S.IN_PRODUCTION, S.RETIRED) or (
                        k == 0 and p.status == S.IN_PILOT
                    )
                    met_at = (decided_at + (run.now - decided_at) * rng.random()) if met else None
                    conditions.append(
                        (p.id, review_pk, text, p.owner_id,
                         timezone.localdate(decided_at) + dt.timedelta(days=14 * (k + 1)),
                         ConditionStatus.MET if met else ConditionStatus.OPEN, met_at,
                         p.owner_id if met else None, decided_at, "")
                    )  # fmt: skip
            review_pk += 1
        if p.status in LIVE_STATUSES and decision is not None:
            # Re-reviews: every period since approval that has passed was reviewed again
            # (a decided round), and the next one is scheduled; a few are overdue.
            days = policy.get(tier, (None, 365))[1]
            last = timezone.localdate(decision)
            round_no = 1
            while last + dt.timedelta(days=days) < today and rng.random() < 0.6:
                last += dt.timedelta(days=days)
                round_no += 1
                at = timezone.make_aware(dt.datetime.combine(last, dt.time(10)))
                person = rng.choice(reviewers)
                reviews.append(
                    (review_pk, p.id, routes[0].area, round_no, ReviewKind.RE_REVIEW,
                     ReviewerKind.COE, operating_model, person, ReviewStatus.DECIDED,
                     Outcome.APPROVE, RATIONALE[Outcome.APPROVE], person, at,
                     add_working_days(last, sla_days), None, 1, at, at)
                )  # fmt: skip
                review_pk += 1
            went_live = p.reached(S.IN_PRODUCTION)
            register.append(
                (p.id, last + dt.timedelta(days=days), False, last,
                 timezone.localdate(went_live) if went_live else None)
            )  # fmt: skip

    run.write(
        RiskAssessment,
        ["use_case_id", "suggested_tier", "reasons", "nist_flags", "tier", "override_reason",
         "overridden_by_id", "overridden_at", "assessed_at"],
        assessments,
    )  # fmt: skip
    run.write(Triage, ["use_case_id", "assignee_id", "assigned_at"], triages)
    run.write(
        Review,
        ["id", "use_case_id", "area", "round", "kind", "reviewer_kind", "operating_model",
         "assignee_id", "status", "outcome", "rationale", "decided_by_id", "decided_at",
         "due_on", "reminded_on", "version", "created_at", "opened_at"],
        reviews,
    )  # fmt: skip
    run.write(
        Answer,
        ["review_id", "criterion_id", "criterion_code", "criterion_text", "clauses", "position",
         "result", "note", "evidence", "evidence_file"],
        answers,
    )  # fmt: skip
    run.write(
        Condition,
        ["use_case_id", "review_id", "text", "owner_id", "due_on", "status", "met_at",
         "met_by_id", "created_at", "waiver_reason"],
        conditions,
    )  # fmt: skip
    run.write(
        RegisterEntry,
        ["use_case_id", "next_review_on", "rereview_open", "last_reviewed_on", "went_live_on"],
        register,
    )  # fmt: skip
    shared["tiers"] = {a[0]: a[4] for a in assessments}
