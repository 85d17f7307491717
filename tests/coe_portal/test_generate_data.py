"""The benchmark's data generator: it fills an empty database at the tiny size with every
kind of row, the demo accounts can log in, and the benchmarked pages render on its data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from coe_portal.models import Department, User
from coe_portal.scale import SIZES
from governance.models import Answer, RegisterEntry, Review, RiskAssessment
from metrics import kpis
from metrics.models import KpiSnapshot, ReadinessAssessment
from skilling.models import Enrolment, LearnerProfile, LearningResource
from usecases.choices import Status
from usecases.models import Comment, Endorsement, UseCase, UseCaseEvent

TINY = SIZES["tiny"]


@pytest.fixture
def generated(db):
    out = StringIO()
    call_command("generate_data", size="tiny", stdout=out)
    return out.getvalue()


def test_fills_every_table_at_the_asked_size(generated):
    assert Department.objects.count() == TINY.departments
    assert User.objects.count() == TINY.users
    assert UseCase.objects.count() == TINY.proposals
    assert LearningResource.objects.count() == TINY.resources
    # Every proposal has its history: the draft, then one event per status change.
    assert UseCaseEvent.objects.count() > 2 * TINY.proposals
    assert Comment.objects.exists() and Endorsement.objects.exists()
    assert 0.5 * TINY.reviews < Review.objects.count() < 2 * TINY.reviews
    assert Answer.objects.exists() and RegisterEntry.objects.exists()
    assert 0.5 * TINY.enrolments <= Enrolment.objects.count() <= TINY.enrolments
    assert LearnerProfile.objects.exists() and ReadinessAssessment.objects.exists()
    scopes = TINY.departments + 1
    assert KpiSnapshot.objects.count() == TINY.kpi_days * len(kpis.REGISTRY) * scopes
    assert "rows in" in generated


def test_proposals_reach_every_state_with_matching_counters(generated):
    assert set(UseCase.objects.values_list("status", flat=True)) >= set(Status.values) - {
        Status.WITHDRAWN,
        Status.RETIRED,
    }
    proposal = UseCase.objects.filter(comment_count__gt=0).first()
    assert proposal.comments.count() == proposal.comment_count
    assert proposal.endorsements.count() == proposal.endorsement_count
    reviewed = UseCase.objects.filter(status=Status.IN_PRODUCTION).first()
    assert RiskAssessment.objects.filter(use_case=reviewed).exists()
    assert reviewed.events.filter(to_status=Status.IN_PRODUCTION).exists()


def test_is_deterministic(db):
    call_command("generate_data", size="tiny", stdout=StringIO())
    titles = list(UseCase.objects.order_by("id").values_list("title", flat=True)[:20])
    assert len(set(titles)) > 15  # varied
    from coe_portal.scale import ScaleRun
    from usecases.scale import _answers

    first = _answers(ScaleRun(size=TINY, stdout=StringIO()).rng, [])
    again = _answers(ScaleRun(size=TINY, stdout=StringIO()).rng, [])
    assert first == again


def test_refuses_a_database_that_has_data(generated):
    with pytest.raises(CommandError, match="already has"):
        call_command("generate_data", size="tiny", stdout=StringIO())


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("employee", reverse("usecases:usecase_list")),
        ("employee", reverse("usecases:usecase_list") + "?q=contracts&status=approved"),
        ("employee", reverse("usecases:usecase_similar") + "?title=Summarise+supplier+contracts"),
        ("reviewer", reverse("governance:queue")),
        ("reviewer", reverse("governance:register")),
        ("employee", reverse("skilling:catalog") + "?q=prompt"),
        ("employee", reverse("skilling:my_learning")),
        ("leader", reverse("skilling:coverage")),
        ("leader", reverse("metrics:dashboard")),
        ("leader", reverse("metrics:readiness")),
        ("champion", reverse("metrics:my_department")),
        ("employee", "/api/v1/use-cases/"),
        ("admin", "/admin/usecases/usecase/"),
    ],
)
def test_pages_render_for_the_demo_accounts(generated, client, role, url):
    # Through the login page: client.login() passes no request, which the login throttle refuses.
    login = client.post(reverse("login"), {"username": role, "password": "coe-demo-2026"})
    assert login.status_code == 302
    response = client.get(url, follow=True)
    assert response.status_code == 200


def test_a_proposal_page_renders(generated, client):
    client.force_login(User.objects.get(username="employee"))
    proposal = UseCase.objects.filter(confidential=False, status=Status.IN_PRODUCTION).first()
    response = client.get(proposal.get_absolute_url())
    assert response.status_code == 200
    assert proposal.title in response.content.decode()


def test_flush_replaces_an_earlier_run_on_postgresql(generated):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("--flush uses PostgreSQL's TRUNCATE … CASCADE")
    call_command("generate_data", size="tiny", flush=True, stdout=StringIO())
    assert UseCase.objects.count() == TINY.proposals
    assert User.objects.count() == TINY.users
    assert User.objects.filter(username="admin", is_superuser=True).exists()
