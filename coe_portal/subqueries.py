"""Query expressions the apps share."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(rows: QuerySet, group_by: str) -> Coalesce:
    """The number of ``rows`` as an annotation: a subquery grouped by ``group_by`` (the
    column ``rows`` is filtered on, usually against an ``OuterRef``), 0 when none match.

    Unlike ``Count`` over a join, it needs no GROUP BY on the outer query, and PostgreSQL
    works it out only for the rows the outer query returns (a page of 25, not the table).
    """
    counted = rows.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)
