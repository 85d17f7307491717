"""An approval's conditions gate the next stages (issue 18): starting the pilot and moving
to production are refused while any condition is open, on every surface (the lifecycle,
the proposal page and its htmx form, the go-live page, the API, the admin), until each
condition is met or a CoE reviewer waives it with a reason. The waiver is kept in the
proposal's history, for the readers of its governance reasoning only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance import reviews
from governance.models import Condition
from tests.factories import ConditionFactory, UseCaseFactory
from usecases.choices import Status
from usecases.lifecycle import ConditionsOpen, change_status
from usecases.models import UseCase, UseCaseEvent

pytestmark = pytest.mark.django_db

TEXT = "Label every generated reply as AI-written"
REASON = "Replies go to an internal team only during the pilot; labelling follows in March."


@pytest.fixture
def approved(employee):
    """Emma's proposal, approved with one condition still open."""
    use_case = UseCaseFactory(owner=employee, status=Status.APPROVED_WITH_CONDITIONS)
    ConditionFactory(use_case=use_case, text=TEXT)
    return use_case


@pytest.fixture
def piloting(employee):
    use_case = UseCaseFactory(owner=employee, status=Status.IN_PILOT)
    ConditionFactory(use_case=use_case, text=TEXT)
    return use_case


def _status(use_case) -> str:
    return UseCase.objects.values_list("status", flat=True).get(pk=use_case.pk)


def _moved(use_case) -> bool:
    return UseCaseEvent.objects.filter(
        use_case=use_case, kind=UseCaseEvent.Kind.TRANSITION
    ).exists()


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- every surface refuses ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "reviewer"])  # the owner, and CoE staff
def test_the_lifecycle_refuses_the_pilot_while_a_condition_is_open(request, approved, who):
    with pytest.raises(ConditionsOpen, match=TEXT) as refused:
        change_status(approved.pk, Status.IN_PILOT, actor=request.getfixturevalue(who))
    assert [c.text for c in refused.value.conditions] == [TEXT]
    assert _status(approved) == Status.APPROVED_WITH_CONDITIONS and not _moved(approved)


def test_the_lifecycle_refuses_production_while_a_condition_is_open(piloting, employee):
    with pytest.raises(ConditionsOpen, match="Move to production"):
        change_status(piloting.pk, Status.IN_PRODUCTION, actor=employee)
    assert _status(piloting) == Status.IN_PILOT


def test_retiring_is_not_held_back(piloting, employee):
    change_status(piloting.pk, Status.RETIRED, actor=employee, note="Not needed after all.")
    assert _status(piloting) == Status.RETIRED


def test_the_page_shows_the_button_disabled_with_the_reason(client, approved, employee):
    client.force_login(employee)
    body = client.get(approved.get_absolute_url()).content.decode()
    assert 'value="in_pilot"' in body
    assert 'type="submit" disabled aria-describedby="refusal-1">Start pilot' in body
    assert "waits for the conditions of the approval" in body and TEXT in body
    assert "Nothing was changed" not in body  # nothing was tried yet


def test_the_page_refuses_the_pilot(client, approved, employee):
    client.force_login(employee)
    url = reverse("usecases:usecase_transition", args=[approved.pk])
    response = client.post(url, {"target": Status.IN_PILOT}, follow=True)
    assert "waits for the conditions of the approval" in response.content.decode()
    assert "Nothing was changed" in response.content.decode()
    assert _status(approved) == Status.APPROVED_WITH_CONDITIONS and not _moved(approved)


def test_the_htmx_form_is_answered_409(client, approved, employee):
    client.force_login(employee)
    url = reverse("usecases:usecase_transition", args=[approved.pk])
    response = client.post(url, {"target": Status.IN_PILOT}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert TEXT in response.content.decode()
    assert _status(approved) == Status.APPROVED_WITH_CONDITIONS


def test_the_go_live_page_says_why_and_refuses(client, piloting, employee):
    client.force_login(employee)
    url = reverse("governance:go_live", args=[piloting.pk])
    assert "waits for the conditions" in client.get(url).content.decode()
    response = client.post(
        url, {"target": Status.IN_PRODUCTION, "expected_status": Status.IN_PILOT}
    )
    assert response.status_code == 200 and TEXT in response.content.decode()
    assert _status(piloting) == Status.IN_PILOT


def test_the_api_answers_409_with_the_open_conditions(approved, employee):
    condition = approved.conditions.get()
    response = _api(employee).post(
        reverse("use-case-transition", args=[approved.pk]), {"target": "in_pilot"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert TEXT in body["detail"]
    assert body["open_conditions"] == [
        {"id": condition.pk, "text": TEXT, "due_on": condition.due_on.isoformat()}
    ]
    assert body["governance_page"].endswith(reverse("governance:case", args=[approved.pk]))
    assert _status(approved) == Status.APPROVED_WITH_CONDITIONS

    actions = _api(employee).get(reverse("use-case-transitions", args=[approved.pk])).json()
    assert [(a["target"], TEXT in a["refused"]) for a in actions] == [("in_pilot", True)]


def test_the_admin_cannot_tick_off_or_waive_a_condition(client, approved, coe_admin):
    coe_admin.is_staff = coe_admin.is_superuser = True
    coe_admin.save()
    client.force_login(coe_admin)
    condition = approved.conditions.get()
    url = reverse("admin:governance_condition_change", args=[condition.pk])
    assert 'name="status"' not in client.get(url).content.decode()
    client.post(url, {"use_case": approved.pk, "text": TEXT, "owner": condition.owner_id,
                      "due_on": condition.due_on.isoformat(), "status": "waived"})  # fmt: skip
    assert Condition.objects.get(pk=condition.pk).status == "open"


# --- met or waived lets it through -------------------------------------------------------------


def test_a_met_condition_lets_the_pilot_start(client, approved, employee):
    reviews.mark_condition_met(approved.conditions.get().pk, actor=employee)
    client.force_login(employee)
    body = client.get(approved.get_absolute_url()).content.decode()
    assert "disabled" not in body.split('value="in_pilot"')[1].split("</form>")[0]
    client.post(reverse("usecases:usecase_transition", args=[approved.pk]), {"target": "in_pilot"})
    assert _status(approved) == Status.IN_PILOT


def test_a_waived_condition_lets_production_go_ahead(piloting, employee, reviewer):
    reviews.waive_condition(piloting.conditions.get().pk, actor=reviewer, reason=REASON)
    response = _api(employee).post(
        reverse("use-case-transition", args=[piloting.pk]), {"target": "in_production"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200 and _status(piloting) == Status.IN_PRODUCTION


def test_every_condition_must_be_settled(approved, employee, reviewer):
    second = ConditionFactory(use_case=approved, text="Run a red-team exercise")
    reviews.waive_condition(approved.conditions.get(text=TEXT).pk, actor=reviewer, reason=REASON)
    with pytest.raises(ConditionsOpen, match="red-team") as refused:
        change_status(approved.pk, Status.IN_PILOT, actor=employee)
    assert refused.value.conditions == [second]


# --- the waiver ---------------------------------------------------------------------------


def _waive_url(use_case) -> str:
    return reverse("governance:condition_waive", args=[use_case.conditions.get().pk])


@pytest.mark.parametrize("who", ["reviewer", "coe_admin"])
def test_a_reviewer_waives_with_a_reason_kept_in_the_history(client, request, approved, who):
    person = request.getfixturevalue(who)
    client.force_login(person)
    assert client.get(_waive_url(approved)).status_code == 200
    response = client.post(_waive_url(approved), {"reason": REASON})
    assert response.status_code == 302
    condition = approved.conditions.get()
    assert (condition.status, condition.waived_by, condition.waiver_reason) == (
        "waived",
        person,
        REASON,
    )
    event = UseCaseEvent.objects.get(use_case=approved, data__waived=True)
    assert event.actor == person and REASON in event.note and TEXT in event.note
    assert event.note_audience == UseCaseEvent.NoteAudience.GOVERNANCE


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_waiver_needs_a_reason(client, approved, reviewer, reason):
    client.force_login(reviewer)
    response = client.post(_waive_url(approved), {"reason": reason})
    assert response.status_code == 400
    assert "Say why the condition is waived." in response.content.decode()
    assert approved.conditions.get().status == "open"
    with pytest.raises(reviews.ReviewError, match="Say why"):
        reviews.waive_condition(approved.conditions.get().pk, actor=reviewer, reason=reason)


def test_a_waiver_reason_has_a_length_limit(client, approved, reviewer):
    client.force_login(reviewer)
    response = client.post(_waive_url(approved), {"reason": "x" * 2_001})
    assert response.status_code == 400
    assert "Keep this under 2,000 characters" in response.content.decode()
    assert approved.conditions.get().status == "open"
    api = _api(reviewer).post(
        f"/api/v1/governance/conditions/{approved.conditions.get().pk}/waive/",
        {"reason": "x" * 2_001}, format="json",
    )  # fmt: skip
    assert api.status_code == 400 and approved.conditions.get().status == "open"


@pytest.mark.parametrize(
    ("who", "code"),
    # The owner and the department's champion read the condition but may not waive it;
    # leadership reads everything and changes nothing; another department sees nothing.
    [("employee", 403), ("champion", 403), ("leader", 403), ("outsider", 404)],
)
def test_only_reviewers_waive(client, request, approved, who, code):
    person = request.getfixturevalue(who)
    client.force_login(person)
    assert client.get(_waive_url(approved)).status_code == code
    assert client.post(_waive_url(approved), {"reason": REASON}).status_code == code
    api = _api(person).post(
        f"/api/v1/governance/conditions/{approved.conditions.get().pk}/waive/",
        {"reason": REASON}, format="json",
    )  # fmt: skip
    assert api.status_code == code
    with pytest.raises(reviews.ReviewError):
        reviews.waive_condition(approved.conditions.get().pk, actor=person, reason=REASON)
    assert approved.conditions.get().status == "open"


def test_the_waiver_form_needs_its_csrf_token(approved, reviewer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    assert client.post(_waive_url(approved), {"reason": REASON}).status_code == 403
    assert approved.conditions.get().status == "open"


def test_a_double_submit_waives_once(client, approved, reviewer, coe_admin):
    client.force_login(reviewer)
    client.post(_waive_url(approved), {"reason": REASON})
    client.force_login(coe_admin)
    again = client.post(_waive_url(approved), {"reason": "Second thoughts."}, follow=True)
    assert "already waived" in again.content.decode()
    assert UseCaseEvent.objects.filter(use_case=approved, data__waived=True).count() == 1
    condition = approved.conditions.get()
    assert (condition.waived_by, condition.waiver_reason) == (reviewer, REASON)
    reviews.waive_condition(condition.pk, actor=coe_admin, reason="Third.")
    assert UseCaseEvent.objects.filter(use_case=approved, data__waived=True).count() == 1


def test_the_api_waives_as_the_page_does(approved, reviewer):
    condition = approved.conditions.get()
    url = f"/api/v1/governance/conditions/{condition.pk}/waive/"
    assert _api(reviewer).post(url, {"reason": ""}, format="json").status_code == 400
    response = _api(reviewer).post(url, {"reason": REASON}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["waiver_reason"]) == ("waived", REASON)


def test_the_waiver_reason_is_shown_only_to_readers_of_governance_reasoning(
    client, approved, reviewer, employee, champion, colleague
):
    """The owner, the department's champion and the CoE read why it was waived, on the
    proposal page (history and governance panel) and in the API; a colleague who may see
    the proposal reads that a condition changed, never why."""
    reviews.waive_condition(approved.conditions.get().pk, actor=reviewer, reason=REASON)
    for reader in (employee, champion, reviewer):
        client.force_login(reader)
        body = client.get(approved.get_absolute_url()).content.decode()
        assert body.count(REASON) == 2, reader  # the history and the governance panel
    client.force_login(colleague)
    assert client.get(approved.get_absolute_url()).status_code == 200
    assert REASON not in client.get(approved.get_absolute_url()).content.decode()
    listed = _api(colleague).get("/api/v1/governance/conditions/").json()
    assert REASON not in str(listed)
    assert REASON in str(_api(employee).get("/api/v1/governance/conditions/").json())
