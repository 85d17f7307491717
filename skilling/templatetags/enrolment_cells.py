"""Per-person enrolment cells inside a list of resource cards that is shared by everyone.

The catalog's cards are rendered once and shared through the cache (``{% sharedpart %}``);
each card's enrolment cell ("Enrol" with a CSRF token, or the person's badge) is the
person's own and must never be in the shared part. So the shared part holds a slot per card
and the cells are rendered live, for the person, into the slots::

    {% enrolmentcells %}
      {% sharedpart key %}…{% for resource in page %}…{% enrolmentslot resource %}…{% endfor %}…{% endsharedpart %}
    {% cell %}
      …the cell, with ``resource`` (only its ``pk``) and ``enrolment`` (or None)…
    {% endenrolmentcells %}

One query (the person's enrolments in the resources of the slots), whether the shared part
was cached or not; the cell of a resource the person is not enrolled in is rendered once
and stamped with each resource's id.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from django import template
from django.utils.safestring import mark_safe

from skilling.models import Enrolment

register = template.Library()

# An HTML comment cannot come out of an escaped value ("<" becomes "&lt;").
_SLOT = "<!--enrolment-cell:{}-->"
_SLOTS = re.compile(r"<!--enrolment-cell:(\d+)-->")
# A resource id no catalog reaches, standing for the real one in a cell rendered once.
_STAMP = 987_654_321_987_654_321


@register.simple_tag
def enrolmentslot(resource) -> str:
    """Where ``resource``'s enrolment cell goes."""
    return mark_safe(_SLOT.format(int(resource.pk)))  # noqa: S308 (an integer in a comment)


class EnrolmentCellsNode(template.Node):
    child_nodelists = ("nodelist", "cell")

    def __init__(self, nodelist, cell):
        self.nodelist = nodelist
        self.cell = cell

    def render(self, context):
        html = self.nodelist.render(context)
        ids = [int(pk) for pk in _SLOTS.findall(html)]
        if not ids:
            return html
        enrolments = {
            e.resource_id: e
            for e in Enrolment.objects.filter(user=context["request"].user, resource_id__in=ids)
        }
        cells = {}
        blank = None  # the cell of a resource the person is not enrolled in, for _STAMP
        for pk in ids:
            enrolment = enrolments.get(pk)
            if enrolment is None:
                # These cells differ only by the resource's id: render one and stamp each. (The
                # stamp could only meet its digits elsewhere in the person's own query string.)
                if blank is None:
                    blank = self._render_cell(context, _STAMP, None)
                cells[pk] = blank.replace(str(_STAMP), str(pk))
            else:
                cells[pk] = self._render_cell(context, pk, enrolment)
        return mark_safe(_SLOTS.sub(lambda slot: cells[int(slot.group(1))], html))  # noqa: S308

    def _render_cell(self, context, pk: int, enrolment) -> str:
        # The cell uses only the resource's id (its links and the element's id).
        with context.push(resource=SimpleNamespace(pk=pk), enrolment=enrolment):
            return self.cell.render(context)


@register.tag
def enrolmentcells(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% enrolmentcells %} takes no arguments")
    nodelist = parser.parse(("cell",))
    parser.delete_first_token()
    cell = parser.parse(("endenrolmentcells",))
    parser.delete_first_token()
    return EnrolmentCellsNode(nodelist, cell)
