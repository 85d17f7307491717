"""The form that makes an API token (coe_portal/tokens.py makes it)."""

from __future__ import annotations

import uuid

from django import forms

from coe_portal.choices import DEFAULT_TOKEN_LIFETIME, TokenLifetime
from coe_portal.models import ApiToken


class ApiTokenForm(forms.Form):
    """A name and a lifetime; ``creation_key`` is a one-time key rendered with each blank
    form, so the same form sent twice makes one token."""

    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What will use it, e.g. “Reporting script”, so you know which to revoke.",
        error_messages={"required": "Name the token after what will use it."},
    )
    lifetime = forms.TypedChoiceField(
        label="Expires after",
        choices=[(lifetime.value, lifetime.label) for lifetime in TokenLifetime],
        coerce=int,
        initial=DEFAULT_TOKEN_LIFETIME.value,
        help_text="It stops working then; make a new one before it does.",
        error_messages={"invalid_choice": "Choose one of the lifetimes offered."},
    )
    creation_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is out of date: reload the page and try again.",
            "invalid": "This form is out of date: reload the page and try again.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("creation_key", uuid.uuid4())
