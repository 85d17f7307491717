from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
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


class LockoutMessageMixin:
    """For a login form: when the login throttle refused the attempt (django-axes marks the
    request), say so and how long to wait, instead of blaming the password."""

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(
                login_throttle.lockout_message(self.request), code=login_throttle.LOCKED
            )
        return super().get_invalid_login_error()


class PortalAuthenticationForm(LockoutMessageMixin, AuthenticationForm):
    """The login page's form."""


class PortalAdminAuthenticationForm(LockoutMessageMixin, AdminAuthenticationForm):
    """The Django admin's login form (admin.site.login_form)."""
