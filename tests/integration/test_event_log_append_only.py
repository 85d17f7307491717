from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories import UseCaseFactory
from usecases.choices import Status
from usecases.lifecycle import change_status
from usecases.models import UseCaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    use_case = UseCaseFactory()
    change_status(use_case.pk, Status.SUBMITTED, actor=use_case.owner)
    return UseCaseEvent.objects.get(use_case=use_case)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda e: UseCaseEvent.objects.filter(pk=e.pk).update(note="rewritten"),
        lambda e: UseCaseEvent.objects.filter(pk=e.pk).delete(),
        lambda e: connection.cursor().execute(
            "UPDATE usecases_usecaseevent SET to_status = 'approved' WHERE id = %s", [e.pk]
        ),
        lambda e: connection.cursor().execute(
            "DELETE FROM usecases_usecaseevent WHERE id = %s", [e.pk]
        ),
    ],
    ids=["orm-update", "orm-delete", "sql-update", "sql-delete"],
)
def test_postgres_refuses_to_change_or_delete_an_event(event, attempt):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt(event)
    event.refresh_from_db()
    assert event.to_status == Status.SUBMITTED
    assert event.note == ""
