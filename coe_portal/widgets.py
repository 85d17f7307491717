"""Form widgets that stay cheap when they have many choices."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class PlainSelect(forms.Select):
    """A single-choice ``<select>`` whose options are written in Python.

    Django renders every ``<option>`` of a Select through a template include (and builds a
    context dict per option first); with the 200 departments of a large company that took
    20-30 ms of each Explore, queue, register and dashboard request. The HTML is Django's
    without the blank lines: the same attributes, escaped the same way. No option groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )
