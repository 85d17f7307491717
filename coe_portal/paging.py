"""Paging without an exact COUNT of huge tables.

An exact ``COUNT(*)`` reads every matching row: on 100,000 proposals it cost Explore most of
its time, and more with every year of history. So the count is capped: lists count at most
``COUNT_CAP`` + 1 matching rows (a ``LIMIT`` inside the count, cheap whatever the table
size). Beyond the cap the page says "about 93,000" on PostgreSQL (the planner's estimate for
the same query, which costs a plan and no scan, and is kept a while) and "more than 1,000"
elsewhere. Below the
cap every figure is exact, so small lists and the SQLite demo read as before.

Paging itself is not capped: beyond the cap a page fetches one row more than it shows to
know whether a next page exists, so "Next" (and the API's ``next``) lead on to the end.

A page number that is not a page of the list is never an error, on the pages and in the API
alike (Django's ``Paginator.get_page`` rule): one that is not a whole number shows the first
page; one below 1 or past the end, however large, shows the last. Only then is a list too
long to count counted in full, to know where its end is.
"""

from __future__ import annotations

import hashlib
import json
import math

from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_CAP = 1_000
ESTIMATE_SECONDS = 600
# The largest OFFSET the databases take (a signed 64-bit integer).
MAX_OFFSET = 2**63 - 1


def _rounded(n: int) -> int:
    """``n`` to two significant figures: an estimate should not look exact."""
    if n < 100:
        return n
    step = 10 ** (int(math.log10(n)) - 1)
    return round(n / step) * step


def planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows ``queryset`` returns (no rows are read), or None
    on other databases. An estimate needs no freshness, so each is kept for
    ``ESTIMATE_SECONDS``: a long list then costs the same queries as a short one."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    key = "paging:estimate:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    estimate = cache.get(key)
    if estimate is None:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        cache.set(key, estimate, ESTIMATE_SECONDS)
    return estimate


class CappedCountPaginator(Paginator):
    """A Paginator whose ``count`` stops at ``count_cap`` (see the module docstring).

    ``count_is_capped`` tells whether more rows match than were counted; ``count_label``
    is what a page shows: "1,234", "about 93,000" or "more than 1,000".
    """

    count_cap = COUNT_CAP

    def validate_number(self, number):
        if not self.count_is_capped:
            return super().validate_number(number)
        # Past the cap the number of pages is unknown: any page may exist; page() finds out.
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def get_page(self, number):
        """Page ``number``, or the first or last page when it is not one (module docstring)."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.last_page_number)

    @property
    def last_page_number(self) -> int:
        """The number of the last page, counting every row of a list past the cap."""
        if not self.count_is_capped:
            return self.num_pages
        if isinstance(self.object_list, QuerySet):
            total = self.object_list.count()
        else:
            total = len(self.object_list)
        return max(1, math.ceil(total / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_is_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page >= MAX_OFFSET:  # no list is that long; the query would fail
            raise EmptyPage("That page contains no results")
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return OpenEndedPage(
            rows[: self.per_page], number, self, has_more=len(rows) > self.per_page
        )

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            # COUNT over a LIMITed subquery: reads at most count_cap + 1 rows. Only the key
            # is selected, so annotations (subqueries per row) are not worked out.
            n = self.object_list.order_by().values("pk")[: self.count_cap + 1].count()
        else:
            n = len(self.object_list)
        return min(n, self.count_cap), n > self.count_cap

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_capped(self) -> bool:
        return self._counted[1]

    @cached_property
    def estimated_total(self) -> int | None:
        """Beyond the cap, the planner's estimate of all matches, or None where there is no
        planner to ask or its estimate is not clearly above the cap."""
        if not self.count_is_capped or not isinstance(self.object_list, QuerySet):
            return None
        estimate = planner_estimate(self.object_list)
        # An estimate below what was counted is wrong (search filters fool the planner):
        # then "more than" the cap is all that is known.
        return estimate if estimate is not None and estimate > self.count_cap * 1.1 else None

    @property
    def count_label(self) -> str:
        if not self.count_is_capped:
            return f"{self.count:,}"
        if self.estimated_total is not None:
            return f"about {_rounded(self.estimated_total):,}"
        return f"more than {self.count_cap:,}"


class OpenEndedPage(Page):
    """A page past the counted rows: whether another follows is known from the one extra
    row fetched, not from a count."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self) -> bool:
        return self._has_more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


class CappedPageNumberPagination(PageNumberPagination):
    """The API's page-number paging with the same capped count as the pages: ``count`` is
    exact up to ``COUNT_CAP``; ``count_is_capped`` says more rows match. ``next`` leads on
    to the last row either way."""

    django_paginator_class = CappedCountPaginator

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's paging with the pages' rule for page numbers that are not a page (the first
        or the last page; see the module docstring) instead of a 404."""
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        number = request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            number = paginator.last_page_number
        self.page = paginator.get_page(number)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True  # the browsable API's page links
        return list(self.page)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_capped"] = self.page.paginator.count_is_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"Matching rows, counted up to {COUNT_CAP:,}."
        )
        schema["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": f"True when more than {COUNT_CAP:,} rows match.",
        }
        schema["required"] = [*schema.get("required", []), "count_is_capped"]
        return schema
