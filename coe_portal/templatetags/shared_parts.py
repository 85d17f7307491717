"""``{% sharedpart key %}…{% endsharedpart %}``: a part of a page kept in the cache under
``key`` (made by ``coe_portal.pagecache.key``) and rendered only when it is not there."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from coe_portal import pagecache

register = template.Library()


class SharedPartNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist = nodelist
        self.key = key

    def render(self, context):
        part_key = self.key.resolve(context)
        if not part_key:  # no key: a part that may not be shared is rendered every time
            return self.nodelist.render(context)
        html = pagecache.get_or_set(part_key, lambda: self.nodelist.render(context))
        return mark_safe(html)  # noqa: S308 (rendered by this template, escaped there)


@register.tag
def sharedpart(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% sharedpart key %} takes exactly one key")
    nodelist = parser.parse(("endsharedpart",))
    parser.delete_first_token()
    return SharedPartNode(nodelist, parser.compile_filter(bits[1]))
