"""A proposal's page shares what it shows everyone (heading, answers, comments, files and
history, the governance summary) through coe_portal.pagecache, and keeps live what is the
person's own (their endorsement and follow, what they may do, the forms and their tokens)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coe_portal import pagecache
from governance.risk import override_tier
from tests.factories import ReviewFactory, RiskAssessmentFactory, UseCaseFactory, UserFactory
from usecases.duplicates import mark_duplicate
from usecases.engagement import add_comment, set_following, toggle_endorsement
from usecases.lifecycle import change_status
from usecases.models import UseCase
from usecases.proposals import update_proposal

pytestmark = pytest.mark.django_db


def _page(client, user, proposal) -> tuple[str, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(proposal.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _history(page: str) -> str:
    return page.split('<ol class="timeline">')[1].split("</ol>")[0]


@pytest.fixture
def proposal(employee):
    return UseCaseFactory(owner=employee, status="submitted", title="Summarise audit findings")


def test_a_second_reader_gets_the_shared_parts_without_their_queries(
    client, proposal, colleague, outsider
):
    add_comment(proposal.pk, actor=outsider, body="We would use this in Marketing too.")
    first, first_queries = _page(client, colleague, proposal)
    second, second_queries = _page(client, outsider, proposal)

    assert second_queries < first_queries
    # The person, their roles and their own counts (navigation), the proposal's live
    # columns, their follow and their endorsement: none of the shared parts' queries.
    assert second_queries <= 6
    # Again: their counts, follow and endorsement are kept too; the person, their roles
    # and the proposal's live columns (the access check) are read every time.
    _, third_queries = _page(client, outsider, proposal)
    assert third_queries <= 3
    for page in (first, second):
        assert "We would use this in Marketing too." in page
        assert "Summarise audit findings</h1>" in page
    assert _history(second) == _history(first)


def test_a_new_comment_shows_at_once(client, proposal, colleague, outsider):
    before, _ = _page(client, outsider, proposal)
    assert "Comments (0)" in before

    add_comment(proposal.pk, actor=colleague, body="Which audits does it cover?")

    after, _ = _page(client, outsider, proposal)
    assert "Comments (1)" in after
    assert "Which audits does it cover?" in after


def test_a_status_change_shows_at_once(client, proposal, colleague, reviewer):
    before, _ = _page(client, colleague, proposal)
    assert "In triage" not in before

    change_status(proposal.pk, "triage", actor=reviewer, note="Looking at it")

    after, _ = _page(client, colleague, proposal)
    lead = after.split('<p class="lead">')[1].split("</p>")[0]
    assert "In triage" in lead
    assert "Looking at it" in _history(after)


def test_a_change_to_another_proposal_leaves_this_page_shared(
    client, proposal, colleague, outsider, reviewer
):
    other = UseCaseFactory(owner=colleague, status="submitted", title="Route helpdesk tickets")
    _page(client, colleague, proposal)

    change_status(other.pk, "triage", actor=reviewer)
    add_comment(other.pk, actor=outsider, body="Which helpdesk?")

    client.force_login(outsider)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(proposal.get_absolute_url()).status_code == 200
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("usecases_comment", "usecases_usecaseevent", "usecases_attachment"):
        assert table not in read  # no part was rebuilt
    page, _ = _page(client, outsider, other)
    assert "Which helpdesk?" in page and "In triage" in page


def test_the_originals_new_title_shows_on_its_duplicates_page(client, colleague, reviewer):
    original = UseCaseFactory(owner=colleague, status="changes_requested", title="Draft replies")
    duplicate = UseCaseFactory(owner=UserFactory(), status="submitted", title="Reply drafts")
    mark_duplicate(duplicate.pk, original.pk, actor=reviewer)
    assert "Draft replies</a>" in _page(client, reviewer, duplicate)[0]

    update_proposal(
        original.pk, actor=colleague, data={"title": "Draft customer replies"},
        expected_version=UseCase.objects.get(pk=original.pk).version,
    )  # fmt: skip

    assert "Draft customer replies</a>" in _page(client, reviewer, duplicate)[0]


def test_a_tier_override_shows_on_the_shared_governance_summary(
    client, proposal, colleague, reviewer
):
    RiskAssessmentFactory(use_case=proposal, suggested_tier="limited")
    before, _ = _page(client, colleague, proposal)
    assert "Limited" in before.split('id="governance-panel"')[1]

    override_tier(proposal.pk, "high", actor=reviewer, reason="Decides about customers")

    after, _ = _page(client, colleague, proposal)
    assert "High" in after.split('id="governance-panel"')[1].split("</section>")[0]


def test_each_person_keeps_their_own_engagement_and_actions(client, colleague, outsider):
    owner = UserFactory(username="olga", department=colleague.department)
    proposal = UseCaseFactory(owner=owner, status="changes_requested", title="Draft replies")
    toggle_endorsement(proposal.pk, actor=colleague)

    owners, _ = _page(client, owner, proposal)
    colleagues, _ = _page(client, colleague, proposal)
    outsiders, _ = _page(client, outsider, proposal)

    assert "Now with:" in owners and f"/proposals/{proposal.pk}/edit/" in owners
    for page in (colleagues, outsiders):
        assert "Now with:" not in page and f"/proposals/{proposal.pk}/edit/" not in page
    assert "Endorsed ✓" in colleagues
    assert "Endorsed ✓" not in outsiders and ">Endorse<" in outsiders
    assert "1 endorsement<" in outsiders


def _support(page: str) -> str:
    """The support card: its counters (markup left out) and the person's buttons."""
    card = page.split('<p class="counters">')[1].split("</section>")[0]
    return card.replace('<span id="endorsement-count">', "").replace("</span>", "", 1)


def test_endorsing_and_following_show_at_once_to_the_person_and_in_the_counts(
    client, proposal, colleague, outsider
):
    for person in (colleague, outsider):  # both have the page's support card cached now
        assert "0 endorsements · 0 followers" in _support(_page(client, person, proposal)[0])

    toggle_endorsement(proposal.pk, actor=colleague)
    set_following(proposal.pk, actor=colleague, follow=True)

    colleagues = _support(_page(client, colleague, proposal)[0])
    outsiders = _support(_page(client, outsider, proposal)[0])
    assert "Endorsed ✓" in colleagues and "Following ✓" in colleagues
    assert ">Endorse<" in outsiders and ">Follow<" in outsiders
    for support in (colleagues, outsiders):
        assert "1 endorsement · 1 follower<" in support

    set_following(proposal.pk, actor=colleague, follow=False)
    assert ">Follow<" in _support(_page(client, colleague, proposal)[0])
    assert "· 0 followers" in _support(_page(client, outsider, proposal)[0])


def test_a_commenter_follows_at_once(client, proposal, outsider):
    assert ">Follow<" in _support(_page(client, outsider, proposal)[0])

    add_comment(proposal.pk, actor=outsider, body="How do you check the summaries?")

    assert "Following ✓" in _support(_page(client, outsider, proposal)[0])


def test_followers_moved_by_a_merge_show_on_the_original(client, proposal, colleague, reviewer):
    duplicate = UseCaseFactory(owner=colleague, status="submitted", title="Audit summaries")
    set_following(duplicate.pk, actor=reviewer, follow=True)
    assert "Following ✓" in _support(_page(client, reviewer, duplicate)[0])
    assert ">Follow<" in _support(_page(client, reviewer, proposal)[0])

    mark_duplicate(duplicate.pk, proposal.pk, actor=reviewer)

    # The reviewer and the duplicate's owner now follow the original.
    assert "Following ✓" in _support(_page(client, reviewer, proposal)[0])
    assert "· 2 followers" in _support(_page(client, colleague, proposal)[0])
    assert "· 0 followers" in _support(_page(client, reviewer, duplicate)[0])


@pytest.mark.parametrize("first", ["reviewer", "colleague"])
def test_reviews_stay_with_those_who_may_read_them(client, first, proposal, reviewer, colleague):
    """The reviewer's panel (reviews, their rationale) is theirs; everyone else shares the
    summary, whoever opened the page first."""
    proposal.status = "in_review"
    proposal.save()
    RiskAssessmentFactory(use_case=proposal)
    ReviewFactory(use_case=proposal, rationale="Needs a named human approver")
    people = {"reviewer": reviewer, "colleague": colleague}
    pages = {}
    for name in [first, *(n for n in people if n != first)]:
        pages[name], _ = _page(client, people[name], proposal)

    assert "Needs a named human approver" in pages["reviewer"]
    assert "Needs a named human approver" not in pages["colleague"]
    assert "Reviews and their reasoning are visible to" in pages["colleague"]


def test_a_confidential_proposal_stays_with_its_audience(
    client, department, champion, employee, outsider, reviewer
):
    secret = UseCaseFactory(
        owner=UserFactory(department=department),
        status="submitted",
        confidential=True,
        title="Salary benchmark assistant",
    )
    for person in (champion, reviewer):
        page, _ = _page(client, person, secret)
        assert "Salary benchmark assistant" in page

    for person in (employee, outsider):
        client.force_login(person)
        assert client.get(secret.get_absolute_url()).status_code == 404


def test_no_shared_part_holds_a_csrf_token(
    client, monkeypatch, proposal, employee, colleague, champion, reviewer
):
    """Parts are rendered once and shown to many: a token in one would be another
    person's."""
    held = []
    get_or_set = pagecache.get_or_set

    def recording(part_key, build):
        held.append(get_or_set(part_key, build))
        return held[-1]

    monkeypatch.setattr(pagecache, "get_or_set", recording)
    add_comment(proposal.pk, actor=colleague, body="Count me in")
    for person in (employee, colleague, champion, reviewer):
        page, _ = _page(client, person, proposal)
        assert "csrfmiddlewaretoken" in page  # the live forms have theirs

    assert held
    assert not [html for html in held if isinstance(html, str) and "csrfmiddlewaretoken" in html]
