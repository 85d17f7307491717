from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import UseCaseFactory


@pytest.fixture
def submitted(employee):
    """Emma's (Finance) submitted proposal: confidential data on an unknown platform."""
    return UseCaseFactory(
        owner=employee, status="submitted", submitted_at=timezone.now(), title="Contract digest"
    )


@pytest.fixture
def foreign_submitted(outsider):
    """Otto's (Marketing) submitted proposal."""
    return UseCaseFactory(
        owner=outsider, status="submitted", submitted_at=timezone.now(), title="Ad copy helper"
    )


def answer_all(review, result="pass"):
    return {a.pk: {"result": result, "note": "", "evidence": ""} for a in review.answers.all()}
