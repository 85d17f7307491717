"""Parts of pages shared through the cache (coe_portal.pagecache): rendered once for everyone
who sees the same, never shown to anyone who may not see them, and fresh after every change
made through the logic functions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coe_portal import pagecache
from tests.factories import UseCaseFactory, UserFactory
from usecases.counts import PROPOSALS
from usecases.engagement import toggle_endorsement
from usecases.lifecycle import change_status
from usecases.models import UseCaseEvent
from usecases.notifications import mark_read, notify_event

pytestmark = pytest.mark.django_db


def _explore(client, user, query: str = "") -> tuple[str, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/proposals/{query}")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_topic_bump_gives_new_keys(settings):
    before = pagecache.key("part", "open", topics=[PROPOSALS])
    assert pagecache.key("part", "open", topics=[PROPOSALS]) == before
    assert pagecache.key("part", "department-1", topics=[PROPOSALS]) != before
    pagecache.changed(PROPOSALS)
    assert pagecache.key("part", "open", topics=[PROPOSALS]) != before


def test_keys_of_several_parts_come_with_what_the_cache_holds():
    parts = {"figures": ["metrics"], "scatter": ["metrics", PROPOSALS]}
    first = pagecache.keys("page", "all", parts=parts)
    assert first["figures"] != first["scatter"]
    assert first["figures"].held is None
    pagecache.get_or_set(first["figures"], lambda: "<p>figures</p>")

    again = pagecache.keys("page", "all", parts=parts)
    assert again == first
    assert again["figures"].held == "<p>figures</p>"
    assert pagecache.keys("page", "department-1", parts=parts)["figures"] != first["figures"]

    pagecache.changed(PROPOSALS)
    after = pagecache.keys("page", "all", parts=parts)
    assert after["figures"] == first["figures"]  # not about proposals
    assert after["scatter"] != first["scatter"]


def test_explore_is_rendered_once_for_everyone_who_sees_the_same(
    client, employee, colleague, outsider
):
    UseCaseFactory.create_batch(3, status="submitted")
    first, first_queries = _explore(client, employee)
    for person in (colleague, outsider):
        body, queries = _explore(client, person)
        # No filter, count or list query: only the session, the person and their counts.
        assert queries < first_queries
        assert queries <= 4
        assert body.split('id="results"')[1] == first.split('id="results"')[1]


def test_a_change_shows_on_the_shared_explore_at_once(client, employee, colleague, reviewer):
    proposal = UseCaseFactory(status="submitted", title="Draft renewal letters")
    body, _ = _explore(client, employee)
    assert "Submitted" in body.split("Draft renewal letters")[1].split("</tr>")[0]

    change_status(proposal.pk, "triage", actor=reviewer)
    toggle_endorsement(proposal.pk, actor=colleague)
    toggle_endorsement(proposal.pk, actor=employee)

    body, _ = _explore(client, colleague)
    row = body.split("Draft renewal letters")[1].split("</tr>")[0]
    assert "In triage" in row
    assert '<td class="num">2</td>' in row


def test_drafts_stay_with_their_owner(client, employee, colleague):
    UseCaseFactory(status="submitted", title="Shared idea")
    UseCaseFactory(owner=employee, status="draft", title="Unfinished idea")
    own, _ = _explore(client, employee)
    other, _ = _explore(client, colleague)
    assert "Unfinished idea" in own and "Shared idea" in own
    assert "Unfinished idea" not in other and "Shared idea" in other


@pytest.mark.parametrize("first", ["champion", "reviewer", "employee"])
def test_confidential_proposals_stay_with_their_audience(
    client, first, champion, reviewer, employee, outsider, department, request
):
    UseCaseFactory(
        owner=UserFactory(department=department),
        status="submitted",
        confidential=True,
        title="Salary benchmark assistant",
    )
    people = {"champion": champion, "reviewer": reviewer, "employee": employee}
    order = [first, *(name for name in people if name != first)]
    seen = {
        name: "Salary benchmark assistant" in _explore(client, people[name])[0] for name in order
    }
    assert seen == {"champion": True, "reviewer": True, "employee": False}
    assert "Salary benchmark assistant" not in _explore(client, outsider)[0]


def test_filtered_explore_is_its_own_part(client, employee, colleague):
    UseCaseFactory(status="submitted", title="Contract summaries")
    UseCaseFactory(status="approved", title="Invoice matching")
    everything, _ = _explore(client, employee)
    approved, _ = _explore(client, colleague, "?status=approved")
    assert "Contract summaries" in everything and "Invoice matching" in everything
    assert "Contract summaries" not in approved and "Invoice matching" in approved
    assert 'value="approved" id="id_status_' in approved.split(" checked")[-2][-40:]


def test_the_unread_count_follows_notifications(client, employee, reviewer):
    proposal = UseCaseFactory(owner=employee, status="submitted")
    client.force_login(employee)
    assert "bell-count" not in client.get("/proposals/").content.decode()

    change_status(proposal.pk, "triage", actor=reviewer)
    notify_event(UseCaseEvent.objects.filter(use_case=proposal).latest("pk").pk)
    assert 'bell-count">1<' in client.get("/proposals/").content.decode()

    mark_read(employee)
    assert "bell-count" not in client.get("/proposals/").content.decode()


def test_the_api_list_is_shared_by_audience_and_fresh(client, champion, employee, reviewer):
    UseCaseFactory(
        owner=UserFactory(department=champion.department),
        status="submitted",
        confidential=True,
        title="Salary benchmark assistant",
    )
    open_one = UseCaseFactory(status="submitted", title="Contract summaries")

    def titles(person) -> tuple[set[str], int]:
        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/use-cases/")
        assert response.status_code == 200
        return {row["title"] for row in response.json()["results"]}, len(queries)

    assert titles(champion)[0] == {"Salary benchmark assistant", "Contract summaries"}
    first, first_queries = titles(employee)
    assert first == {"Contract summaries"}
    assert titles(UserFactory())[1] < first_queries  # the same audience: no list queries
    change_status(open_one.pk, "triage", actor=reviewer)
    client.force_login(employee)
    row = client.get("/api/v1/use-cases/").json()["results"][0]
    assert row["status"] == "triage"


def test_similar_proposals_are_shared_and_fresh(client, employee, colleague, reviewer):
    def similar(person) -> str:
        client.force_login(person)
        return client.get(
            "/proposals/similar/?title=Summarise+supplier+contracts", HTTP_HX_REQUEST="true"
        ).content.decode()

    first = UseCaseFactory(status="submitted", title="Summarise supplier contracts")
    assert "Summarise supplier contracts" in similar(employee)
    change_status(first.pk, "triage", actor=reviewer)
    assert "In triage" in similar(colleague)


def test_part_keys_change_with_the_secret_key(settings):
    """Parts hold slots marked with SECRET_KEY: a new key must not read the old parts."""
    before = pagecache.key("part", "open", topics=[PROPOSALS])
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert pagecache.key("part", "open", topics=[PROPOSALS]) != before


def test_part_keys_differ_between_databases(monkeypatch):
    """Two portals sharing one Redis database (staging and production, the benchmark's
    two sizes) must not serve each other's parts."""
    before = pagecache.key("part", "open", topics=[PROPOSALS])
    monkeypatch.setitem(connection.settings_dict, "NAME", "another_portal")
    assert pagecache.key("part", "open", topics=[PROPOSALS]) != before
