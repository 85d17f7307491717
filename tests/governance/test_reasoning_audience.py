"""Governance reasoning (rationales, the decision, risk-override reasons, conditions) is for
the owner, the department's champions, CoE staff and leadership, wherever it is written or
shown (issue 15): every writer marks its note for them, and one rule lists the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import reviews
from governance.choices import Outcome
from governance.models import Answer, Condition, Review, RiskAssessment
from governance.reviews import ConditionInput
from governance.risk import override_tier
from tests.governance.conftest import answer_all
from usecases.access import may_read_reasoning, reasoning_visible_to
from usecases.choices import Status
from usecases.models import Follow, UseCaseEvent

pytestmark = pytest.mark.django_db

RATIONALE = "rationale-token-5d21"
OVERRIDE_REASON = "override-token-0b7e"
CONDITION = "condition-token-c4f0"
GOVERNANCE_READERS = ["employee", "champion", "reviewer", "leader"]
EVERY_READER = ["colleague", *GOVERNANCE_READERS]


@pytest.fixture
def decided(submitted, colleague, champion, reviewer, leader, coe_admin,
            django_capture_on_commit_callbacks):  # fmt: skip
    """Emma's proposal through governance: a risk override with a reason, every review
    decided with a rationale (one with a condition, then met); the cast follows it."""
    for person in (colleague, champion, reviewer, leader):
        Follow.objects.create(use_case=submitted, user=person)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.accept_for_review(submitted.pk, actor=coe_admin)
        override_tier(submitted.pk, "limited", actor=coe_admin, reason=OVERRIDE_REASON)
        first, *rest = submitted.reviews.order_by("area")
        reviews.decide_review(
            first.pk, actor=coe_admin, outcome=Outcome.APPROVE_WITH_CONDITIONS,
            rationale=RATIONALE, answers=answer_all(first), expected_version=first.version,
            conditions=[ConditionInput(CONDITION, submitted.owner,
                                       timezone.localdate() + timedelta(days=30))],
        )  # fmt: skip
        for review in rest:
            reviews.decide_review(
                review.pk, actor=coe_admin, outcome=Outcome.APPROVE, rationale=RATIONALE,
                answers=answer_all(review), expected_version=review.version,
            )  # fmt: skip
        reviews.mark_condition_met(Condition.objects.get(use_case=submitted).pk, actor=coe_admin)
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED_WITH_CONDITIONS
    return submitted


def test_every_writer_of_reasoning_marks_it_for_governance_readers(decided):
    restricted = UseCaseEvent.objects.filter(
        use_case=decided, note_audience=UseCaseEvent.NoteAudience.GOVERNANCE
    )
    notes = list(restricted.values_list("note", flat=True))
    assert any(OVERRIDE_REASON in n for n in notes)  # override_tier
    assert sum(RATIONALE in n for n in notes) >= 4  # each area's decision, and the outcome
    assert any(CONDITION in n for n in notes)  # the condition met
    decision = restricted.get(kind="transition", to_status=Status.APPROVED_WITH_CONDITIONS)
    assert RATIONALE in decision.note  # _conclude_round, through record_decision
    public = UseCaseEvent.objects.filter(
        use_case=decided, note_audience=UseCaseEvent.NoteAudience.EVERYONE
    ).values_list("note", flat=True)
    assert not any(t in n for n in public for t in (RATIONALE, OVERRIDE_REASON, CONDITION))


def test_a_rereview_conclusion_is_for_governance_readers(decided, coe_admin):
    reviews.open_reviews(decided, "limited", actor=coe_admin, kind="re_review")
    for review in decided.reviews.filter(status="open"):
        reviews.decide_review(
            review.pk, actor=coe_admin, outcome=Outcome.APPROVE, rationale="Still fine.",
            answers=answer_all(review), expected_version=review.version,
        )  # fmt: skip
    concluded = UseCaseEvent.objects.get(use_case=decided, note__startswith="Re-review concluded")
    assert concluded.note_audience == UseCaseEvent.NoteAudience.GOVERNANCE


@pytest.mark.parametrize("who", EVERY_READER)
@pytest.mark.parametrize("page", ["usecases:usecase_detail", "governance:case"])
def test_pages_show_reasoning_to_its_audience_only(client, decided, who, page, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(page, args=[decided.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    shown = who in GOVERNANCE_READERS
    assert (RATIONALE in body) is shown
    assert (OVERRIDE_REASON in body) is shown
    assert (CONDITION in body) is shown


@pytest.mark.parametrize("who", EVERY_READER)
def test_notifications_and_emails_carry_reasoning_to_its_audience_only(
    client, decided, who, request, mailoutbox
):
    person = request.getfixturevalue(who)
    shown = who in GOVERNANCE_READERS
    client.force_login(person)
    inbox = client.get(reverse("usecases:notification_list")).content.decode()
    assert "approved with conditions" in inbox
    assert (RATIONALE in inbox) is shown
    mails = "".join(m.body for m in mailoutbox if person.email in m.to)
    assert "approved with conditions" in mails
    assert (RATIONALE in mails) is shown


@pytest.mark.parametrize("who", EVERY_READER)
@pytest.mark.parametrize(
    ("url", "token"),
    [
        ("/api/v1/governance/reviews/?use_case={pk}", RATIONALE),
        ("/api/v1/governance/risk/?use_case={pk}", OVERRIDE_REASON),
        ("/api/v1/governance/conditions/?use_case={pk}", CONDITION),
    ],
)
def test_api_shows_reasoning_to_its_audience_only(client, decided, who, url, token, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url.format(pk=decided.pk))
    assert response.status_code == 200
    assert (token in response.content.decode()) is (who in GOVERNANCE_READERS)


@pytest.mark.parametrize("who", [*EVERY_READER, "outsider", "coe_admin"])
def test_governance_rows_follow_the_one_rule(decided, who, request):
    """Reviews, answers, conditions and risk assessments are listed by the same rule as the
    single-object check the panel uses."""
    person = request.getfixturevalue(who)
    readable = may_read_reasoning(person, decided)
    assert reasoning_visible_to(person).filter(pk=decided.pk).exists() is readable
    for model, path in (
        (Review, "use_case"),
        (Answer, "review__use_case"),
        (Condition, "use_case"),
        (RiskAssessment, "use_case"),
    ):
        rows = model.objects.visible_to(person).filter(**{path: decided})
        assert rows.exists() is readable, model.__name__


def test_a_confidential_proposals_reasoning_stays_with_its_department(champion, outsider):
    """A champion of another department reads neither the proposal nor its reasoning."""
    from coe_portal.roles import Role
    from tests.factories import UseCaseFactory, UserFactory

    secret = UseCaseFactory(owner=outsider, status=Status.SUBMITTED, confidential=True)
    RiskAssessment.objects.create(
        use_case=secret, suggested_tier="high", tier="limited", override_reason="x"
    )
    their_champion = UserFactory(department=outsider.department, roles=[Role.CHAMPION])
    assert not RiskAssessment.objects.visible_to(champion).filter(use_case=secret).exists()
    assert RiskAssessment.objects.visible_to(their_champion).filter(use_case=secret).exists()
