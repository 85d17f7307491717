from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from metrics.snapshots import backfill


class Command(BaseCommand):
    help = (
        "Compute KPI snapshots for past dates, 'as of' each date from timestamps and the "
        "proposals' event log. Existing snapshots for those dates are replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365, help="How far back (default 365).")
        parser.add_argument("--start", help="First date (YYYY-MM-DD); overrides --days.")
        parser.add_argument("--end", help="Last date (YYYY-MM-DD); default today.")
        parser.add_argument("--step", type=int, default=1, help="Every N-th day (default 1).")

    def handle(self, *args, days, start, end, step, **options):
        try:
            last = dt.date.fromisoformat(end) if end else timezone.localdate()
            first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=days)
        except ValueError as exc:
            raise CommandError(f"Dates are YYYY-MM-DD: {exc}") from exc
        if first > last or step < 1:
            raise CommandError("--start must not be after --end, and --step at least 1.")
        rows = backfill(first, last, step_days=step, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Stored {rows} snapshots from {first} to {last}."))
