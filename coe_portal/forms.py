from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from coe_portal import login_throttle
from coe_portal.models import PortalSettings


class HowItWorksForm(forms.ModelForm):
    class Meta:
        model = PortalSettings
        fields = ["how_it_works"]
        labels = {"how_it_works": "Page text (Markdown)"}
        widgets = {"how_it_works": forms.Textarea(attrs={"rows": 24, "class": "mono"})}

    def clean_how_it_works(self) -> str:
        text = self.cleaned_data["how_it_works"].strip()
        if not text:
            raise forms.ValidationError("Write at least a few lines: this page explains the CoE.")
        if len(text) > 50_000:
            raise forms.ValidationError("Keep the page under 50,000 characters.")
        return text


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing even correct passwords while the account or address is
    locked out after repeated failures (see login_throttle)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": (
            "Too many failed attempts. For your security this account is locked for "
            "%(minutes)s minutes; try again later or ask a CoE admin."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if username and login_throttle.is_locked(username, address):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                login_throttle.record_failure(username, address)
            raise
        login_throttle.clear_failures(username)
        return cleaned
