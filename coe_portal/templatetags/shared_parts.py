"""``{% sharedpart key %}…{% endsharedpart %}``: a part of a page kept in the cache under
``key`` (made by ``coe_portal.pagecache.key``) and rendered only when it is not there.

A shared part may hold two per-person things. Each is cached as a slot and filled in for
every reader after the part is read, so no reader's own value is ever cached:

- ``{% csrf_token %}`` (and ``{{ csrf_token }}``): the reader's token. A token kept in the
  cache would be another person's, or a stale one after they log in again;
- ``{% notfor person_id %}…{% endnotfor %}``: shown to everyone but that person, e.g.
  "Assign to me" on a row that is assigned to the reader already.

Slots carry a marker derived from SECRET_KEY, which text from the data cannot guess, so it
cannot forge a slot (``notfor`` slots are also HTML comments, and escaped text has no
``<!--``). Part keys are salted with SECRET_KEY too (``pagecache.key``), so a new
SECRET_KEY never meets parts whose slots it would not fill.
"""

from __future__ import annotations

import functools
import re

from django import template
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from coe_portal import pagecache

register = template.Library()

_BUILDING = "_sharedpart_building"  # set in the context while a shared part is rendered


@functools.cache
def _marker() -> str:
    return salted_hmac("sharedpart-slot", "v1").hexdigest()[:24]


def _csrf_slot() -> str:
    # Letters, digits and dashes: {% csrf_token %} escapes its value.
    return f"sharedpart-csrf-{_marker()}"


def _notfor_prefix() -> str:
    return f"<!--{_marker()}:notfor:"


def _notfor_open(person: str) -> str:
    return f"{_notfor_prefix()}{person}-->"


def _notfor_close() -> str:
    return f"<!--{_marker()}:endnotfor-->"


@functools.cache
def _notfor_block() -> re.Pattern:
    """A whole ``notfor`` block: the person's id (maybe empty), then the content."""
    prefix, close = re.escape(_notfor_prefix()), re.escape(_notfor_close())
    return re.compile(rf"{prefix}(\d*)-->(.*?){close}", re.S)


def _viewer_id(context) -> str:
    request = getattr(context, "request", None)
    user = getattr(request, "user", None) or context.get("user")
    return str(getattr(user, "pk", "") or "")


def _fill(html: str, context) -> str:
    """``html`` as the current reader sees it: their CSRF token, their ``notfor`` blocks."""
    if context.get(_BUILDING):  # a part inside a part being built: filled with the outer one
        return html
    csrf = _csrf_slot()
    if csrf in html:
        html = html.replace(csrf, str(context.get("csrf_token", "")))
    if _notfor_prefix() in html:
        viewer = _viewer_id(context)
        html = _notfor_block().sub(lambda m: "" if m[1] and m[1] == viewer else m[2], html)
    return html


class SharedPartNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist = nodelist
        self.key = key

    def render(self, context):
        part_key = self.key.resolve(context)
        if not part_key:  # no key: a part that may not be shared is rendered every time
            return self.nodelist.render(context)
        html = pagecache.get_or_set(part_key, lambda: self._build(context))
        return mark_safe(_fill(html, context))  # noqa: S308 (rendered by this template, escaped there)

    def _build(self, context) -> str:
        # The CSRF token's slot stands in for the token itself (see the module docstring).
        with context.push(csrf_token=_csrf_slot(), **{_BUILDING: True}):
            html = str(self.nodelist.render(context))
        if html.count('name="csrfmiddlewaretoken"') > html.count(f'value="{_csrf_slot()}"'):
            raise template.TemplateSyntaxError("A CSRF token in a shared part must be its slot")
        return html


@register.tag
def sharedpart(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% sharedpart key %} takes exactly one key")
    nodelist = parser.parse(("endsharedpart",))
    parser.delete_first_token()
    return SharedPartNode(nodelist, parser.compile_filter(bits[1]))


class NotForNode(template.Node):
    def __init__(self, nodelist, person):
        self.nodelist = nodelist
        self.person = person

    def render(self, context):
        person = self.person.resolve(context)
        person = "" if person in (None, "") else str(int(person))
        if context.get(_BUILDING):
            return f"{_notfor_open(person)}{self.nodelist.render(context)}{_notfor_close()}"
        if person and person == _viewer_id(context):
            return ""
        return self.nodelist.render(context)


@register.tag
def notfor(parser, token):
    """``{% notfor person_id %}…{% endnotfor %}``: the content, except for that person
    (nobody when ``person_id`` is empty)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% notfor person_id %} takes exactly one id")
    nodelist = parser.parse(("endnotfor",))
    parser.delete_first_token()
    return NotForNode(nodelist, parser.compile_filter(bits[1]))
