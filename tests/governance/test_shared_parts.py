"""The review queue and the register are shared through the cache (coe_portal.pagecache):
rendered once for everyone with the same queue or the same view of the register, fresh after
every change made through the logic functions, never shown to anyone who may not see them,
and with each reader's own CSRF token and "Assign to me"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.admin import site
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coe_portal import pagecache
from coe_portal.models import AIPlatform
from coe_portal.roles import Role
from coe_portal.templatetags import shared_parts
from governance import policy, register, reviews
from governance.admin import RegisterEntryAdmin
from governance.choices import Outcome
from governance.forms import PlatformForm
from governance.models import Condition, RegisterEntry
from governance.reviews import ConditionInput
from governance.risk import override_tier
from tests.factories import UseCaseFactory, UserFactory
from tests.governance.conftest import answer_all
from usecases.counts import proposal_topic

pytestmark = pytest.mark.django_db

QUEUE = "/governance/queue/"
REGISTER = "/governance/register/"


@pytest.fixture
def second_reviewer(department):
    return UserFactory(username="rhea", department=department, roles=[Role.COE_REVIEWER])


def _get(client, user, url, **headers) -> tuple[str, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (user, url, response.status_code)
    return response.content.decode(), len(queries)


def _results(body: str) -> str:
    """The results part as every reader sees it: without the reader's own bits."""
    part = body.split('id="results"')[1].split("</table>")[0]
    part = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", part)
    return re.sub(r"<form[^>]*>[^<]*<input[^>]*>\s*<button[^>]*>Assign to me</button></form>", "", part)  # fmt: skip


def _row(body: str, title: str) -> str:
    """The table row of the proposal called ``title``."""
    at = body.index(title)
    return body[body.rindex("<tr", 0, at) : body.index("</tr>", at)]


def _decide_all(use_case, actor, **extra):
    for review in use_case.reviews.filter(status="open"):
        reviews.decide_review(
            review.pk, actor=actor, outcome=extra.pop("outcome", Outcome.APPROVE),
            rationale="Fine.", answers=answer_all(review), expected_version=review.version,
            conditions=extra.pop("conditions", None),
        )  # fmt: skip


def _approved(owner, actor, title, **extra):
    proposal = UseCaseFactory(
        owner=owner, status="submitted", submitted_at=timezone.now(), title=title
    )
    reviews.accept_for_review(proposal.pk, actor=actor)
    _decide_all(proposal, actor, **extra)
    return proposal


# --- the queue ---------------------------------------------------------------------------


def test_the_queue_is_rendered_once_for_all_coe_staff(
    client, employee, reviewer, second_reviewer, coe_admin
):
    for i in range(3):
        UseCaseFactory(owner=employee, status="submitted", submitted_at=timezone.now(), title=f"Idea {i}")  # fmt: skip
    first, first_queries = _get(client, reviewer, QUEUE)
    for person in (second_reviewer, coe_admin):
        body, queries = _get(client, person, QUEUE)
        # No filter, count, list or triager query: the session, the person, their roles.
        assert queries < first_queries
        assert queries <= 3
        assert _results(body) == _results(first)
        assert "Idea 2" in body


@pytest.mark.parametrize("first", ["reviewer", "second_reviewer"])
def test_assign_to_me_is_offered_to_everyone_but_the_assignee(
    client, submitted, reviewer, second_reviewer, first
):
    reviews.assign(submitted.pk, reviewer, actor=reviewer)
    people = {"reviewer": reviewer, "second_reviewer": second_reviewer}
    order = [first, *(name for name in people if name != first)]
    rows = {name: _row(_get(client, people[name], QUEUE)[0], "Contract digest") for name in order}
    assert "Assign to me" not in rows["reviewer"]
    assert "Assign to me" in rows["second_reviewer"]
    assert str(reviewer) in rows["second_reviewer"]  # the Assigned column, for both


def test_each_reader_posts_with_their_own_csrf_token(submitted, reviewer, second_reviewer):
    tokens = {}
    for person in (reviewer, second_reviewer):  # the second reads the part the first cached
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        row = _row(client.get(QUEUE).content.decode(), "Contract digest")
        tokens[person.pk] = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', row)[1]
        response = client.post(
            reverse("governance:assign", args=[submitted.pk]),
            {"csrfmiddlewaretoken": tokens[person.pk], "next": QUEUE},
        )
        assert response.status_code == 302, "the token in the shared part is not the reader's"
    assert tokens[reviewer.pk] != tokens[second_reviewer.pk]
    submitted.triage.refresh_from_db()
    assert submitted.triage.assignee == second_reviewer


def test_the_queue_rows_link_to_their_actions(client, submitted, reviewer):
    row = _row(_get(client, reviewer, QUEUE)[0], "Contract digest")
    for name in ("case", "assign", "accept", "reject"):
        assert f'"{reverse(f"governance:{name}", args=[submitted.pk])}"' in row
    assert reverse("usecases:usecase_mark_duplicate", args=[submitted.pk]) in row
    assert f'<option value="{reviewer.pk}">' in row


def test_changes_through_the_logic_show_on_the_shared_queue_at_once(
    client, submitted, reviewer, second_reviewer
):
    assert "nobody" in _row(_get(client, reviewer, QUEUE)[0], "Contract digest")

    reviews.assign(submitted.pk, second_reviewer, actor=reviewer)
    row = _row(_get(client, reviewer, QUEUE)[0], "Contract digest")
    assert str(second_reviewer) in row
    assert f'<option value="{second_reviewer.pk}" selected>' in row

    reviews.accept_for_review(submitted.pk, actor=reviewer)
    row = _row(_get(client, second_reviewer, QUEUE)[0], "Contract digest")
    assert "In review" in row and "Open reviews" in row and "Assign to me" not in row

    _decide_all(submitted, reviewer)
    assert "Contract digest" not in _get(client, reviewer, QUEUE)[0]


def test_a_rejected_proposal_leaves_the_shared_queue(client, submitted, reviewer):
    assert "Contract digest" in _get(client, reviewer, QUEUE)[0]
    reviews.reject_out_of_scope(submitted.pk, actor=reviewer, note="Not generative AI.")
    assert "Contract digest" not in _get(client, reviewer, QUEUE)[0]


@pytest.mark.parametrize("first", ["champion", "reviewer", "other_champion"])
def test_champions_see_only_their_departments_queue(
    client, first, submitted, foreign_submitted, champion, reviewer, other_department
):
    people = {
        "champion": champion,
        "reviewer": reviewer,
        "other_champion": UserFactory(department=other_department, roles=[Role.CHAMPION]),
    }
    order = [first, *(name for name in people if name != first)]
    seen = {}
    for name in order:
        body = _get(client, people[name], QUEUE)[0]
        seen[name] = ("Contract digest" in body, "Ad copy helper" in body)
    assert seen == {
        "champion": (True, False),
        "reviewer": (True, True),
        "other_champion": (False, True),
    }


def test_assigned_to_me_is_each_persons_own(client, submitted, reviewer, second_reviewer):
    reviews.assign(submitted.pk, reviewer, actor=reviewer)
    assert "Contract digest" in _get(client, reviewer, f"{QUEUE}?assignee=me")[0]
    assert "Contract digest" not in _get(client, second_reviewer, f"{QUEUE}?assignee=me")[0]


def test_a_new_sla_shows_at_once(client, employee, reviewer, coe_admin):
    UseCaseFactory(
        owner=employee, status="submitted", title="Old idea",
        submitted_at=timezone.now() - timedelta(days=30),
    )  # fmt: skip
    assert "overdue" in _row(_get(client, reviewer, QUEUE)[0], "Old idea")
    policy.save_settings(actor=coe_admin, operating_model="centralized", review_sla_days=60)
    body = _get(client, reviewer, QUEUE)[0]
    assert "overdue" not in _row(body, "Old idea")
    assert "SLA 60 working days" in body


def test_the_queue_ages_with_the_calendar(client, employee, reviewer, monkeypatch):
    UseCaseFactory(owner=employee, status="submitted", submitted_at=timezone.now(), title="New idea")  # fmt: skip
    assert '<td class="num">0 d</td>' in _row(_get(client, reviewer, QUEUE)[0], "New idea")
    next_week = timezone.localdate() + timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *args: next_week)
    assert '<td class="num">5 d</td>' in _row(_get(client, reviewer, QUEUE)[0], "New idea")


def test_htmx_gets_the_shared_results_alone(client, submitted, reviewer, second_reviewer):
    full, _ = _get(client, reviewer, QUEUE)
    fragment, _ = _get(client, second_reviewer, QUEUE, HTTP_HX_REQUEST="true")
    assert fragment.lstrip().startswith('<div id="results">')
    assert "<html" not in fragment and "Contract digest" in fragment
    assert _results(fragment) == _results(full)


# --- the register ------------------------------------------------------------------------


def test_the_register_is_rendered_once_for_its_readers(
    client, employee, reviewer, second_reviewer, leader
):
    _approved(employee, reviewer, "Invoice matching")
    first, first_queries = _get(client, reviewer, REGISTER)
    assert "Invoice matching" in first
    for person in (second_reviewer, leader):
        body, queries = _get(client, person, REGISTER)
        assert queries < first_queries
        assert queries <= 4
        assert body.split('id="results"')[1] == first.split('id="results"')[1]


def test_the_register_stays_with_its_readers(client, employee, reviewer, champion):
    _approved(employee, reviewer, "Invoice matching")
    _get(client, reviewer, REGISTER)
    for person in (employee, champion):
        client.force_login(person)
        response = client.get(REGISTER)
        assert response.status_code == 403
        assert "Invoice matching" not in response.content.decode()


def test_confidential_use_cases_are_in_every_readers_register(client, employee, reviewer, leader):
    proposal = _approved(employee, reviewer, "Salary benchmark assistant")
    proposal.__class__.objects.filter(pk=proposal.pk).update(confidential=True)
    cache.clear()
    for person in (leader, reviewer):
        assert "Salary benchmark assistant" in _get(client, person, REGISTER)[0]


def test_changes_through_the_logic_show_on_the_shared_register_at_once(
    client, employee, reviewer, leader, coe_admin
):
    body = _get(client, leader, REGISTER)[0]
    assert "Invoice matching" not in body

    due = timezone.localdate() + timedelta(days=30)
    proposal = _approved(
        employee, reviewer, "Invoice matching",
        outcome=Outcome.APPROVE_WITH_CONDITIONS,
        conditions=[ConditionInput("Label AI output", employee, due)],
    )  # fmt: skip
    row = _row(_get(client, reviewer, REGISTER)[0], "Invoice matching")
    assert '<span class="badge warning">1</span>' in row

    reviews.mark_condition_met(Condition.objects.get(use_case=proposal).pk, actor=employee)
    row = _row(_get(client, leader, REGISTER)[0], "Invoice matching")
    assert '<td class="num">0</td>' in row

    override_tier(proposal.pk, "high", actor=reviewer, reason="Decides about people.")
    assert "tier-high" in _row(_get(client, reviewer, REGISTER)[0], "Invoice matching")

    register.record_go_live(
        proposal.pk, "in_pilot", actor=employee, expected_status="approved_with_conditions"
    )
    assert "In pilot" in _row(_get(client, leader, REGISTER)[0], "Invoice matching")

    proposal.register_entry.__class__.objects.filter(use_case=proposal).update(
        next_review_on=timezone.localdate() - timedelta(days=1)
    )
    register.open_due_rereviews()  # the schedule's change, through the logic function
    assert "re-review open" in _row(_get(client, reviewer, REGISTER)[0], "Invoice matching")

    platform = AIPlatform.objects.order_by("pk").first()
    proposal.__class__.objects.filter(pk=proposal.pk).update(platform=platform)
    pagecache.changed("proposals")  # what a proposal's edit does (usecases.proposals)
    assert platform.name in _row(_get(client, reviewer, REGISTER)[0], "Invoice matching")
    form = PlatformForm({**PlatformForm(instance=platform).initial, "name": "Renamed bot"}, instance=platform)  # fmt: skip
    assert form.is_valid(), form.errors
    policy.save_platform(form, actor=coe_admin)
    assert "Renamed bot" in _row(_get(client, leader, REGISTER)[0], "Invoice matching")


def test_an_edit_in_the_admin_shows_on_the_register_at_once(client, employee, reviewer, rf):
    proposal = _approved(employee, reviewer, "Invoice matching")
    assert "2 Jan 2099" not in _get(client, reviewer, REGISTER)[0]
    entry = proposal.register_entry
    entry.next_review_on = date(2099, 1, 2)
    RegisterEntryAdmin(RegisterEntry, site).save_model(rf.post("/"), entry, None, True)
    assert "2 Jan 2099" in _row(_get(client, reviewer, REGISTER)[0], "Invoice matching")


def test_a_filtered_register_is_its_own_part(client, employee, reviewer, leader):
    _approved(employee, reviewer, "Invoice matching")
    everything, _ = _get(client, reviewer, REGISTER)
    production, _ = _get(client, leader, f"{REGISTER}?status=in_production")
    assert "Invoice matching" in everything and "Invoice matching" not in production
    assert '<option value="in_production" selected>' in production


# --- the shared part itself --------------------------------------------------------------


def test_a_shared_part_caches_a_slot_not_the_csrf_token(rf, reviewer, second_reviewer):
    template = Template(
        "{% load shared_parts %}{% sharedpart key %}<form>{% csrf_token %}</form>"
        "{% notfor owner %}mine{% endnotfor %}{% endsharedpart %}"
    )
    part = pagecache.key("test-part", topics=[])
    out = {}
    for person, token in ((reviewer, "a" * 64), (second_reviewer, "b" * 64)):
        request = rf.get("/")
        request.user = person
        context = Context({"key": part, "csrf_token": token, "owner": reviewer.pk})
        context.request = request
        out[person] = template.render(context)
        assert token in out[person]
        cached = cache.get(part)
        assert shared_parts._csrf_slot() in cached and token not in cached
    assert "mine" not in out[reviewer] and "mine" in out[second_reviewer]
    assert "<!--" not in out[reviewer] + out[second_reviewer]
    # Outside a shared part, {% notfor %} decides at once.
    outside = Template("{% load shared_parts %}{% notfor owner %}mine{% endnotfor %}")
    for person, shown in ((reviewer, ""), (second_reviewer, "mine")):
        context = Context({"owner": reviewer.pk})
        context.request = rf.get("/")
        context.request.user = person
        assert outside.render(context) == shown


def test_each_governance_change_bumps_the_proposals_own_page(
    monkeypatch, employee, reviewer, second_reviewer, rf
):
    """A proposal's page keeps its shared parts under its own topic (not the lists'), so
    every governance function that changes a proposal must bump that topic too."""
    bumped: list[str] = []
    changed = pagecache.changed

    def recording(*topics):
        bumped.extend(topics)
        changed(*topics)

    monkeypatch.setattr(pagecache, "changed", recording)
    proposal = UseCaseFactory(owner=employee, status="submitted", submitted_at=timezone.now())
    own = proposal_topic(proposal.pk)
    due = timezone.localdate() + timedelta(days=30)

    def review():
        return proposal.reviews.filter(status="open").first()

    steps = {
        "assign": lambda: reviews.assign(proposal.pk, reviewer, actor=reviewer),
        "accept_for_review": lambda: reviews.accept_for_review(proposal.pk, actor=reviewer),
        "assign_review": lambda: reviews.assign_review(
            review().pk, second_reviewer, actor=reviewer
        ),
        "save_answers": lambda: reviews.save_answers(
            review().pk, answer_all(review()), actor=reviewer, expected_version=review().version
        ),
        "decide_review": lambda: _decide_all(
            proposal,
            reviewer,
            outcome=Outcome.APPROVE_WITH_CONDITIONS,
            conditions=[ConditionInput("Label AI output", employee, due)],
        ),
        "mark_condition_met": lambda: reviews.mark_condition_met(
            Condition.objects.get(use_case=proposal).pk, actor=employee
        ),
        "override_tier": lambda: override_tier(
            proposal.pk, "high", actor=reviewer, reason="Decides about people."
        ),
        "record_go_live": lambda: register.record_go_live(
            proposal.pk, "in_pilot", actor=employee, expected_status="approved_with_conditions"
        ),
        "admin": lambda: RegisterEntryAdmin(RegisterEntry, site).save_model(
            rf.post("/"), RegisterEntry.objects.get(use_case=proposal), None, True
        ),
        "open_due_rereviews": lambda: (
            RegisterEntry.objects.filter(use_case=proposal).update(
                next_review_on=timezone.localdate() - timedelta(days=1)
            ),
            register.open_due_rereviews(),
        ),
    }
    for name, step in steps.items():
        bumped.clear()
        step()
        assert own in bumped, name
