"""governance.demo on proposals in every state: consistent with each status, safe twice."""

from __future__ import annotations

import io

import pytest

from governance import demo
from governance.models import Condition, RegisterEntry, Review, RiskAssessment
from governance.reviews import outcome_of
from tests.demo_data import seed_demo
from tests.factories import UseCaseFactory, UserFactory
from usecases.choices import LIVE_STATUSES, Status

pytestmark = pytest.mark.django_db


def test_demo_gives_each_proposal_the_governance_its_status_implies():
    seed_demo()
    owners = [UserFactory(username=name) for name in ("employee", "noah.berg", "sofia.marin")]
    created = [
        UseCaseFactory(owner=owners[i % 3], status=status, customer_facing=bool(i % 2)).pk
        for i, status in enumerate(list(Status) * 2)
    ]

    demo.seed(io.StringIO())
    counts = (RiskAssessment.objects.count(), Review.objects.count(), Condition.objects.count())
    demo.seed(io.StringIO())
    assert (
        RiskAssessment.objects.count(),
        Review.objects.count(),
        Condition.objects.count(),
    ) == counts

    # An entry is written by an approval and kept when the work is retired (the record).
    for entry in RegisterEntry.objects.select_related("use_case"):
        assert entry.use_case.status in {*LIVE_STATUSES, Status.RETIRED}
    # two of each live status among this test's proposals (the demo brings its own too)
    assert RegisterEntry.objects.filter(use_case__in=created).count() == 8
    for status in (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.CHANGES_REQUESTED):
        for uc in RiskAssessment.objects.filter(use_case__status=status).values_list(
            "use_case", flat=True
        ):
            outcomes = list(Review.objects.filter(use_case=uc).values_list("outcome", flat=True))
            assert outcome_of(outcomes) == status
    assert Review.objects.filter(status="open").exists()
    assert (
        Condition.objects.filter(status="met").exists()
        and Condition.objects.filter(status="open").exists()
    )
