"""The person's own figures that every page shows (unread notifications in the navigation)
and the home page adds to (their proposals by stage), and the audience of the proposal
lists they see (for parts of pages shared through ``coe_portal.pagecache``)."""

from __future__ import annotations

from django.db.models import Count, Q

from coe_portal import pagecache
from coe_portal.models import User
from coe_portal.roles import Role, has_role, sees_everything
from coe_portal.subqueries import count_of
from usecases.choices import LIVE_STATUSES, OPEN_STATUSES, Status
from usecases.models import Notification

# Bumped by every change of a proposal, its reviews or endorsements (proposals_changed):
# the topic of the lists.
PROPOSALS = "proposals"


def proposal_topic(use_case_id: int) -> str:
    """The topic of one proposal's own page: its answers, status, comments, files, history
    and governance summary. A change elsewhere leaves that page's shared parts alone."""
    return f"proposal:{use_case_id}"


def proposals_changed(*use_case_ids: int) -> None:
    """Bump the lists' topic and the pages of ``use_case_ids`` (none for new proposals),
    now and after commit (pagecache.changed)."""
    pagecache.changed(PROPOSALS, *map(proposal_topic, use_case_ids))


def supporters(use_case_id: int) -> str:
    """The topic of who endorses and follows one proposal (usecases.engagement)."""
    return f"supporters:{use_case_id}"


def inbox(user_id: int) -> str:
    """The topic of one person's notifications."""
    return f"inbox:{user_id}"


def person_counts(request) -> dict:
    """Drafts, open, live, changes requested and unread notifications of the person: one
    query, once per request, and none while neither proposals nor their inbox changed."""
    if not hasattr(request, "_intake_counts"):
        user = request.user
        part = pagecache.key("person-counts", user.pk, topics=[PROPOSALS, inbox(user.pk)])
        request._intake_counts = pagecache.get_or_set(part, lambda: _count(user))
    return request._intake_counts


def _count(user) -> dict:
    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
    mine = "use_cases__status"
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            drafts=Count("use_cases", filter=Q(**{mine: Status.DRAFT})),
            open=Count("use_cases", filter=Q(**{f"{mine}__in": OPEN_STATUSES - {Status.DRAFT}})),
            live=Count("use_cases", filter=Q(**{f"{mine}__in": LIVE_STATUSES})),
            changes=Count("use_cases", filter=Q(**{mine: Status.CHANGES_REQUESTED})),
            unread=count_of(unread, "recipient"),
        )
        .values("drafts", "open", "live", "changes", "unread")
        .get()
    )


def audience(request) -> str:
    """A name for everyone who sees exactly the proposals this person sees
    (``UseCase.objects.visible_to``): staff and leadership see all, a champion also their
    department's confidential ones, everyone else the open ones. Drafts are their owner's
    alone, so a person with drafts is an audience of one."""
    user = request.user
    if sees_everything(user):
        name = "all"
    elif has_role(user, Role.CHAMPION) and user.department_id:
        name = f"department-{user.department_id}"
    else:
        name = "open"
    if person_counts(request)["drafts"]:
        name += f"+user-{user.pk}"
    return name
