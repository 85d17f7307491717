"""The review SLA: working days, and the one definition of an overdue review.

A review is overdue when it is still open and more working days (Monday to Friday) have
passed since it opened than the SLA allows. "Opened" is the review's own ``opened_at``:
when it was created, or when it was reopened after the owner resubmitted; never the
proposal's submission. The SLA is the portal's ``review_sla_days`` (review areas have no
SLA of their own), read when the question is asked, so a changed SLA applies to every open
review at once.

The rule has two forms that must agree, both here: ``age_in_working_days`` and
``is_overdue`` for one review in hand (the queue's rows, the API), and ``overdue_cutoff``,
the earliest opening date that is not overdue on a given day, which turns the rule into a
plain comparison a query can make and an index can serve (``ReviewQuerySet.overdue``: the
queue's filter, the home page tile, the dashboard, the reminders).
``tests/governance/test_overdue.py`` proves with generated dates that they agree.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` working days (Monday to Friday)."""
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def subtract_working_days(end: dt.date, days: int) -> dt.date:
    """The date ``days`` working days before ``end``."""
    current = end
    left = days
    while left > 0:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """The working days after ``start`` up to and including ``end`` (0 when ``end`` is not
    after ``start``): a review opened on a Friday is 1 working day old on Monday."""
    if end <= start:
        return 0
    full_weeks, extra = divmod((end - start).days, 7)
    count = full_weeks * 5
    day = start + dt.timedelta(days=full_weeks * 7)
    for _ in range(extra):
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def review_sla_days() -> int:
    """The working days a review may take: the portal's setting."""
    from coe_portal.models import PortalSettings

    return PortalSettings.load().review_sla_days


def opened_on(opened_at: dt.datetime) -> dt.date:
    """The local date a review opened."""
    return timezone.localdate(opened_at)


def age_in_working_days(opened_at: dt.datetime, today: dt.date) -> int:
    """How many working days a review opened at ``opened_at`` has been open on ``today``."""
    return working_days_between(opened_on(opened_at), today)


def overdue_cutoff(today: dt.date, sla_days: int) -> dt.date:
    """The earliest opening date that is not overdue on ``today``: a review opened before it
    is more than ``sla_days`` working days old. It is the (sla_days + 1)-th working day
    counted back from ``today`` (``today`` itself counting when it is one), which keeps the
    comparison exact on weekends too."""
    day = today
    seen = 1 if is_working_day(day) else 0
    while seen < sla_days + 1:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            seen += 1
    return day


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the portal's time zone: ``opened_at`` before it
    means opened on an earlier local date, a comparison an index on ``opened_at`` serves."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def is_overdue(opened_at: dt.datetime, today: dt.date, sla_days: int) -> bool:
    """Whether an open review opened at ``opened_at`` is overdue on ``today``: the same
    comparison ``ReviewQuerySet.overdue`` makes in the database."""
    return opened_on(opened_at) < overdue_cutoff(today, sla_days)


def due_date(opened_at: dt.datetime, sla_days: int) -> dt.date:
    """The last working day a review opened at ``opened_at`` is on time; it is overdue from
    the next working day."""
    return add_working_days(opened_on(opened_at), sla_days)


def queue_row_age(use_case, today: dt.date, sla_days: int) -> dict:
    """What a queue row (page and API) says of a proposal's age, from the queue's
    annotation ``review_opened`` (its oldest open review's ``opened_at``):

    - ``age``: the working days that review has been open; None while no review is open;
    - ``overdue``: that review is overdue, so the proposal is among those the queue's
      "overdue only" filter keeps (the oldest open review is overdue if any is);
    - ``waiting``: for a proposal with no review open yet (waiting for triage), the working
      days since it was submitted; never overdue, since no review's clock has started.
    """
    opened_at = getattr(use_case, "review_opened", None)
    if opened_at is not None:
        return {
            "age": age_in_working_days(opened_at, today),
            "overdue": is_overdue(opened_at, today, sla_days),
            "waiting": None,
        }
    submitted = use_case.submitted_at
    return {
        "age": None,
        "overdue": False,
        "waiting": working_days_between(opened_on(submitted), today) if submitted else None,
    }
