"""Re-reviews are routed and assigned like first reviews (issue 18): every area of the round
given to a reviewer routing allows, each reviewer told once in the portal and by email, the
owner told once for the round, and the schedule safe to run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coe_portal.models import PortalSettings
from coe_portal.roles import Role
from governance import notices, reviews, tasks
from governance.choices import Outcome, ReviewerKind
from governance.models import Review
from tests.factories import RegisterEntryFactory, RiskAssessmentFactory, UserFactory
from tests.governance.conftest import answer_all
from usecases.models import Notification

pytestmark = pytest.mark.django_db


def due_entry(owner, tier):
    entry = RegisterEntryFactory(
        use_case__owner=owner,
        use_case__status="in_production",
        next_review_on=timezone.localdate() - timedelta(days=1),
    )
    RiskAssessmentFactory(use_case=entry.use_case, tier=tier, suggested_tier=tier)
    return entry


@pytest.fixture
def second_reviewer(other_department):
    return UserFactory(username="rhea", department=other_department, roles=[Role.COE_REVIEWER])


@pytest.fixture
def run_schedule(django_capture_on_commit_callbacks):
    """The daily task with its outbox delivered, as the worker would after commit."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.open_due_rereviews()

    return run


def notices_of(person):
    return list(Notification.objects.filter(recipient=person))


def mails_to(mailoutbox, person):
    return [m for m in mailoutbox if m.to == [person.email]]


def test_a_rereview_round_is_assigned_per_routing_and_each_person_told_once(
    client, employee, reviewer, second_reviewer, champion, coe_admin, mailoutbox, run_schedule
):
    entry = due_entry(employee, "high")  # high risk: every area, the CoE's in every model

    assert run_schedule() == 1

    rereviews = list(Review.objects.filter(use_case=entry.use_case, kind="re_review"))
    assert len(rereviews) == 5
    assert {r.reviewer_kind for r in rereviews} == {ReviewerKind.COE}
    assert all(r.assignee_id in (reviewer.pk, second_reviewer.pk) for r in rereviews)
    # Spread by load: nobody had open reviews, so they take turns (the older account first).
    given = sorted(r.assignee_id for r in rereviews)
    assert given == sorted([reviewer.pk] * 3 + [second_reviewer.pk] * 2)
    for person in (reviewer, second_reviewer):
        (notice,) = notices_of(person)  # one for all the areas they were given
        assert "re-reviews are yours" in notice.message
        for review in rereviews:
            assert (review.get_area_display() in notice.message) is (review.assignee == person)
        (mail,) = mails_to(mailoutbox, person)
        assert entry.use_case.title in mail.subject
        assert reverse("governance:case", args=[entry.use_case_id]) in mail.body
    # Neither the champion nor the admin (no review of theirs) hears of it.
    assert notices_of(champion) == notices_of(coe_admin) == []
    assert mails_to(mailoutbox, champion) == mails_to(mailoutbox, coe_admin) == []

    # The owner: one notice for the round, not one per area, whose link they may open.
    (owner_notice,) = notices_of(employee)
    assert "due for its re-review" in owner_notice.message
    (owner_mail,) = mails_to(mailoutbox, employee)
    link = reverse("governance:case", args=[entry.use_case_id])
    assert link in owner_mail.body
    client.force_login(employee)
    assert client.get(link).status_code == 200
    assert client.get(reverse("usecases:notification_list")).status_code == 200


def test_running_the_schedule_twice_opens_one_round_and_tells_nobody_twice(
    employee, reviewer, mailoutbox, run_schedule
):
    entry = due_entry(employee, "limited")

    assert run_schedule() == 1
    assert run_schedule() == 0

    rereviews = Review.objects.filter(use_case=entry.use_case, kind="re_review")
    assert rereviews.count() == 3 and set(rereviews.values_list("round", flat=True)) == {1}
    assert set(rereviews.values_list("assignee", flat=True)) == {reviewer.pk}
    assert len(notices_of(reviewer)) == 1 and len(mails_to(mailoutbox, reviewer)) == 1
    assert len(notices_of(employee)) == 1 and len(mails_to(mailoutbox, employee)) == 1


def test_delivering_a_notice_twice_tells_once(employee, reviewer, mailoutbox, run_schedule):
    entry = due_entry(employee, "minimal")
    run_schedule()
    mailoutbox.clear()
    from usecases.models import UseCaseEvent

    assignment = UseCaseEvent.objects.get(use_case=entry.use_case, kind="assignment")
    opened = UseCaseEvent.objects.get(use_case=entry.use_case, note__startswith="Re-review opened")

    assert not notices.notify_assignment(assignment.pk, reviewer.pk)
    assert not notices.notify_rereview_owner(opened.pk)
    # So do the messages recorded per area before issue 18.
    tasks.email_rereview_due(Review.objects.get(use_case=entry.use_case, kind="re_review").pk)
    assert mailoutbox == []
    assert len(notices_of(reviewer)) == len(notices_of(employee)) == 1


def test_federated_low_risk_rereview_goes_to_the_departments_champion(
    employee, champion, reviewer, mailoutbox, run_schedule
):
    PortalSettings.objects.filter(pk=1).update(operating_model="federated")
    entry = due_entry(employee, "limited")

    run_schedule()

    rereviews = Review.objects.filter(use_case=entry.use_case, kind="re_review")
    assert {(r.reviewer_kind, r.assignee_id) for r in rereviews} == {("champion", champion.pk)}
    assert len(notices_of(champion)) == 1 and len(mails_to(mailoutbox, champion)) == 1
    assert notices_of(reviewer) == [] and mails_to(mailoutbox, reviewer) == []


def test_a_rereview_goes_back_to_whoever_had_the_area_last_time(
    employee, reviewer, second_reviewer, run_schedule
):
    entry = due_entry(employee, "limited")
    for area in ("privacy", "security"):
        Review.objects.create(
            use_case=entry.use_case, area=area, round=1, reviewer_kind="coe",
            operating_model="centralized", status="decided", outcome=Outcome.APPROVE,
            decided_by=second_reviewer,
        )  # fmt: skip

    run_schedule()

    given = dict(
        Review.objects.filter(use_case=entry.use_case, round=2).values_list("area", "assignee")
    )
    assert given == {
        "privacy": second_reviewer.pk,
        "security": second_reviewer.pk,
        "responsible_ai": reviewer.pk,  # nobody had it: the least loaded
    }


def test_with_nobody_to_give_it_to_the_round_opens_unassigned(employee, mailoutbox, run_schedule):
    entry = due_entry(employee, "minimal")

    assert run_schedule() == 1

    (review,) = Review.objects.filter(use_case=entry.use_case, kind="re_review")
    assert review.assignee is None
    assert len(mails_to(mailoutbox, employee)) == 1


def test_a_rereview_is_decided_by_its_assignee(employee, reviewer, run_schedule):
    entry = due_entry(employee, "minimal")
    run_schedule()
    (review,) = Review.objects.filter(use_case=entry.use_case, kind="re_review")

    reviews.decide_review(
        review.pk, actor=review.assignee, outcome=Outcome.APPROVE, rationale="Still fine.",
        answers=answer_all(review), expected_version=review.version,
    )  # fmt: skip
    entry.refresh_from_db()
    assert not entry.rereview_open


# --- first reviews are given out the same way -------------------------------------------


def test_accepting_gives_the_reviews_to_the_accepter_who_is_not_told(
    submitted, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviews.accept_for_review(submitted.pk, actor=reviewer)

    assert set(submitted.reviews.values_list("assignee", flat=True)) == {reviewer.pk}
    assert notices_of(reviewer) == [] and mails_to(mailoutbox, reviewer) == []


def test_a_champion_accepting_for_the_coe_gives_the_reviews_to_a_reviewer_who_is_told(
    submitted, champion, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviews.accept_for_review(submitted.pk, actor=champion)

    assert set(submitted.reviews.values_list("assignee", flat=True)) == {reviewer.pk}
    (notice,) = notices_of(reviewer)
    assert "reviews are yours" in notice.message
    assert len(mails_to(mailoutbox, reviewer)) == 1


def test_reassigning_one_review_tells_the_new_assignee(
    submitted, reviewer, second_reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    reviews.accept_for_review(submitted.pk, actor=reviewer)
    review = submitted.reviews.order_by("area").first()

    with django_capture_on_commit_callbacks(execute=True):
        reviews.assign_review(review.pk, second_reviewer, actor=reviewer)

    (notice,) = notices_of(second_reviewer)
    assert f"the {review.get_area_display()} review is yours" in notice.message
    (mail,) = mails_to(mailoutbox, second_reviewer)
    assert reverse("governance:review", args=[review.pk]) in mail.body
