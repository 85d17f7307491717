from __future__ import annotations

from django import template

from usecases.counts import person_counts, unread_count
from usecases.progress import STATUS_BADGE, next_step, who_has_it

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(request)


@register.simple_tag(takes_context=True)
def my_proposal_counts(context) -> dict:
    """Counts for the home page tiles (the same query as the navigation's)."""
    return person_counts(context["request"])


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
