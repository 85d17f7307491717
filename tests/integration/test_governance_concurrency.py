"""Two reviewers at once on real PostgreSQL: separate threads, separate connections."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from governance import tasks
from governance.choices import Outcome
from governance.models import Review
from governance.reviews import StaleReview, accept_for_review, decide_review
from tests.factories import RegisterEntryFactory, RiskAssessmentFactory, UseCaseFactory
from tests.integration.conftest import wait_until
from usecases.lifecycle import TransitionError
from usecases.models import UseCaseEvent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(*calls):
    """Run each call in its own thread (own connection), released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except TransitionError as exc:
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def answered(review):
    return {a.pk: {"result": "pass"} for a in review.answers.all()}


@pytest.fixture
def in_review(employee, reviewer):
    use_case = UseCaseFactory(owner=employee, status="submitted", data_sensitivity="internal",
                              submitted_at=timezone.now())  # fmt: skip
    accept_for_review(use_case.pk, actor=reviewer)  # minimal tier: one responsible-AI review
    return use_case


def test_two_reviewers_deciding_the_same_review_one_wins(in_review, reviewer, coe_admin):
    review = Review.objects.get(use_case=in_review)
    answers = answered(review)

    results = run_together(
        lambda: decide_review(review.pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Yes.",
                              answers=answers, expected_version=review.version),
        lambda: decide_review(review.pk, actor=coe_admin, outcome=Outcome.REJECT, rationale="No.",
                              answers=answers, expected_version=review.version),
    )  # fmt: skip

    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"]
    loser = next(value for kind, value in results if kind == "error")
    assert isinstance(loser, StaleReview)
    assert "Nothing was changed" in str(loser)
    in_review.refresh_from_db()
    review.refresh_from_db()
    assert in_review.status == {"approve": "approved", "reject": "rejected"}[review.outcome]
    assert (
        UseCaseEvent.objects.filter(
            use_case=in_review, kind="transition", to_status=in_review.status
        ).count()
        == 1
    )


def test_two_areas_decided_at_once_conclude_the_proposal_once(employee, reviewer, coe_admin):
    use_case = UseCaseFactory(owner=employee, status="submitted", submitted_at=timezone.now())
    accept_for_review(use_case.pk, actor=reviewer)  # limited tier: three reviews
    first, second, third = Review.objects.filter(use_case=use_case).order_by("area")
    decide_review(first.pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Yes.",
                  answers=answered(first), expected_version=first.version)  # fmt: skip

    results = run_together(
        lambda: decide_review(second.pk, actor=reviewer, outcome=Outcome.APPROVE, rationale="Yes.",
                              answers=answered(second), expected_version=second.version),
        lambda: decide_review(third.pk, actor=coe_admin, outcome=Outcome.APPROVE, rationale="Yes.",
                              answers=answered(third), expected_version=third.version),
    )  # fmt: skip

    assert [kind for kind, _ in results] == ["ok", "ok"]
    use_case.refresh_from_db()
    assert use_case.status == "approved"


def test_rereview_task_through_the_worker_twice_opens_one(celery_worker, employee):
    entry = RegisterEntryFactory(
        use_case__owner=employee, next_review_on=timezone.localdate() - timedelta(days=3)
    )
    RiskAssessmentFactory(use_case=entry.use_case, tier="minimal", suggested_tier="minimal")

    tasks.open_due_rereviews.delay()
    tasks.open_due_rereviews.delay()

    wait_until(lambda: Review.objects.filter(use_case=entry.use_case, kind="re_review").exists())
    wait_until(lambda: celery_worker.poll() is None and not _active())
    assert Review.objects.filter(use_case=entry.use_case, kind="re_review").count() == 1


def _active() -> bool:
    from coe_portal.celery import app

    inspector = app.control.inspect(timeout=1)
    active = inspector.active() or {}
    reserved = inspector.reserved() or {}
    return any(active.values()) or any(reserved.values())
