"""Two beat schedulers by mistake: every scheduled task, run twice at the same moment (two
threads, two PostgreSQL connections) and then once more, does its work once.

Tasks run in this process (their follow-up tasks inline), so every email is counted here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import import_string

from coe_portal import outbox, tokens
from coe_portal.models import ApiToken, OutboxMessage, PortalSettings
from coe_portal.roles import Role
from governance.models import Review
from metrics.models import KpiSnapshot, Report
from skilling import events
from tests.factories import (
    RegisterEntryFactory,
    ReviewFactory,
    RiskAssessmentFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.skilling.factories import EventFactory
from usecases import engagement
from usecases.models import Notification

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_twice_at_once(task: Callable[[], object]) -> list:
    """Run ``task`` in two threads released together; re-raise what either raised."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(task())
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a run did not finish in 120 s"
    if errors:
        raise errors[0]
    return results


def subjects(prefix: str) -> list[str]:
    return [m.subject for m in mail.outbox if m.subject.startswith(prefix)]


@dataclass
class Case:
    kwargs: dict
    setup: Callable[[], object]
    check: Callable[[object], None]


def _heartbeat_check(_):
    assert PortalSettings.load().worker_seen_at is not None


DELIVERIES: list[int] = []


def slow_delivery(n: int) -> None:
    """An outbox handler slow enough that the two runs surely overlap."""
    time.sleep(0.05)
    DELIVERIES.append(n)


def _outbox_setup():
    """Ten colleagues comment in turn while the broker is unreachable: comment k tells the
    owner and the k-1 commenters before (who follow the proposal). And twenty slow
    deliveries, counted."""
    DELIVERIES.clear()
    owner = UserFactory(username="owner")
    proposal = UseCaseFactory(owner=owner, status="submitted")
    original = outbox.dispatch
    outbox.dispatch = lambda message_id: None  # the broker is down at commit time
    try:
        for i in range(10):
            person = UserFactory(username=f"commenter{i}", department=owner.department)
            engagement.add_comment(proposal.pk, actor=person, body=f"Comment {i}")
        for n in range(20):
            outbox.record(f"{__name__}.slow_delivery", n=n)
    finally:
        outbox.dispatch = original
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 30


def _outbox_check(_):
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert sorted(DELIVERIES) == list(range(20))
    assert Notification.objects.count() == 55
    assert len(subjects("[CoE Portal]")) == 55


def _rereview_setup():
    entry = RegisterEntryFactory(next_review_on=timezone.localdate() - timedelta(days=1))
    RiskAssessmentFactory(use_case=entry.use_case, tier="high", suggested_tier="high")
    return entry


def _rereview_check(entry):
    assert Review.objects.filter(use_case=entry.use_case, kind="re_review").count() == 5
    assert len(subjects("Re-review opened")) == 1  # the owner, once for the round (issue 18)


def _overdue_setup():
    reviewer = UserFactory(username="reviewer", roles=[Role.COE_REVIEWER])
    ReviewFactory(assignee=reviewer, opened_at=timezone.now() - timedelta(days=30))


def _overdue_check(_):
    assert len(subjects("Overdue review")) == 1


def _snapshot_setup():
    UseCaseFactory(status="submitted")


def _snapshot_check(_):
    per_key = KpiSnapshot.objects.values_list("date", "kpi", "department_id")
    assert per_key.count() > 0
    assert per_key.count() == len(set(per_key))


def _report_setup():
    UserFactory(username="leader", roles=[Role.LEADERSHIP])


def _report_check(kind):
    def check(_):
        report = Report.objects.get(kind=kind)
        assert (report.status, report.attempts) == ("ready", 1)
        assert len(subjects("[CoE Portal]")) == 1

    return check


def _reminder_setup():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=20), capacity=5)
    for i in range(3):
        events.register_for_event(event.pk, actor=UserFactory(username=f"learner{i}"))


def _reminder_check(_):
    assert len(mail.outbox) == 3


def _sign_in_sweep_setup():
    person = UserFactory(username="scripter")
    for name in ("Live", "Expired"):
        tokens.create_api_token(actor=person, name=name, lifetime=7)
    ApiToken.objects.filter(name="Expired").update(expiry=timezone.now() - timedelta(minutes=1))
    Session.objects.create(
        session_key="s" * 32, session_data="", expire_date=timezone.now() - timedelta(seconds=1)
    )


def _sign_in_sweep_check(_):
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Live"]
    assert not Session.objects.filter(expire_date__lte=timezone.now()).exists()


CASES = {
    "coe_portal.tasks.record_worker_heartbeat": Case({}, lambda: None, _heartbeat_check),
    "coe_portal.tasks.deliver_outbox": Case({}, _outbox_setup, _outbox_check),
    "coe_portal.tasks.forget_expired_sign_ins": Case(
        {}, _sign_in_sweep_setup, _sign_in_sweep_check
    ),
    "governance.tasks.open_due_rereviews": Case({}, _rereview_setup, _rereview_check),
    "governance.tasks.remind_overdue_reviews": Case({}, _overdue_setup, _overdue_check),
    "metrics.tasks.take_kpi_snapshots": Case({}, _snapshot_setup, _snapshot_check),
    "metrics.tasks.generate_scheduled_report[adoption]": Case(
        {"kind": "adoption"}, _report_setup, _report_check("adoption")
    ),
    "metrics.tasks.generate_scheduled_report[readiness]": Case(
        {"kind": "readiness"}, _report_setup, _report_check("readiness")
    ),
    "skilling.tasks.send_event_reminders": Case({}, _reminder_setup, _reminder_check),
}


def _register_schedules_again() -> None:
    """Run again every migration step that registers a schedule (all get_or_create).

    The schedules are rows written by data migrations; a transactional test that ran
    earlier in the session may have flushed them, and this test is about the migrations'
    schedules, not about what survived the tests before it."""
    import inspect

    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    ours = {"coe_portal", "usecases", "governance", "skilling", "metrics"}
    for (app_label, _), migration in MigrationLoader(None).disk_migrations.items():
        if app_label not in ours:
            continue
        for operation in migration.operations:
            if isinstance(operation, RunPython) and "PeriodicTask" in inspect.getsource(
                operation.code
            ):
                operation.code(apps, None)


def test_every_scheduled_task_is_covered():
    from django_celery_beat.models import PeriodicTask

    _register_schedules_again()
    scheduled = {
        task.task + (f"[{kind}]" if (kind := task.kwargs and eval_kind(task.kwargs)) else "")
        for task in PeriodicTask.objects.exclude(task="celery.backend_cleanup")
    }
    assert scheduled == set(CASES)


def eval_kind(kwargs: str) -> str | None:
    import json

    return json.loads(kwargs).get("kind")


@pytest.mark.parametrize("name", CASES)
def test_a_scheduled_task_run_twice_at_once_and_again_does_its_work_once(name, mailoutbox):
    case = CASES[name]
    task = import_string(name.split("[")[0])
    made = case.setup()
    close_old_connections()

    run_twice_at_once(lambda: task(**case.kwargs))
    case.check(made)
    task(**case.kwargs)  # and once more, back to back
    case.check(made)
