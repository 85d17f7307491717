"""Header injection through email subjects (issue 8).

Titles people type end up in subjects. A line break there would either add a header
(``Bcc: …``) or, as Django refuses that with ``BadHeaderError``, fail the task sending the
email. Every email goes through ``coe_portal.mail.send_mail``, which makes the subject one
line; each sender is tried here with a title that tries to add a header.
"""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from coe_portal.mail import SUBJECT_MAX_CHARS, subject_line
from coe_portal.roles import Role
from tests.factories import ReviewFactory, UseCaseFactory, UserFactory
from tests.skilling.factories import EventFactory

INJECTION = "Invoice bot\r\nBcc: everyone@example.com\nX-Priority: 1\u2028\u0085end"


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Invoice bot", "Invoice bot"),
        (INJECTION, "Invoice bot Bcc: everyone@example.com X-Priority: 1 end"),
        ("  spaced\t\tout \x0b\x0c ", "spaced out"),
        ("x" * 400, "x" * (SUBJECT_MAX_CHARS - 1) + "…"),
    ],
)
def test_a_subject_is_one_line_of_bounded_length(text, subject):
    assert subject_line(text) == subject


def _sent_safely() -> list[mail.EmailMessage]:
    assert mail.outbox, "the sender sent something"
    for message in mail.outbox:
        assert not any(c in message.subject for c in "\r\n\u2028\u0085")
        assert "Bcc: everyone" in message.subject  # the text is kept, as text
        assert message.bcc == []
        assert "everyone@example.com" not in message.recipients()
        message.message()  # builds the headers: raises BadHeaderError on a line break
    return mail.outbox


@pytest.mark.django_db
def test_notification_emails(employee, reviewer, django_capture_on_commit_callbacks):
    from usecases.engagement import add_comment

    proposal = UseCaseFactory(owner=employee, status="submitted", title=INJECTION)
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(proposal.pk, actor=reviewer, body="A question.")

    assert [m.to for m in _sent_safely()] == [[employee.email]]


@pytest.mark.django_db
def test_governance_emails(employee, reviewer, django_capture_on_commit_callbacks):
    from governance import reviews, tasks

    proposal = UseCaseFactory(owner=employee, status="in_review", title=INJECTION)
    review = ReviewFactory(
        use_case=proposal, assignee=reviewer, opened_at=timezone.now() - timedelta(days=30)
    )
    tasks.email_assignment(proposal.pk, reviewer.pk, review.pk)
    tasks.remind_overdue_reviews()
    # A re-review round: its reviewer and its owner are told (governance.notices).
    with django_capture_on_commit_callbacks(execute=True):
        reviews.open_reviews(proposal, "minimal", actor=None, kind="re_review")

    assert len(_sent_safely()) == 4


@pytest.mark.django_db
def test_event_emails(employee):
    from skilling import events
    from skilling.tasks import send_event_reminders

    event = EventFactory(title=INJECTION, starts_at=timezone.now() + timedelta(hours=20))
    events.register_for_event(event.pk, actor=employee)

    assert send_event_reminders() == 1
    _sent_safely()


@pytest.mark.django_db
def test_report_emails(monkeypatch):
    from metrics import reports
    from metrics.models import Report

    UserFactory(roles=[Role.LEADERSHIP])
    report = Report.objects.create(
        kind="adoption",
        period_start=timezone.localdate().replace(day=1),
        period_end=timezone.localdate(),
        status="ready",
        data={},
    )
    monkeypatch.setattr(Report, "__str__", lambda self: INJECTION)

    assert reports.email_leadership(report.pk) == 1
    _sent_safely()


def test_every_email_goes_through_the_safe_helper():
    """A module importing Django's own send_mail (or EmailMessage) would bypass it."""
    allowed = {Path("coe_portal/mail.py")}
    offenders = []
    root = Path(settings.BASE_DIR)
    for app in ("coe_portal", "usecases", "governance", "skilling", "metrics"):
        for path in (root / app).rglob("*.py"):
            relative = path.relative_to(root)
            if relative in allowed or "migrations" in relative.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom):
                    names = [f"{node.module}.{alias.name}" for alias in node.names]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                if any(name.startswith("django.core.mail") for name in names):
                    offenders.append(f"{relative}:{node.lineno}")
    assert not offenders, "send email through coe_portal.mail: " + ", ".join(offenders)
