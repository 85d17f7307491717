"""The one exception skilling's logic raises for a broken rule."""

from __future__ import annotations


class SkillingError(Exception):
    """A request that breaks a rule; the message is shown to the person as it is."""
