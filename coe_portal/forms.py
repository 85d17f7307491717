from __future__ import annotations

from django import forms

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
