"""One definition of an overdue review (issue 18), asked by every surface.

A review is overdue when it is still open and more working days have passed since it
opened (its own ``opened_at``, never the proposal's submission) than the SLA allows
(governance.sla). One data set is read through the queue page (filter and rows), the home
page tile, the API, the dashboard's figure and the reminder task: they must agree. The rule's
two forms, the Python one for a review in hand and the cutoff the database compares with,
are proved to agree on generated dates, weekends included.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coe_portal.models import PortalSettings
from governance import register, sla, tasks
from governance.models import Review
from governance.templatetags.governance import queue_counts
from metrics import snapshots
from metrics.models import KpiSnapshot
from tests.factories import RegisterEntryFactory, ReviewFactory, UseCaseFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 6, 15)
SLA_DAYS = 3  # on Monday 15 June, a review opened before Wednesday 10 June is overdue


def at(day: int, hour: int = 10, minute: int = 0, month: int = 6) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


@pytest.fixture
def today(monkeypatch):
    """Every ``timezone.localdate()`` without an argument answers Monday 15 June 2026."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return MONDAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    PortalSettings.objects.update_or_create(pk=1, defaults={"review_sla_days": SLA_DAYS})
    return MONDAY


@pytest.fixture
def world(today, employee, reviewer):
    """Proposals, each with at most one review, named for what they test."""

    def proposal(name, status="in_review", submitted=None):
        submitted = submitted or at(1)
        return UseCaseFactory(owner=employee, title=name, status=status, submitted_at=submitted)

    def review(use_case, opened, **kwargs):
        return ReviewFactory(use_case=use_case, opened_at=opened, assignee=reviewer, **kwargs)

    made = {}
    # Opened long ago on a proposal submitted on Friday: overdue.
    made["old_review"] = review(proposal("Old review", submitted=at(12)), at(2))
    # Opened on Friday on a proposal submitted in January: 1 working day, not overdue.
    made["new_review"] = review(proposal("New review", submitted=at(5, month=1)), at(12))
    # Opened on Wednesday 10 June, the cutoff: exactly 3 working days, on time.
    made["on_the_day"] = review(proposal("On the day"), at(10, 0, 1))
    # Opened late on Tuesday 9 June: 4 working days, overdue.
    made["day_before"] = review(proposal("Day before"), at(9, 23, 30))
    # Opened on a Sunday a week ago (6 working days: overdue) and on Saturday (1: not).
    made["sunday"] = review(proposal("Sunday"), at(7))
    made["saturday"] = review(proposal("Saturday"), at(13))
    # Decided (closed) long after its SLA: never overdue.
    made["closed"] = review(
        proposal("Closed"), at(1, month=5), status="decided", outcome="approve",
        decided_at=at(5),
    )  # fmt: skip
    # Withdrawn mid-review: its open review can no longer be decided, nor be overdue.
    made["withdrawn"] = review(proposal("Withdrawn", status="withdrawn"), at(1))
    # A re-review of a live use case, opened two weeks ago: overdue.
    live = RegisterEntryFactory(use_case__owner=employee, use_case__title="Re-review").use_case
    made["rereview"] = review(live, at(1), kind="re_review", round=2)
    # Waiting for triage since January, no review open: waiting, never overdue.
    made["waiting"] = proposal("Waiting", status="submitted", submitted=at(5, month=1))
    return made


OVERDUE = {"old_review", "day_before", "sunday", "rereview"}


def _names(world, use_case_ids) -> set[str]:
    by_use_case = {
        (obj.use_case_id if isinstance(obj, Review) else obj.pk): name
        for name, obj in world.items()
    }
    return {by_use_case[pk] for pk in use_case_ids}


def test_every_surface_counts_the_same_overdue_reviews(client, world, reviewer, leader):
    overdue_reviews = {world[name].pk for name in OVERDUE}
    client.force_login(reviewer)

    # The queue page: its filter, and the rows it flags.
    filtered = client.get(reverse("governance:queue"), {"overdue": "1"}).context["rows"]
    assert _names(world, (row["use_case"].pk for row in filtered)) == OVERDUE
    rows = client.get(reverse("governance:queue")).context["rows"]
    flagged = {row["use_case"].pk for row in rows if row["overdue"]}
    assert _names(world, flagged) == OVERDUE
    assert "withdrawn" not in _names(world, (row["use_case"].pk for row in rows))

    # The home page tile, as counted and as shown.
    assert queue_counts(reviewer)["overdue"] == len(OVERDUE)
    assert f"{len(OVERDUE)} overdue" in client.get(reverse("home")).content.decode()

    # The API's queue: its field and its filter.
    items = client.get("/api/v1/governance/queue/").json()
    items = items["results"] if isinstance(items, dict) else items
    assert _names(world, (i["id"] for i in items if i["overdue"])) == OVERDUE
    only = client.get("/api/v1/governance/queue/", {"overdue": "1"}).json()
    only = only["results"] if isinstance(only, dict) else only
    assert _names(world, (i["id"] for i in only)) == OVERDUE

    # The dashboard's figure, from the day's snapshot.
    snapshots.take_snapshots(MONDAY)
    figure = KpiSnapshot.objects.get(date=MONDAY, kpi="reviews_breaching_sla", scope=0)
    assert figure.value == len(overdue_reviews)
    client.force_login(leader)
    board = client.get(reverse("metrics:dashboard")).content.decode()
    tile = re.search(r'data-kpi="reviews_breaching_sla".*?class="figure">([^<]*)<', board, re.S)
    assert tile and tile.group(1) == str(len(overdue_reviews))

    # The reminders: the same reviews, each once.
    assert set(register.overdue_reviews_to_remind()) == overdue_reviews
    assert register.overdue_reviews_to_remind() == []


def test_the_queue_shows_each_reviews_own_age(client, world, reviewer):
    client.force_login(reviewer)
    rows = {row["use_case"].pk: row for row in client.get(reverse("governance:queue")).context["rows"]}  # fmt: skip

    def row(name):
        obj = world[name]
        return rows[obj.use_case_id if isinstance(obj, Review) else obj.pk]

    assert (row("old_review")["age"], row("old_review")["overdue"]) == (9, True)
    assert (row("new_review")["age"], row("new_review")["overdue"]) == (1, False)
    assert (row("on_the_day")["age"], row("on_the_day")["overdue"]) == (3, False)
    assert (row("day_before")["age"], row("day_before")["overdue"]) == (4, True)
    assert (row("saturday")["age"], row("sunday")["age"]) == (1, 6)
    # No review open: it waits (working days since submission) and is never overdue.
    assert (row("closed")["age"], row("closed")["overdue"]) == (None, False)
    assert row("waiting")["age"] is None and row("waiting")["waiting"] > SLA_DAYS
    assert not row("waiting")["overdue"]

    items = {i["id"]: i for i in client.get("/api/v1/governance/queue/").json()["results"]}
    assert items[world["new_review"].use_case_id]["age_working_days"] == 1
    assert items[world["waiting"].pk]["age_working_days"] is None


def test_the_reminder_names_how_long_the_review_has_been_open(world, mailoutbox):
    assert tasks.remind_overdue_reviews() == len(OVERDUE)
    bodies = [m.body for m in mailoutbox if "Old review" in m.subject]
    assert len(bodies) == 1
    assert "open 9 working days (the SLA is 3)" in bodies[0]
    assert "due on 05 Jun 2026" in bodies[0]  # 3 working days after Tuesday 2 June


def test_a_reopened_review_starts_its_clock_again(today, employee, reviewer):
    """Sent back with changes requested in May, reopened when the owner resubmitted: the
    owner's time is not the reviewer's."""
    from governance.reviews import _reopen_changes_requested

    use_case = UseCaseFactory(owner=employee, status="in_review")
    review = ReviewFactory(
        use_case=use_case, opened_at=at(1, month=5), status="decided",
        outcome="request_changes", decided_at=at(8, month=5),
    )  # fmt: skip
    _reopen_changes_requested(use_case, actor=reviewer)

    review.refresh_from_db()
    assert review.is_open and timezone.localdate(review.opened_at) == timezone.localdate(
        timezone.now()
    )


# --- the rule's two forms agree ---------------------------------------------------------

days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
sla_days = st.integers(min_value=1, max_value=40)


@given(
    today=days,
    sla_days=sla_days,
    # Days before the SLA's span in calendar days: near 0 is where the two forms could part.
    offset=st.one_of(st.integers(min_value=-4, max_value=4), st.integers(-60, 60)),
)
def test_the_cutoff_says_what_the_age_says(today, sla_days, offset):
    """``opened before the cutoff`` (what the database compares) is ``more working days
    old than the SLA`` (what a person reads), on every day of the week."""
    opened = today - dt.timedelta(days=sla_days * 7 // 5 + offset)
    cutoff = sla.overdue_cutoff(today, sla_days)
    assert (opened < cutoff) == (sla.working_days_between(opened, today) > sla_days)
    # The due date is the last day on time: overdue from the next working day.
    due = sla.add_working_days(opened, sla_days)
    assert sla.working_days_between(opened, due) == sla_days
    assert not (due < cutoff) or today > due


def _brute_force_working_days(start: dt.date, end: dt.date) -> int:
    return sum(
        1 for n in range(1, (end - start).days + 1) if (start + dt.timedelta(days=n)).weekday() < 5
    )


@given(start=days, length=st.integers(min_value=0, max_value=400))
def test_working_days_are_counted_as_a_calendar_would(start, length):
    end = start + dt.timedelta(days=length)
    assert sla.working_days_between(start, end) == _brute_force_working_days(start, end)


reviews_drawn = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60),  # days before today it opened
        st.integers(min_value=0, max_value=23),  # the hour
        st.sampled_from(["open", "decided"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(today=days, drawn=reviews_drawn, sla_days=sla_days)
def test_the_query_and_the_python_rule_pick_the_same_reviews(employee, today, drawn, sla_days):
    with transaction.atomic():
        use_case = UseCaseFactory(owner=employee, status="in_review")
        made = []
        for n, (back, hour, status) in enumerate(drawn, start=1):
            opened = timezone.make_aware(
                dt.datetime.combine(today - dt.timedelta(days=back), dt.time(hour))
            )
            decided = opened + dt.timedelta(hours=1) if status == "decided" else None
            made.append(
                ReviewFactory(
                    use_case=use_case, round=n, opened_at=opened, status=status,
                    decided_at=decided,
                )
            )  # fmt: skip
        expected = {
            r.pk for r in made if r.is_open and sla.is_overdue(r.opened_at, today, sla_days)
        }
        assert expected == {
            r.pk
            for r in made
            if r.is_open and sla.age_in_working_days(r.opened_at, today) > sla_days
        }
        found = set(
            Review.objects.overdue(today, sla_days=sla_days)
            .filter(status="open")
            .values_list("pk", flat=True)
        )
        assert found == expected
        transaction.set_rollback(True)
