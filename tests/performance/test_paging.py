"""Capped counts: exact below the cap, "about"/"more than" past it, and paging that goes on
to the last row either way (pages and API)."""

from __future__ import annotations

import pytest

import usecases.views
from coe_portal import paging
from coe_portal.paging import CappedCountPaginator
from tests.factories import UseCaseFactory
from usecases.models import UseCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(employee):
    for i in range(12):
        UseCaseFactory(owner=employee, status="submitted", title=f"Row {i:02}")
    return UseCase.objects.order_by("title")


class SmallCap(CappedCountPaginator):
    count_cap = 5


def test_below_the_cap_the_count_is_exact(rows):
    paginator = CappedCountPaginator(rows, 5)
    assert (paginator.count, paginator.count_is_capped, paginator.num_pages) == (12, False, 3)
    assert paginator.count_label == "12"


def test_past_the_cap_paging_goes_on_to_the_last_row(rows):
    paginator = SmallCap(rows, 5)
    assert paginator.count == 5 and paginator.count_is_capped
    seen = []
    page = paginator.get_page(1)
    while True:
        seen += [uc.title for uc in page]
        if not page.has_next():
            break
        page = paginator.get_page(page.next_page_number())
    assert seen == [f"Row {i:02}" for i in range(12)]
    assert page.number == 3 and page.end_index() == 12


@pytest.mark.parametrize("number", [9, 10**20, 2**63, "-1"])
def test_past_the_last_row_a_page_falls_back_to_the_last(rows, number):
    page = SmallCap(rows, 5).get_page(number)
    assert (page.number, [uc.title for uc in page]) == (3, ["Row 10", "Row 11"])


def test_a_page_number_that_is_no_number_shows_the_first_page(rows):
    assert SmallCap(rows, 5).get_page("abc").number == 1


def test_the_label_says_more_than_past_the_cap(rows):
    label = SmallCap(rows, 5).count_label
    assert label == "more than 5" or label.startswith("about ")  # "about": PostgreSQL


def test_the_label_says_about_when_the_planner_estimates_well_past_the_cap(rows, monkeypatch):
    monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 93_421)
    assert SmallCap(rows, 5).count_label == "about 93,000"
    monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 4)
    assert SmallCap(rows, 5).count_label == "more than 5"


def test_explore_says_how_many_past_the_cap(client, employee, rows, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 5)
    monkeypatch.setattr(usecases.views, "PAGE_SIZE", 5)
    client.force_login(employee)
    text = client.get("/proposals/?page=2").content.decode()
    assert "Page 2<" in text and "Next" in text
    assert ("more than 5 proposals" in text) or ("about " in text)


def test_the_api_pages_past_the_cap_and_says_so(client, employee, rows, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 5)
    monkeypatch.setattr(paging.CappedPageNumberPagination, "page_size", 5)
    client.force_login(employee)
    body = client.get("/api/v1/use-cases/?page=3").json()
    assert body["count"] == 5 and body["count_is_capped"] is True
    assert len(body["results"]) == 2 and body["next"] is None
    assert client.get("/api/v1/use-cases/?page=2").json()["next"].endswith("page=3")


def test_rounded_estimates_do_not_look_exact():
    assert paging._rounded(93_421) == 93_000
    assert paging._rounded(1_049) == 1_000
    assert paging._rounded(42) == 42


def test_an_estimate_is_asked_of_the_planner_once(rows, settings):
    """Past the cap a list adds the planner's estimate; kept, it is asked once, so a long
    list runs as many queries as a short one (the benchmark's "queries constant")."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import skip_or_fail

    if not settings.IS_POSTGRES:
        skip_or_fail("the planner's estimate is PostgreSQL's: set DATABASE_URL=postgres://…")
    with CaptureQueriesContext(connection) as first:
        estimate = paging.planner_estimate(rows)
    with CaptureQueriesContext(connection) as second:
        assert paging.planner_estimate(rows) == estimate
    assert len(first) == 1 and len(second) == 0
    assert paging.planner_estimate(rows.filter(title="Row 01")) is not None
