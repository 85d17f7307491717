from __future__ import annotations

from django import template
from django.db.models import Count, Q

from coe_portal.models import User
from coe_portal.subqueries import count_of
from usecases.choices import LIVE_STATUSES, OPEN_STATUSES, Status
from usecases.models import Notification
from usecases.progress import STATUS_BADGE, next_step, who_has_it

register = template.Library()


def _person_counts(request) -> dict:
    """The person's unread notifications and proposal counts in one query, once per request:
    the navigation shows the first on every page, the home page the rest."""
    if not hasattr(request, "_intake_counts"):
        user = request.user
        unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
        mine = "use_cases__status"
        request._intake_counts = (
            User.objects.filter(pk=user.pk)
            .annotate(
                drafts=Count("use_cases", filter=Q(**{mine: Status.DRAFT})),
                open=Count(
                    "use_cases", filter=Q(**{f"{mine}__in": OPEN_STATUSES - {Status.DRAFT}})
                ),
                live=Count("use_cases", filter=Q(**{f"{mine}__in": LIVE_STATUSES})),
                changes=Count("use_cases", filter=Q(**{mine: Status.CHANGES_REQUESTED})),
                unread=count_of(unread, "recipient"),
            )
            .values("drafts", "open", "live", "changes", "unread")
            .get()
        )
    return request._intake_counts


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return _person_counts(request)["unread"]


@register.simple_tag(takes_context=True)
def my_proposal_counts(context) -> dict:
    """Counts for the home page tiles (the same query as the navigation's)."""
    return _person_counts(context["request"])


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "")


@register.filter
def who_has(status: str) -> str:
    return who_has_it(status)


@register.filter
def next_for(status: str) -> str:
    return next_step(status)


@register.inclusion_tag("usecases/includes/status_badge.html")
def status(use_case):
    return {"use_case": use_case, "variant": STATUS_BADGE.get(use_case.status, "")}
