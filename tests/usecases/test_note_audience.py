"""Event notes reach only their audience, and another proposal's title only readers who may
see it (issue 15): in History, on the notifications page, in emails, the API and the export.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from tests.factories import UseCaseFactory, UserFactory
from usecases.choices import Status
from usecases.duplicates import mark_duplicate
from usecases.lifecycle import record_decision
from usecases.models import Follow, Notification, UseCase, UseCaseEvent

pytestmark = pytest.mark.django_db

RATIONALE = "rationale-token-7f3a"
OVERRIDE_REASON = "override-token-91cc"
GOVERNANCE_READERS = ["employee", "champion", "reviewer", "leader"]
EVERY_READER = ["colleague", *GOVERNANCE_READERS]


@pytest.fixture
def decided(employee, colleague, champion, reviewer, leader, coe_admin,
            django_capture_on_commit_callbacks):  # fmt: skip
    """A public Finance proposal of ``employee`` decided on its reviews (the rationale in the
    decision's note) with a risk override on record; everyone else of the cast follows it."""
    use_case = UseCaseFactory(owner=employee, status=Status.IN_REVIEW)
    for person in (colleague, champion, reviewer, leader):
        Follow.objects.create(use_case=use_case, user=person)
    UseCaseEvent.objects.create(
        use_case=use_case,
        actor=coe_admin,
        kind=UseCaseEvent.Kind.RISK,
        note=f"Risk tier Limited → High: {OVERRIDE_REASON}",
        note_audience=UseCaseEvent.NoteAudience.GOVERNANCE,
        data={"from": "limited", "to": "high", "reason": OVERRIDE_REASON},
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_decision(
            use_case.pk,
            Status.APPROVED,
            actor=coe_admin,
            note=f"Privacy: Approve: {RATIONALE}",
            reviews=[1],
        )
    return use_case


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response) if response.streaming else response.content


@pytest.mark.parametrize("who", EVERY_READER)
def test_history_shows_reasoning_to_its_audience_only(client, decided, who, request):
    body = _page(client, request.getfixturevalue(who), decided.get_absolute_url()).decode()
    shown = who in GOVERNANCE_READERS
    assert (RATIONALE in body) is shown
    assert (OVERRIDE_REASON in body) is shown
    assert "Approved" in body  # the decision itself is everyone's


@pytest.mark.parametrize("who", EVERY_READER)
def test_notifications_page_shows_the_note_to_its_audience_only(client, decided, who, request):
    body = _page(client, request.getfixturevalue(who), reverse("usecases:notification_list"))
    assert decided.title.encode() in body
    assert (RATIONALE.encode() in body) is (who in GOVERNANCE_READERS)


@pytest.mark.parametrize("who", EVERY_READER)
def test_email_carries_the_note_to_its_audience_only(decided, who, request, mailoutbox):
    person = request.getfixturevalue(who)
    (email,) = [m for m in mailoutbox if person.email in m.to]
    assert "is now approved" in email.body
    assert (RATIONALE in email.body) is (who in GOVERNANCE_READERS)


def test_stored_notifications_keep_no_note(decided):
    """The line stored is the same for everyone; the note is added for its audience when
    shown, so a reader who loses a role stops seeing it."""
    assert not Notification.objects.filter(message__contains=RATIONALE).exists()


def test_a_champion_who_leaves_the_department_stops_seeing_the_note(
    client, decided, champion, other_department
):
    champion.department = other_department
    champion.save()
    body = _page(client, champion, reverse("usecases:notification_list"))
    assert decided.title.encode() in body and RATIONALE.encode() not in body


@pytest.mark.parametrize(
    "url", ["/api/v1/use-cases/", "/api/v1/use-cases/{pk}/", "/proposals/export.csv"]
)
def test_api_and_export_carry_no_reasoning(client, decided, colleague, url):
    body = _page(client, colleague, url.format(pk=decided.pk))
    assert decided.title.encode() in body
    assert RATIONALE.encode() not in body and OVERRIDE_REASON.encode() not in body


def test_visible_to_blanks_notes_outside_their_audience(decided, colleague, champion):
    def notes(user):
        return {e.kind: e.shown_note for e in UseCaseEvent.objects.visible_to(user)}

    assert RATIONALE not in notes(colleague)["transition"]
    assert notes(colleague)["risk"] == ""
    assert RATIONALE in notes(champion)["transition"]
    event = UseCaseEvent.objects.get(use_case=decided, kind="transition")
    assert event.note_for(colleague) == "" and RATIONALE in event.note_for(champion)


def test_visible_to_leaves_out_events_of_proposals_the_person_may_not_see(decided, outsider):
    secret = UseCaseFactory(status=Status.SUBMITTED, confidential=True)
    UseCaseEvent.objects.create(use_case=secret, kind=UseCaseEvent.Kind.EDIT, note="x")
    assert not UseCaseEvent.objects.visible_to(outsider).filter(use_case=secret).exists()
    assert UseCaseEvent.objects.visible_to(outsider).filter(use_case=decided).exists()


# --- cross-references ---------------------------------------------------------------------


def test_confidential_duplicate_is_not_named_on_the_public_original(
    client, colleague, outsider, reviewer
):
    original = UseCaseFactory(owner=colleague, status=Status.SUBMITTED, title="Contract digest")
    duplicate = UseCaseFactory(
        owner=outsider, status=Status.SUBMITTED, confidential=True, title="Secret-merger-x9"
    )
    mark_duplicate(duplicate.pk, original.pk, actor=reviewer)
    plain = UserFactory(department=colleague.department)

    for person in (plain, colleague):  # the original's owner may not see it either
        body = _page(client, person, original.get_absolute_url()).decode()
        assert "Secret-merger-x9" not in body and f"#{duplicate.pk} " not in body
        assert "Another proposal was merged into this proposal." in body
    assert "Secret-merger-x9" in _page(client, reviewer, original.get_absolute_url()).decode()


def test_original_made_confidential_later_is_not_named_on_its_duplicate(
    client, colleague, outsider, reviewer, django_capture_on_commit_callbacks
):
    original = UseCaseFactory(owner=colleague, status=Status.SUBMITTED, title="Pricing-bot-q4")
    duplicate = UseCaseFactory(owner=outsider, status=Status.SUBMITTED, title="Price helper")
    with django_capture_on_commit_callbacks(execute=True):
        mark_duplicate(duplicate.pk, original.pk, actor=reviewer)
    UseCase.objects.filter(pk=original.pk).update(confidential=True)

    marketing = UserFactory(department=outsider.department)
    for person in (outsider, marketing):
        body = _page(client, person, duplicate.get_absolute_url()).decode()
        assert "Pricing-bot-q4" not in body
        assert "Duplicate of another proposal." in body
    inbox = _page(client, outsider, reverse("usecases:notification_list")).decode()
    assert "Pricing-bot-q4" not in inbox and "Duplicate of another proposal." in inbox
    body = _page(client, reviewer, duplicate.get_absolute_url()).decode()
    assert f"#{original.pk} Pricing-bot-q4" in body


def test_history_names_other_proposals_in_one_query(
    client, colleague, reviewer, django_assert_num_queries
):
    """The titles of every proposal the history names come from one query, not one each."""
    from usecases.history import history_for

    original = UseCaseFactory(owner=colleague, status=Status.SUBMITTED)
    for _ in range(3):
        duplicate = UseCaseFactory(status=Status.SUBMITTED)
        mark_duplicate(duplicate.pk, original.pk, actor=reviewer)
    colleague.role_names  # noqa: B018 - the roles are read once per request, not per event
    with django_assert_num_queries(2):  # the events, then the proposals they name
        events = history_for(colleague, original)
    assert sum(1 for e in events if e.mention and e.mention.use_case) == 3


# --- the migration ------------------------------------------------------------------------


def test_migration_restricts_old_reasoning_and_drops_titles(employee, reviewer):
    """Rows written before notes had an audience: the reasoning becomes governance-only,
    the titles of other proposals leave the notes, notes leave the notifications' lines."""
    migration = importlib.import_module("usecases.migrations.0008_event_note_audience")
    use_case = UseCaseFactory(owner=employee, status=Status.APPROVED)
    original = UseCaseFactory(status=Status.SUBMITTED, title="Old original")

    def old(**fields):
        return UseCaseEvent.objects.create(use_case=use_case, actor=reviewer, **fields)

    restricted = [
        old(kind="review", note="Privacy: Approve. because", data={"outcome": "approve"}),
        old(kind="review", note="Re-review concluded: Approved.", data={"outcome": "approved"}),
        old(kind="review", note="Condition met: logs kept", data={"condition": 3}),
        old(kind="risk", note="Risk tier High → Limited: why", data={"reason": "why"}),
        old(kind="transition", from_status="in_review", to_status="approved", note="Fine."),
    ]
    public = [
        old(kind="risk", note="Suggested risk tier: High.", data={"tier": "high"}),
        old(kind="transition", from_status="submitted", to_status="triage"),
        old(kind="review", note="Initial review opened: Privacy (CoE)", data={"round": 1}),
    ]
    merged = old(
        kind="transition",
        from_status="triage",
        to_status="rejected",
        note=f"Duplicate of #{original.pk} “Old original”. Same idea.",
        data={"duplicate_of": original.pk},
    )
    on_original = UseCaseEvent.objects.create(
        use_case=original,
        kind="duplicate",
        note=f"#{use_case.pk} “{use_case.title}” was merged into this proposal.",
        data={"duplicate": use_case.pk, "original": original.pk},
    )
    notification = Notification.objects.create(
        recipient=employee,
        use_case=use_case,
        event=restricted[-1],
        message=f"“{use_case.title}” is now approved. Note: Fine.",
    )

    def execute(sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    migration.give_notes_their_audience(
        apps, SimpleNamespace(connection=connection, execute=execute)
    )

    def audience(event):
        return UseCaseEvent.objects.get(pk=event.pk).note_audience

    assert {audience(e) for e in restricted} == {"governance"}
    assert {audience(e) for e in public} == {"everyone"}
    merged = UseCaseEvent.objects.get(pk=merged.pk)
    assert merged.note == "Same idea." and "Old original" in merged.data["note_as_written"]
    assert UseCaseEvent.objects.get(pk=on_original.pk).note == ""
    notification.refresh_from_db()
    assert notification.message == f"“{use_case.title}” is now approved."
    if connection.vendor == "postgresql":  # the trigger is back on
        with pytest.raises(Exception, match="append-only"):
            UseCaseEvent.objects.filter(pk=merged.pk).update(note="changed")
