"""Celery tasks: thin wrappers over snapshots.py and reports.py, safe to run twice.

Schedules live in the database (django-celery-beat), created by migration 0002 and
editable in the admin under "Periodic tasks".
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from metrics import reports, snapshots
from metrics.models import Report

logger = logging.getLogger(__name__)

# Errors worth trying again: the database went away or refused a connection for a moment.
# Anything else is a bug or bad data; it is recorded on the report and left for a person.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 3


@shared_task(autoretry_for=TRANSIENT_ERRORS, retry_backoff=30, max_retries=MAX_RETRIES)
def take_kpi_snapshots(as_of: str | None = None, slugs: list[str] | None = None) -> int:
    """Today's KPI snapshots (or those of ``as_of``, an ISO date; every KPI, or those named).
    An upsert: safe to repeat."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return snapshots.take_snapshots(day, slugs)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def generate_report_task(self, report_id: int) -> str:
    """Generate one report by id; a transient error is retried with a growing delay."""
    try:
        report = reports.generate_report(report_id)
    except TRANSIENT_ERRORS as exc:
        logger.warning("Report %s failed (%s); retrying", report_id, exc)
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    except Exception:
        # Recorded on the row by generate_report; a person can read it and generate again.
        logger.exception("Report %s failed", report_id)
        return "failed"
    return "skipped" if report is None else report.status


@shared_task
def generate_scheduled_report(kind: str) -> int:
    """Beat's entry point: queue the report of ``kind`` for the last complete period."""
    if kind not in Report.Kind.values:
        raise ValueError(f"unknown report kind {kind!r}")
    start, _end = reports.period_for(kind, timezone.localdate())
    return reports.request_report(kind, start, replace_ready=False).pk
