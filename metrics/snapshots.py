"""Storing KPI values as snapshots, and reading them back for the dashboards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from metrics import kpis
from metrics.models import KpiSnapshot


def take_snapshots(as_of: dt.date | None = None, slugs: Iterable[str] | None = None) -> int:
    """Compute every KPI as of ``as_of`` (today by default) and store one row per KPI and
    scope. Running it again for the same date replaces the values: the unique key on
    (date, kpi, scope) turns the insert into an update. Returns the rows written."""
    as_of = as_of or timezone.localdate()
    values = kpis.compute_all(as_of, slugs)
    now = timezone.now()
    rows = []
    for slug, value in values.items():
        rows.append(
            KpiSnapshot(
                date=as_of,
                kpi=slug,
                department=None,
                scope=0,
                value=value.organisation,
                computed_at=now,
            )
        )
        for dept_id, dept_value in value.by_department.items():
            rows.append(
                KpiSnapshot(
                    date=as_of,
                    kpi=slug,
                    department_id=dept_id,
                    scope=dept_id,
                    value=dept_value,
                    computed_at=now,
                )
            )
    with transaction.atomic():
        KpiSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["date", "kpi", "scope"],
            update_fields=["value", "computed_at"],
            batch_size=500,
        )
    return len(rows)


def backfill(start: dt.date, end: dt.date, *, step_days: int = 1, stdout=None) -> int:
    """Snapshots for every ``step_days``-th date from ``start`` to ``end`` (inclusive),
    computed "as of" each date from timestamps and the event log. Safe to run again."""
    if start > end:
        raise ValueError("start must not be after end")
    total = 0
    day = start
    while day <= end:
        total += take_snapshots(day)
        if stdout is not None and day.day == 1:
            stdout.write(f"  {day:%Y-%m}…")
        day += dt.timedelta(days=step_days)
    return total


def latest_date() -> dt.date | None:
    return KpiSnapshot.objects.aggregate(latest=Max("date"))["latest"]


def month_ends(latest: dt.date, months: int = 12) -> list[dt.date]:
    """The last day of each of the ``months`` months up to ``latest`` (``latest`` itself
    stands for its own, unfinished month), oldest first."""
    dates = [latest]
    day = latest.replace(day=1) - dt.timedelta(days=1)
    while len(dates) < months:
        dates.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return list(reversed(dates))


def series(
    *, dates: Iterable[dt.date], kpi_slugs: Iterable[str], scopes: Iterable[int]
) -> dict[tuple[str, int], dict[dt.date, float | None]]:
    """{(kpi, scope): {date: value}} for the given dates, KPIs and scopes, in one query."""
    result: dict[tuple[str, int], dict[dt.date, float | None]] = {}
    rows = KpiSnapshot.objects.filter(
        date__in=list(dates), kpi__in=list(kpi_slugs), scope__in=list(scopes)
    ).values_list("kpi", "scope", "date", "value")
    for kpi, scope, date, value in rows:
        result.setdefault((kpi, scope), {})[date] = value
    return result


def nearest_on_or_before(dates: set[dt.date], wanted: dt.date) -> dt.date | None:
    """The latest of ``dates`` not after ``wanted`` (snapshots may skip days)."""
    earlier = [d for d in dates if d <= wanted]
    return max(earlier) if earlier else None
