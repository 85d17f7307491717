"""What the lists and exports hold for each role, on the access matrix's world
(tests/test_access_matrix.py): a draft or a confidential proposal never appears for someone
who may not see it, in Explore, the API's list, the CSV export, similar proposals or the
notifications.

The expectation is worked out here from DESIGN.md's rules, not from ``visible_to``:
drafts are their owner's alone; a submitted proposal is for everyone unless confidential;
a confidential one for its owner, its department's champions, reviewers, admins and
leadership.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse, reverse_lazy

from metrics import snapshots
from tests import test_access_matrix as matrix
from usecases.models import UseCase

world = matrix.world  # the matrix's fixture, built once for this module too
LOGGED_IN = [role for role in matrix.ROLES if role != "anonymous"]


def may_see(role: str, person, use_case: UseCase) -> bool:
    if use_case.status == "draft":
        return use_case.owner_id == person.pk
    if role in ("reviewer", "admin", "leader") or not use_case.confidential:
        return True
    if use_case.owner_id == person.pk:
        return True
    return role == "champion" and use_case.department_id == person.department_id


def expected_ids(role: str, world) -> set[int]:
    person = world["people"][role]
    return {uc.pk for uc in UseCase.objects.all() if may_see(role, person, uc)}


@pytest.fixture
def as_role(client, world):
    def login(role):
        client.force_login(world["people"][role])
        return client

    return login


def test_the_world_has_what_the_lists_must_hide(db, world):
    """The draft and Finance's confidential proposals are there to be hidden."""
    assert world["draft"].status == "draft"
    assert world["proposal"].confidential and world["proposal"].department == world["finance"]
    assert not world["marketing_proposal"].confidential


@pytest.mark.parametrize("role", LOGGED_IN)
def test_explore_lists_exactly_what_the_person_may_see(db, world, as_role, role):
    response = as_role(role).get(reverse("usecases:usecase_list"), secure=True)

    assert response.status_code == 200
    shown = {uc.pk for uc in response.context["page"].paginator.object_list}
    assert shown == expected_ids(role, world)


@pytest.mark.parametrize("role", LOGGED_IN)
def test_the_api_list_holds_exactly_what_the_person_may_see(db, world, as_role, role):
    response = as_role(role).get(reverse("use-case-list"), {"page_size": 100}, secure=True)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]), "the world fits on one page"
    assert {item["id"] for item in body["results"]} == expected_ids(role, world)


@pytest.mark.parametrize("role", LOGGED_IN)
def test_the_csv_export_holds_exactly_what_the_person_may_see(db, world, as_role, role):
    response = as_role(role).get(reverse("usecases:usecase_export"), secure=True)

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {int(row["Number"]) for row in rows} == expected_ids(role, world)


@pytest.mark.parametrize("role", LOGGED_IN)
@pytest.mark.parametrize("hidden", ["draft", "proposal", "new"])
def test_similar_proposals_only_name_what_the_person_may_see(db, world, as_role, role, hidden):
    """Asked with words only the draft or a confidential proposal has."""
    UseCase.objects.filter(pk=world[hidden].pk).update(
        title="Quarterly treasury liquidity forecast", problem="Treasury forecasting by hand."
    )

    response = as_role(role).get(
        reverse("usecases:usecase_similar"),
        {"title": "Treasury liquidity forecast", "problem": "forecasting"},
        secure=True,
    )

    found = {uc.pk for uc in response.context["results"]}
    person = world["people"][role]
    expected = {world[hidden].pk} if may_see(role, person, world[hidden]) else set()
    assert found == expected


@pytest.mark.parametrize("role", LOGGED_IN)
def test_notifications_reach_only_those_who_may_see_the_proposal(db, world, as_role, role):
    """A comment on Finance's confidential proposal: its owner hears of it; Marketing's
    employee, who followed it, does not; nobody else's list holds it."""
    response = as_role(role).get(reverse("usecases:notification_list"), secure=True)

    listed = {n.use_case_id for n in response.context["page"].object_list}
    assert listed == ({world["proposal"].pk} if role == "employee" else set())


DASHBOARDS = {
    "champion": [reverse_lazy("metrics:department_dashboard", args=["finance"])],
    "reviewer": [reverse_lazy("metrics:dashboard"), "/metrics/?department=finance"],
    "admin": [reverse_lazy("metrics:dashboard")],
    "leader": [reverse_lazy("metrics:dashboard"), "/metrics/?department=finance"],
}


@pytest.mark.parametrize("role", DASHBOARDS)
def test_dashboard_drill_downs_list_only_what_the_person_may_see(db, world, as_role, role):
    """Every tile's link, followed: the proposals behind a figure are the person's own
    Explore, never a list that shows them a draft or a confidential proposal; no link leads
    to a refusal. The value/feasibility chart names only proposals the person may see."""
    snapshots.take_snapshots()
    client = as_role(role)
    allowed = expected_ids(role, world)
    followed = 0
    for dashboard in DASHBOARDS[role]:
        board = client.get(dashboard, secure=True).context["board"]
        titles = {point["title"] for s in board.charts["scatter"].datasets for point in s["data"]}
        assert titles <= set(UseCase.objects.filter(pk__in=allowed).values_list("title", flat=True))
        for tile in board.tiles:
            if not tile.link:
                continue
            response = client.get(tile.link, secure=True)
            assert response.status_code == 200, tile.link
            if tile.link.startswith(reverse("usecases:usecase_list")):
                listed = {uc.pk for uc in response.context["page"].paginator.object_list}
                assert listed <= allowed, tile.link
                followed += 1
    assert followed, "some tile leads to the proposals behind it"
