"""Times the portal's three heavy jobs on the database in DATABASE_URL, each in a transaction
that is rolled back afterwards so the data set stays as generated (and the next run measures
the same work): the monthly adoption report, the daily KPI snapshot and the import of the
US federal AI use-case inventory. Prints one JSON object: {job: seconds}.

Run by bench/run.py; by hand: DATABASE_URL=… DEBUG=1 .venv/bin/python bench/timings.py CSV
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coe_portal.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from coe_portal.models import User  # noqa: E402
from metrics import reports, snapshots  # noqa: E402
from metrics.models import Report  # noqa: E402
from usecases import importing  # noqa: E402


class Rollback(Exception):
    pass


def timed(job) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            job()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return round(elapsed, 2)


def adoption_report() -> None:
    start, end = reports.period_for(Report.Kind.ADOPTION, timezone.localdate())
    report, _ = Report.objects.update_or_create(
        kind=Report.Kind.ADOPTION,
        period_start=start,
        defaults={"period_end": end, "status": Report.Status.PENDING, "error": ""},
    )
    result = reports.generate_report(report.pk, notify=False)
    if result is None or result.status != Report.Status.READY:
        raise RuntimeError(f"the report did not build: {getattr(result, 'error', '')}")


def kpi_snapshot() -> None:
    snapshots.take_snapshots(timezone.localdate())


def federal_import(path: Path):
    def job() -> None:
        admin = User.objects.get(username="admin")
        summary, rows = importing.import_file(
            path.read_bytes(),
            importing.load_mapping("builtin:federal-2025"),
            actor=admin,
            source_name=path.name,
        )
        if summary.created < 3000:
            raise RuntimeError(f"only {summary.created} of {len(rows)} rows imported")

    return job


def main() -> None:
    inventory = Path(sys.argv[1])
    results = {
        "adoption_report_s": timed(adoption_report),
        "kpi_snapshot_s": timed(kpi_snapshot),
        "federal_import_s": timed(federal_import(inventory)),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
