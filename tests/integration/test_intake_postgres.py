"""The intake on real PostgreSQL and Redis: indexed similar-proposal search, full-text
Explore search, and notifications sent by a real Celery worker after commit."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from tests.factories import UseCaseFactory, UserFactory
from tests.integration.conftest import wait_until
from usecases import similar
from usecases.choices import Status
from usecases.filters import search
from usecases.lifecycle import change_status
from usecases.models import Follow, Notification, UseCase

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEIGHBOURS = [
    (
        "Summarise supplier contracts and renewal dates",
        "Legal reads supplier contracts to find renewal terms.",
    ),
    ("Chatbot for HR policy questions", "Employees ask HR the same policy questions."),
    ("Forecast warehouse demand", "Planners guess demand for the next quarter."),
    ("Translate product manuals", "Manuals must be translated into nine languages."),
    ("Detect invoice fraud", "Accounts payable misses duplicate invoices."),
]


@pytest.fixture
def corpus(employee, outsider):
    for title, problem in NEIGHBOURS:
        UseCaseFactory(owner=outsider, status="submitted", title=title, problem=problem)
    UseCaseFactory(
        owner=outsider, status="submitted", confidential=True,
        title="Summarise supplier contracts secretly", problem="Confidential contracts.",
    )  # fmt: skip


def test_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'usecases_usecase'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"usecase_title_trgm", "usecase_search_tsv"} <= names


def test_similar_finds_the_right_neighbour_and_hides_confidential(corpus, employee):
    results = similar.similar_to(
        employee, "Summarize supplier contract", "renewal terms in contracts"
    )
    assert results[0].title == "Summarise supplier contracts and renewal dates"
    assert all("secretly" not in uc.title for uc in results)


def _fill_to_100k(template: UseCase) -> None:
    """100,000 more visible proposals, made in SQL from one template row."""
    columns = [
        f.column
        for f in UseCase._meta.concrete_fields
        if f.column not in ("id", "title", "problem")
    ]
    column_list = ", ".join(columns)
    with connection.cursor() as cursor:
        insert = f"INSERT INTO usecases_usecase (title, problem, {column_list}) "
        cursor.execute(
            insert  # noqa: S608 (the model's own column names, no input)
            + """
            SELECT (ARRAY['Automate','Draft','Classify','Translate','Search','Forecast','Review',
                          'Route'])[1 + g %% 8] || ' ' ||
                   (ARRAY['invoices','tickets','emails','policies','claims','orders','logs',
                          'timesheets','requests','surveys'])[1 + (g / 8) %% 10] || ' ' || md5(g::text),
                   'Teams spend hours on ' || md5((g * 7)::text), """
            + column_list
            + """
            FROM usecases_usecase, generate_series(1, 100000) AS g
            WHERE id = %s
            """,
            [template.pk],
        )
        cursor.execute("ANALYZE usecases_usecase")


def test_similar_uses_the_gin_indexes_and_stays_fast_at_100k(corpus, employee, outsider):
    _fill_to_100k(UseCaseFactory(owner=outsider, status="submitted", title="x", problem="y"))
    base = UseCase.objects.visible_to(employee)
    words = similar.telling_words("Summarize supplier contract renewal terms")
    candidates = similar.postgres_candidates(base, "Summarize supplier contract", words)
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "usecase_title_trgm" in plan, plan
    assert "usecase_search_tsv" in plan, plan

    started = time.monotonic()
    results = similar.similar_to(employee, "Summarize supplier contract", "renewal terms")
    elapsed = time.monotonic() - started
    assert results[0].title == "Summarise supplier contracts and renewal dates"
    assert elapsed < 0.5, f"similar search took {elapsed:.3f} s at 100k rows"


def test_the_very_title_is_found_among_many_proposals_that_share_its_words(employee, outsider):
    """The broad candidates stop at 200 matches in table order: 400 older proposals that
    share the title's common words come first there, and must not hide the one that has
    the very title being typed."""
    template = UseCaseFactory(owner=outsider, status="submitted", title="x", problem="y")
    columns = [f.column for f in UseCase._meta.concrete_fields if f.column not in ("id", "title")]
    column_list = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO usecases_usecase (title, {column_list}) "  # noqa: S608 (own columns)
            f"SELECT 'Summarise supplier invoices for the team ' || g, {column_list} "
            "FROM usecases_usecase, generate_series(1, 400) AS g WHERE id = %s",
            [template.pk],
        )
    wanted = UseCaseFactory(
        owner=outsider, status="submitted", title="Summarise supplier contracts and renewal dates"
    )

    results = similar.similar_to(employee, "Summarise supplier contracts and renewal dates")

    assert results[0] == wanted


def test_explore_full_text_search_stems_words(corpus, employee):
    found = search(UseCase.objects.visible_to(employee), "translating manual")
    assert [uc.title for uc in found] == ["Translate product manuals"]


def test_notifications_are_made_by_the_worker_after_commit(celery_worker, employee, reviewer):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    follower = UserFactory()
    Follow.objects.create(use_case=use_case, user=follower)

    change_status(use_case.pk, Status.TRIAGE, actor=reviewer)

    wait_until(lambda: Notification.objects.filter(use_case=use_case).count() == 2)
    notes = Notification.objects.filter(use_case=use_case)
    assert {n.recipient_id for n in notes} == {employee.pk, follower.pk}
    wait_until(lambda: not Notification.objects.filter(use_case=use_case, emailed_at=None).exists())
