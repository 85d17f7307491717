from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UseCaseFactory, UserFactory
from usecases import engagement, notifications
from usecases.choices import Status
from usecases.lifecycle import TransitionError, change_status
from usecases.models import Follow, Notification, UseCaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(employee, colleague):
    use_case = UseCaseFactory(owner=employee, status="submitted")
    Follow.objects.create(use_case=use_case, user=colleague)
    return use_case


def test_status_change_notifies_owner_and_followers_once_after_commit(
    proposal, employee, colleague, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_status(proposal.pk, Status.TRIAGE, actor=reviewer)
    # Nothing is sent inside the transaction: only callbacks are queued (the outbox's
    # dispatch and the bump of the cached pages' topic).
    assert Notification.objects.count() == 0
    assert len(mail.outbox) == 0
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        employee.username,
        colleague.username,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([employee.email, colleague.email])
    assert "in triage" in mail.outbox[0].body


def test_running_the_task_twice_sends_nothing_more(
    proposal, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_status(proposal.pk, Status.TRIAGE, actor=reviewer)
    event = UseCaseEvent.objects.get(use_case=proposal, to_status=Status.TRIAGE)
    sent_before = len(mail.outbox)
    assert notifications.notify_event(event.pk) == 0
    assert len(mail.outbox) == sent_before
    assert Notification.objects.filter(event=event).count() == 2


def test_failed_change_notifies_nobody(proposal, employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        change_status(proposal.pk, Status.APPROVED, actor=employee)
    assert Notification.objects.count() == 0


def test_comment_notifies_owner_not_the_commenter(
    proposal, employee, colleague, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        engagement.add_comment(proposal.pk, actor=outsider, body="Would Marketing use it too?")
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {employee.username, colleague.username}
    assert "commented" in Notification.objects.first().message
    # The commenter now follows the proposal.
    assert Follow.objects.filter(use_case=proposal, user=outsider).exists()


def test_follower_who_cannot_see_a_confidential_proposal_hears_nothing(
    employee, outsider, reviewer, django_capture_on_commit_callbacks
):
    secret = UseCaseFactory(owner=employee, status="submitted", confidential=True)
    Follow.objects.create(use_case=secret, user=outsider)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(secret.pk, Status.TRIAGE, actor=reviewer)
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert Notification.objects.filter(recipient=employee).exists()


def test_notification_list_shows_only_mine_and_marks_read(
    client, proposal, employee, colleague, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_status(proposal.pk, Status.TRIAGE, actor=reviewer)
    client.force_login(colleague)
    response = client.get(reverse("usecases:notification_list"))
    assert response.content.count(b'class="notification unread"') == 1
    assert b'class="bell-count">1<span' in response.content
    client.post(reverse("usecases:notification_read"))
    assert not Notification.objects.filter(recipient=colleague, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=employee, read_at__isnull=True).exists()


def test_notifications_of_a_proposal_made_confidential_since_drop_out_of_the_list(
    client, proposal, colleague, reviewer, django_capture_on_commit_callbacks
):
    """The colleague followed it while it was open; once confidential, the title in their
    notifications, the unread count and the notification's link are gone for them."""
    with django_capture_on_commit_callbacks(execute=True):
        change_status(proposal.pk, Status.TRIAGE, actor=reviewer)
    notification = Notification.objects.get(recipient=colleague)
    type(proposal).objects.filter(pk=proposal.pk).update(confidential=True)
    client.force_login(colleague)

    response = client.get(reverse("usecases:notification_list"))

    assert proposal.title.encode() not in response.content
    assert b"bell-count" not in response.content
    opened = client.get(reverse("usecases:notification_open", args=[notification.pk]))
    assert opened.status_code == 404


def test_opening_someone_elses_notification_is_404(
    client, proposal, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_status(proposal.pk, Status.TRIAGE, actor=reviewer)
    stranger = UserFactory()
    client.force_login(stranger)
    notification = Notification.objects.first()
    assert (
        client.get(reverse("usecases:notification_open", args=[notification.pk])).status_code == 404
    )


def test_broker_outage_after_commit_does_not_fail_the_change(
    proposal, employee, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from coe_portal import outbox, tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(proposal.pk, Status.TRIAGE, actor=reviewer)
    proposal.refresh_from_db()
    assert proposal.status == "triage"
    assert Notification.objects.count() == 0
    # The re-send delivers what the broker could not take, once.
    assert outbox.deliver_pending() == 1
    assert outbox.deliver_pending() == 0
    assert Notification.objects.filter(recipient=employee).count() == 1
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("url", ["/", "/proposals/"])
def test_the_bell_counts_unread_in_one_query_on_every_page(
    client, proposal, colleague, reviewer, django_capture_on_commit_callbacks, url
):
    """The navigation's count is its own small query, except on the home page, whose tiles
    count everything of the person's at once and share it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=True):
        change_status(proposal.pk, Status.TRIAGE, actor=reviewer)
    client.force_login(colleague)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert b'class="bell-count">1<span' in response.content
    counting = [q for q in queries.captured_queries if "usecases_notification" in q["sql"]]
    assert len(counting) == 1
