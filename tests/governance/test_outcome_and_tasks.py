"""The outcome rule as a table, and the scheduled work run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import tasks
from governance.models import Review
from governance.reviews import outcome_of
from tests.factories import (
    RegisterEntryFactory,
    ReviewFactory,
    RiskAssessmentFactory,
    UseCaseFactory,
)

OUTCOMES = [
    (["approve"], "approved"),
    (["approve", "approve_with_conditions"], "approved_with_conditions"),
    (["approve_with_conditions", "request_changes"], "changes_requested"),
    (["request_changes", "reject", "approve"], "rejected"),
    (["reject"], "rejected"),
]


@pytest.mark.parametrize(("outcomes", "status"), OUTCOMES)
def test_outcome_rule(outcomes, status):
    assert outcome_of(outcomes) == status


@pytest.mark.django_db
def test_rereview_task_run_twice_opens_one_rereview(employee, mailoutbox):
    entry = RegisterEntryFactory(
        use_case__owner=employee, next_review_on=timezone.localdate() - timedelta(days=1)
    )
    RiskAssessmentFactory(use_case=entry.use_case, tier="high", suggested_tier="high")
    not_due = RegisterEntryFactory(use_case__owner=employee)

    assert tasks.open_due_rereviews() == 1
    assert tasks.open_due_rereviews() == 0

    rereviews = Review.objects.filter(use_case=entry.use_case, kind="re_review")
    assert rereviews.count() == 5  # high risk: every area
    assert not Review.objects.filter(use_case=not_due.use_case).exists()
    entry.refresh_from_db()
    assert entry.rereview_open


@pytest.mark.django_db
def test_overdue_reminders_go_once_a_day(reviewer, mailoutbox):
    # Open for a month, past the 10-working-day SLA; and opened today.
    ReviewFactory(assignee=reviewer, opened_at=timezone.now() - timedelta(days=30))
    ReviewFactory(assignee=reviewer, opened_at=timezone.now())

    assert tasks.remind_overdue_reviews() == 1
    assert tasks.remind_overdue_reviews() == 0
    assert len(mailoutbox) == 1 and "Overdue review" in mailoutbox[0].subject


@pytest.mark.django_db
def test_no_email_names_a_confidential_proposal_to_someone_who_can_no_longer_see_it(
    employee, champion, mailoutbox
):
    """Assigned while a champion of the department, then moved: neither the assignment
    email (sent by a task later) nor the daily reminder tells them its title."""
    from coe_portal.models import Department

    secret = UseCaseFactory(owner=employee, status="in_review", confidential=True)
    review = ReviewFactory(
        use_case=secret, assignee=champion, opened_at=timezone.now() - timedelta(days=30)
    )
    champion.department = Department.objects.create(name="Elsewhere", code="elsewhere")
    champion.save()

    tasks.email_assignment(secret.pk, champion.pk, review.pk)
    tasks.remind_overdue_reviews()

    assert mailoutbox == []


@pytest.mark.django_db
def test_the_schedule_is_installed():
    from django_celery_beat.models import PeriodicTask

    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "governance.tasks.open_due_rereviews",
        "governance.tasks.remind_overdue_reviews",
    } <= names


@pytest.mark.django_db
def test_a_concluded_rereview_sets_the_next_date(employee, reviewer):
    from governance.choices import Outcome
    from governance.reviews import decide_review

    entry = RegisterEntryFactory(
        use_case__owner=employee, next_review_on=timezone.localdate() - timedelta(days=1)
    )
    RiskAssessmentFactory(use_case=entry.use_case, tier="minimal", suggested_tier="minimal")
    tasks.open_due_rereviews()
    review = Review.objects.get(use_case=entry.use_case, kind="re_review")
    decide_review(
        review.pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Still fine.",
        answers={a.pk: {"result": "pass"} for a in review.answers.all()},
        expected_version=review.version,
    )  # fmt: skip

    entry.refresh_from_db()
    entry.use_case.refresh_from_db()
    assert not entry.rereview_open
    assert entry.next_review_on == timezone.localdate() + timedelta(days=365)
    assert entry.use_case.status == "approved"  # a re-review does not move the lifecycle
