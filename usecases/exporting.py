"""CSV export of a list of proposals, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.conf import settings

from coe_portal.spreadsheets import safe_cell

COLUMNS = [
    ("id", "Number"),
    ("title", "Title"),
    ("status", "Status"),
    ("department", "Department"),
    ("owner", "Owner"),
    ("category", "Category"),
    ("quadrant", "Quadrant"),
    ("value_score", "Value score"),
    ("feasibility_score", "Feasibility score"),
    ("endorsement_count", "Endorsements"),
    ("problem", "Problem"),
    ("solution", "Solution"),
    ("created_at", "Created"),
    ("link", "Link"),
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def row_for(use_case) -> list[str]:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    values = {
        "id": use_case.pk,
        "title": use_case.title,
        "status": use_case.get_status_display(),
        "department": use_case.department.name,
        "owner": str(use_case.owner),
        "category": use_case.get_category_display(),
        "quadrant": use_case.get_quadrant_display(),
        "value_score": use_case.value_score,
        "feasibility_score": use_case.feasibility_score,
        "endorsement_count": use_case.endorsement_count,
        "problem": use_case.problem,
        "solution": use_case.solution,
        "created_at": use_case.created_at.date().isoformat(),
        "link": base + use_case.get_absolute_url(),
    }
    return [safe_cell(values[key]) for key, _label in COLUMNS]


def csv_lines(queryset: Iterable) -> Iterator[str]:
    """The CSV, line by line, for a streaming response (the queryset is read in chunks)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([label for _key, label in COLUMNS])  # BOM: Excel reads UTF-8
    iterator = queryset.iterator(chunk_size=1000) if hasattr(queryset, "iterator") else queryset
    for use_case in iterator:
        yield writer.writerow(row_for(use_case))
