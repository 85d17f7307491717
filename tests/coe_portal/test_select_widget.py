"""The project's select widget template (templates/django/forms/widgets/select.html) writes
its options inline instead of one include each; it must give Django's own markup (but for
the blank lines Django's includes leave between options)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer


class Choices(forms.Form):
    one = forms.ChoiceField(
        choices=[("", "Any"), ("x", "X & <Y>"), ("Group", [("1", "One"), ("2", "Two")])],
        initial="x",
    )
    many = forms.MultipleChoiceField(
        choices=[("p", "P"), ("q", "Q")], initial=["q"], required=False
    )


def _html(renderer) -> str:
    form = Choices(renderer=renderer)
    return re.sub(r">\s+<", "><", str(form["one"]) + str(form["many"]))


def test_the_portals_select_is_rendered_from_its_own_template():
    template = get_default_renderer().get_template("django/forms/widgets/select.html")
    assert str(settings.BASE_DIR / "templates") in template.origin.name


def test_it_gives_the_same_markup_as_djangos():
    assert _html(get_default_renderer()) == _html(DjangoTemplates())
