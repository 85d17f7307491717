"""Template helpers other apps may use without importing skilling's Python code."""

from __future__ import annotations

from django import template
from django.db.models import Count

from skilling.models import AdoptionRole

register = template.Library()


@register.simple_tag
def adoption_roles_for(role_slugs) -> list[AdoptionRole]:
    """The roles named by ``role_slugs`` (a list or a comma-separated string), in that
    order, each with ``step_count`` (steps of its learning path). One query."""
    if not role_slugs:
        return []
    if isinstance(role_slugs, str):
        role_slugs = role_slugs.split(",")
    slugs = [str(s).strip() for s in role_slugs if str(s).strip()]
    roles = {
        role.slug: role
        for role in AdoptionRole.objects.filter(slug__in=slugs).annotate(
            step_count=Count("path__steps")
        )
    }
    return [roles[slug] for slug in dict.fromkeys(slugs) if slug in roles]
