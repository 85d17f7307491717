"""How long a text a person writes may be, and how each surface says so.

Without a limit a form, the API or a CSV import would accept a proposal's problem of many
megabytes, and PostgreSQL then fails the request building its search vector (a tsvector is
capped at 1 MB). Every long free-text field a person fills is a ``LongTextField``: at most
``LONG_TEXT`` characters (about 3,000 words, far beyond any real answer), refused with the
same sentence by the model's form field, the API's serializer field (coe_portal.api_fields)
and the CSV import (``too_long``).
"""

from __future__ import annotations

from django import forms
from django.db import models

LONG_TEXT = 20_000


def too_long_message(limit: int) -> str:
    """The refusal of a text over ``limit`` characters, as a validator message: Django fills
    ``%(show_value)d`` with the text's length."""
    return f"Keep this under {limit:,} characters (it has %(show_value)d)."


def too_long(text: str, limit: int) -> str:
    """The same refusal for ``text`` itself (the CSV import, which has no validators)."""
    return too_long_message(limit) % {"show_value": len(text)}


class LongTextFormField(forms.CharField):
    """A form's free-text field, at most ``LONG_TEXT`` characters unless told otherwise."""

    def __init__(self, *, max_length: int = LONG_TEXT, **kwargs):
        errors = {"max_length": too_long_message(max_length), **kwargs.pop("error_messages", {})}
        super().__init__(max_length=max_length, error_messages=errors, **kwargs)


class LongTextField(models.TextField):
    """A TextField a person fills, at most ``LONG_TEXT`` characters unless told otherwise.

    The database does not enforce the limit (a TextField has none); forms, the API and the
    import do, with the message of ``too_long_message``."""

    def __init__(self, *args, max_length: int = LONG_TEXT, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    def formfield(self, **kwargs):
        errors = {"max_length": too_long_message(self.max_length)}
        errors.update(kwargs.pop("error_messages", None) or {})
        return super().formfield(error_messages=errors, **kwargs)
