from __future__ import annotations

from django import template

from metrics.models import Report

register = template.Library()


@register.simple_tag
def latest_report():
    """The newest ready report (one query), for the leadership tile on the home page."""
    return Report.objects.filter(status=Report.Status.READY).order_by("-finished_at").first()
