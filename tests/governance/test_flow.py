"""The whole path through reviews.py: triage, routing into reviews, deciding, the outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coe_portal.models import PortalSettings
from governance import reviews
from governance.choices import Outcome, ReviewerKind, ReviewStatus
from governance.models import Answer, Condition, Criterion, RegisterEntry, Review
from governance.reviews import ConditionInput, ReviewError, StaleReview
from tests.governance.conftest import answer_all
from usecases.choices import Status
from usecases.models import UseCaseEvent

pytestmark = pytest.mark.django_db


def accept(use_case, actor):
    reviews.accept_for_review(use_case.pk, actor=actor)
    use_case.refresh_from_db()
    return list(use_case.reviews.order_by("area"))


def test_accepting_opens_the_reviews_the_tier_needs(submitted, reviewer):
    opened = accept(submitted, reviewer)

    assert submitted.status == Status.IN_REVIEW
    assert submitted.risk_assessment.tier == "limited"  # confidential data
    assert {r.area for r in opened} == {"responsible_ai", "privacy", "security"}
    assert all(r.reviewer_kind == ReviewerKind.COE for r in opened)
    assert all(r.answers.count() == Criterion.objects.filter(area=r.area).count() for r in opened)


def test_approving_every_area_approves_the_proposal_and_registers_it(submitted, reviewer):
    for review in accept(submitted, reviewer):
        reviews.decide_review(
            review.pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Fine.",
            answers=answer_all(review), expected_version=review.version,
        )  # fmt: skip

    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    assert RegisterEntry.objects.get(use_case=submitted).next_review_on > timezone.localdate()


def test_conditions_make_it_approved_with_conditions(submitted, reviewer, employee):
    first, *rest = accept(submitted, reviewer)
    due = timezone.localdate() + timedelta(days=30)
    reviews.decide_review(
        first.pk, actor=reviewer, outcome=Outcome.APPROVE_WITH_CONDITIONS, rationale="Ok if.",
        answers=answer_all(first), expected_version=first.version,
        conditions=[ConditionInput("Label AI output", employee, due)],
    )  # fmt: skip
    for review in rest:
        reviews.decide_review(
            review.pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Fine.",
            answers=answer_all(review), expected_version=review.version,
        )  # fmt: skip

    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED_WITH_CONDITIONS
    condition = Condition.objects.get(use_case=submitted)
    reviews.mark_condition_met(condition.pk, actor=employee)
    condition.refresh_from_db()
    assert condition.status == "met"


def test_approving_needs_every_criterion_answered(submitted, reviewer):
    review = accept(submitted, reviewer)[0]

    with pytest.raises(ReviewError, match="Answer every criterion"):
        reviews.decide_review(
            review.pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Fine.",
            expected_version=review.version,
        )  # fmt: skip


def test_a_decided_review_refuses_a_second_decision(submitted, reviewer, coe_admin):
    review = accept(submitted, reviewer)[0]
    version = review.version
    reviews.decide_review(
        review.pk, actor=reviewer, outcome=Outcome.REJECT, rationale="No.",
        expected_version=version,
    )  # fmt: skip

    with pytest.raises(StaleReview, match="already decided"):
        reviews.decide_review(
            review.pk, actor=coe_admin, outcome=Outcome.REQUEST_CHANGES, rationale="Hm.",
            expected_version=version,
        )  # fmt: skip
    review.refresh_from_db()
    assert review.outcome == Outcome.REJECT


def test_prohibited_tier_cannot_be_approved(submitted, reviewer):
    opened = accept(submitted, reviewer)
    from governance.risk import override_tier

    override_tier(submitted.pk, "prohibited", actor=reviewer, reason="Social scoring.")
    with pytest.raises(ReviewError, match="prohibited"):
        reviews.decide_review(
            opened[0].pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Fine.",
            answers=answer_all(opened[0]), expected_version=opened[0].version,
        )  # fmt: skip
    assert UseCaseEvent.objects.filter(
        use_case=submitted, kind="risk", note__contains="Social"
    ).exists()


def test_changes_requested_then_resubmitted_reopens_the_same_review(submitted, reviewer, employee):
    opened = accept(submitted, reviewer)
    for review in opened:
        outcome = Outcome.REQUEST_CHANGES if review.area == "privacy" else Outcome.APPROVE
        reviews.decide_review(
            review.pk, actor=reviewer, outcome=outcome, rationale="Which retention period?",
            answers=answer_all(review), expected_version=review.version,
        )  # fmt: skip
    submitted.refresh_from_db()
    assert submitted.status == Status.CHANGES_REQUESTED

    from usecases.lifecycle import change_status

    change_status(submitted.pk, Status.SUBMITTED, actor=employee)
    accept(submitted, reviewer)

    privacy = Review.objects.get(use_case=submitted, area="privacy")
    assert privacy.status == ReviewStatus.OPEN and privacy.round == 1
    assert Review.objects.filter(use_case=submitted).count() == len(opened)


def test_editing_a_criterion_leaves_opened_reviews_alone(submitted, reviewer):
    review = accept(submitted, reviewer)[0]
    answer = review.answers.first()
    reviews.decide_review(
        review.pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Fine.",
        answers=answer_all(review), expected_version=review.version,
    )  # fmt: skip

    criterion = Criterion.objects.get(code=answer.criterion_code)
    criterion.text = "Something else entirely."
    criterion.save()

    assert (
        Answer.objects.get(pk=answer.pk).criterion_text == answer.criterion_text != criterion.text
    )


def test_federated_routes_low_risk_reviews_to_the_departments_champion(
    submitted, champion, reviewer
):
    PortalSettings.objects.filter(pk=1).update(operating_model="federated")
    opened = accept(submitted, reviewer)

    assert {r.reviewer_kind for r in opened} == {ReviewerKind.CHAMPION}
    review = opened[0]
    reviews.decide_review(
        review.pk, actor=champion, outcome=Outcome.APPROVE, rationale="Fine.",
        answers=answer_all(review), expected_version=review.version,
    )  # fmt: skip


def test_champion_may_not_decide_in_a_centralized_model(submitted, champion, reviewer):
    review = accept(submitted, reviewer)[0]

    with pytest.raises(ReviewError, match="not routed to you"):
        reviews.decide_review(
            review.pk, actor=champion, outcome=Outcome.APPROVE, rationale="Fine.",
            answers=answer_all(review), expected_version=review.version,
        )  # fmt: skip


def test_switching_the_operating_model_keeps_open_reviews(submitted, champion, reviewer):
    opened = accept(submitted, reviewer)
    PortalSettings.objects.filter(pk=1).update(operating_model="federated")

    assert {r.reviewer_kind for r in Review.objects.filter(use_case=submitted)} == {"coe"}
    assert len(opened) == 3


def test_rejecting_out_of_scope_needs_a_note(submitted, champion):
    with pytest.raises(Exception, match="needs a note"):
        reviews.reject_out_of_scope(submitted.pk, actor=champion, note="")
    reviews.reject_out_of_scope(submitted.pk, actor=champion, note="Not generative AI.")
    submitted.refresh_from_db()
    assert submitted.status == Status.REJECTED


def test_assigning_starts_triage_and_emails_a_colleague(
    submitted, reviewer, coe_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviews.assign(submitted.pk, coe_admin, actor=reviewer)

    submitted.refresh_from_db()
    assert submitted.status == Status.TRIAGE
    assert submitted.triage.assignee == coe_admin
    recipients = [m.to for m in mailoutbox]
    assert [coe_admin.email] in recipients  # the assignment
    assert [submitted.owner.email] in recipients  # the status change, from usecases
    assert len(recipients) == 2


def test_champion_cannot_be_given_another_departments_proposal(
    foreign_submitted, champion, reviewer
):
    with pytest.raises(ReviewError, match="does not triage"):
        reviews.assign(foreign_submitted.pk, champion, actor=reviewer)


# --- the decision is made on the reviews, and only there (issue 15) --------------------


def decide(review, actor, outcome=Outcome.APPROVE, **extra):
    review.refresh_from_db()
    return reviews.decide_review(
        review.pk, actor=actor, outcome=outcome, rationale="Reasons.",
        answers=answer_all(review), expected_version=review.version, **extra,
    )  # fmt: skip


def test_the_proposal_is_decided_only_when_every_review_of_the_round_is(submitted, reviewer):
    first, *rest = accept(submitted, reviewer)
    decide(first, reviewer)

    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW
    assert not RegisterEntry.objects.filter(use_case=submitted).exists()
    for review in rest:
        decide(review, reviewer)
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    decision = UseCaseEvent.objects.get(use_case=submitted, to_status=Status.APPROVED)
    assert sorted(decision.data["reviews"]) == sorted(r.pk for r in [first, *rest])


def test_raising_the_tier_to_prohibited_after_approvals_stops_the_last_approval(
    submitted, reviewer
):
    from governance.risk import override_tier

    first, second, last = accept(submitted, reviewer)
    decide(first, reviewer)
    decide(second, reviewer)
    override_tier(submitted.pk, "prohibited", actor=reviewer, reason="Emotion recognition.")

    with pytest.raises(ReviewError, match="prohibited risk tier cannot be approved"):
        decide(last, reviewer)
    with pytest.raises(ReviewError, match="prohibited"):
        decide(last, reviewer, Outcome.APPROVE_WITH_CONDITIONS, conditions=[
            ConditionInput("Label output", submitted.owner, timezone.localdate()),
        ])  # fmt: skip
    last.refresh_from_db()
    assert last.status == ReviewStatus.OPEN
    decide(last, reviewer, Outcome.REJECT)
    submitted.refresh_from_db()
    assert submitted.status == Status.REJECTED
    assert not RegisterEntry.objects.filter(use_case=submitted).exists()


@pytest.mark.parametrize(
    ("outcome", "status"),
    [(Outcome.REJECT, Status.REJECTED), (Outcome.REQUEST_CHANGES, Status.CHANGES_REQUESTED)],
)
def test_a_decision_other_than_approval_writes_no_register_entry(
    submitted, reviewer, outcome, status
):
    first, *rest = accept(submitted, reviewer)
    decide(first, reviewer, outcome)
    for review in rest:
        decide(review, reviewer)

    submitted.refresh_from_db()
    assert submitted.status == status
    assert not RegisterEntry.objects.filter(use_case=submitted).exists()


def test_approval_writes_the_register_entry_with_the_tiers_rereview_date(submitted, reviewer):
    from governance.models import TierPolicy

    TierPolicy.objects.filter(tier="limited").update(rereview_after_days=90)
    for review in accept(submitted, reviewer):
        decide(review, reviewer)

    entry = RegisterEntry.objects.get(use_case=submitted)
    assert entry.next_review_on == timezone.localdate() + timedelta(days=90)
    assert entry.last_reviewed_on == timezone.localdate() and not entry.rereview_open


def test_the_coe_does_not_decide_a_review_routed_to_the_departments_champion(
    submitted, champion, reviewer
):
    PortalSettings.objects.filter(pk=1).update(operating_model="federated")
    review = accept(submitted, reviewer)[0]
    assert review.reviewer_kind == ReviewerKind.CHAMPION

    with pytest.raises(ReviewError, match="not routed to you"):
        decide(review, reviewer)
    # Once the department has no champion left, the CoE takes over (routing's fallback).
    champion.groups.clear()
    decide(review, reviewer)


def test_reviews_of_a_withdrawn_proposal_cannot_be_decided(submitted, reviewer, employee):
    from usecases.lifecycle import change_status

    review = accept(submitted, reviewer)[0]
    change_status(submitted.pk, Status.WITHDRAWN, actor=employee)

    with pytest.raises(StaleReview, match="no longer in review"):
        decide(review, reviewer, Outcome.REJECT)
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


@pytest.mark.parametrize("through", ["logic", "page"])
def test_accepting_a_new_proposal_tells_its_owner_once(
    client, submitted, reviewer, mailoutbox, django_capture_on_commit_callbacks, through
):
    """Accepting a submitted proposal moves it through triage to "in review" in one request:
    the history keeps both steps, the owner hears of the one change once (issue 18)."""
    from django.urls import reverse

    from usecases.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        if through == "logic":
            reviews.accept_for_review(submitted.pk, actor=reviewer)
        else:
            client.force_login(reviewer)
            client.post(reverse("governance:accept", args=[submitted.pk]),
                        {"expected_status": "submitted"})  # fmt: skip

    to_owner = [m for m in mailoutbox if m.to == [submitted.owner.email]]
    assert len(to_owner) == 1 and "is now in review" in to_owner[0].body
    assert Notification.objects.filter(recipient=submitted.owner).count() == 1
    steps = UseCaseEvent.objects.filter(use_case=submitted, kind=UseCaseEvent.Kind.TRANSITION)
    assert list(steps.values_list("from_status", "to_status")) == [
        ("submitted", "triage"),
        ("triage", "in_review"),
    ]
