"""The intake form (in sections), and the small forms of the proposal page and import."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.urls import reverse

from coe_portal.limits import LongTextFormField
from coe_portal.models import (
    AIPlatform,
    DataSensitivity,
    choosable_platforms,
    validate_platform_choice,
)
from usecases.attachments import ALLOWED_DESCRIPTION, max_bytes
from usecases.choices import TEAM_ROLES
from usecases.models import Comment, UseCase
from usecases.proposals import ANSWER_FIELDS

# The guided form: (section heading, a sentence of guidance, its fields).
SECTIONS = [
    ("The idea", "Say what hurts today and how generative AI could help.",
     ["title", "problem", "solution", "category"]),
    ("Who owns it", "Where the idea lives and who backs it.",
     ["department", "business_sponsor", "intended_users", "reach"]),
    ("Expected benefits", "Rough numbers are fine; they feed the value score.",
     ["hours_saved_per_month", "estimated_annual_value", "benefits", "success_measure"]),
    ("Data and risk", "These answers decide which reviews the proposal needs.",
     ["data_used", "data_sensitivity", "uses_personal_data", "customer_facing",
      "decides_about_people", "regulated_domain", "confidential"]),
    ("Delivery", "What it runs on and how ready the team is.",
     ["platform", "platform_other", "effort", "data_readiness", "team_roles"]),
]  # fmt: skip

HELP = {
    "title": "A short name people will recognise, e.g. “Summarise supplier contracts”.",
    "problem": "Who has the problem, how often, and what it costs them today.",
    "reach": "How many people will use it or benefit from it.",
    "estimated_annual_value": "In euros per year; a rough estimate is fine.",
    "confidential": "Only you, your department's champions, the CoE and leadership see it.",
    "platform_other": "If the platform is not in the list, name it here.",
    "data_readiness": "1 = the data does not exist yet, 5 = clean and accessible today.",
    "team_roles": "Roles nobody on the team has yet are linked to learning paths.",
}
SUBMIT_FIELD_FOR_LABEL = {label: field for field, label in UseCase.REQUIRED_FOR_SUBMISSION}
SUBMIT_FIELD_FOR_LABEL["intended platform or model"] = "platform"
REQUIRED_FOR_SUBMISSION = set(SUBMIT_FIELD_FOR_LABEL.values())


class _ChoosablePlatforms(ModelChoiceIterator):
    def __init__(self, field):
        super().__init__(field)
        self.queryset = choosable_platforms()


class PlatformChoiceField(forms.ModelChoiceField):
    """Lists the platforms a proposal may name, but looks a sent one up in the whole
    catalogue: a prohibited platform is then refused with its reason
    (``validate_platform_choice``, as the API and the import do), not as an unknown choice."""

    iterator = _ChoosablePlatforms

    def validate(self, value):
        super().validate(value)
        validate_platform_choice(value)


class UseCaseForm(forms.ModelForm):
    """Every intake answer. Only the title is needed for a draft; submitting checks the rest
    (``UseCase.missing_answers``)."""

    team_roles = forms.MultipleChoiceField(
        label="Roles the team already has",
        choices=TEAM_ROLES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    data_readiness = forms.TypedChoiceField(
        label="Data readiness",
        choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    attachment = forms.FileField(
        label="Add an attachment",
        required=False,
        help_text=f"{ALLOWED_DESCRIPTION}, up to {max_bytes() // 1_048_576} MB.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = UseCase
        fields = list(ANSWER_FIELDS)
        field_classes = {"platform": PlatformChoiceField}
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "solution": forms.Textarea(attrs={"rows": 4}),
            "benefits": forms.Textarea(attrs={"rows": 3}),
            "success_measure": forms.Textarea(attrs={"rows": 2}),
            "data_used": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].label = "Intended platform or model"
        if user is not None and not self.instance.pk and user.department_id:
            self.fields["department"].initial = user.department_id
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        validate_url = reverse("usecases:usecase_validate")
        for name, field in self.fields.items():
            if name in HELP:
                field.help_text = HELP[name]
            if name in REQUIRED_FOR_SUBMISSION:
                field.widget.attrs["data-needed-to-submit"] = "true"
            if name in ("attachment", "version", "team_roles") or isinstance(
                field.widget, forms.CheckboxInput
            ):
                continue
            # Inline validation: the field's messages come back as the person types.
            field.widget.attrs.update(
                {
                    "hx-post": validate_url,
                    "hx-trigger": "input changed delay:600ms, change",
                    "hx-target": f"#messages-{name}",
                    "hx-swap": "innerHTML",
                    # The platform warning needs both answers, whichever is being changed.
                    "hx-include": "[name=platform],[name=data_sensitivity]"
                    if name in ("platform", "data_sensitivity")
                    else "this",
                    "hx-vals": f'{{"_field": "{name}"}}',
                    "aria-describedby": f"messages-{name}",
                }
            )

    def sections(self):
        """The bound fields grouped for the template."""
        return [
            {"title": title, "lead": lead, "fields": [self[name] for name in names]}
            for title, lead, names in SECTIONS
        ]

    def platform_warning(self) -> str:
        """A warning (not an error) when the chosen platform is restricted or not cleared for
        the proposal's data; the CoE decides, but the proposer should know early."""
        platform = self.cleaned_data.get("platform")
        sensitivity = self.cleaned_data.get("data_sensitivity")
        if platform is None:
            return ""
        if sensitivity and not platform.accepts(sensitivity):
            return (
                f"{platform} is cleared for data up to "
                f"{platform.get_max_data_sensitivity_display().lower()}, not "
                f"{DataSensitivity(sensitivity).label.lower()}: choose another platform or "
                "expect the CoE to ask how the data will be protected."
            )
        if platform.status == AIPlatform.Status.RESTRICTED:
            return f"{platform} is restricted: the CoE will set conditions for its use."
        return ""

    def clean_title(self):
        title = (self.cleaned_data.get("title") or "").strip()
        if len(title) < 5:
            raise forms.ValidationError("Give the proposal a title of at least 5 characters.")
        return title

    def answers(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ANSWER_FIELDS if name in self.cleaned_data
        }


class TransitionForm(forms.Form):
    target = forms.CharField()
    note = LongTextFormField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_status = forms.CharField(required=False)


class CommentForm(forms.Form):
    body = LongTextFormField(
        label="Add a comment",
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MarkDuplicateForm(forms.Form):
    original = forms.IntegerField(
        label="Original proposal number",
        min_value=1,
        help_text="The number (#) of the proposal this one duplicates.",
    )
    note = LongTextFormField(
        label="Note to the owner", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSV file")
    mapping = forms.ChoiceField(label="Use a saved mapping", required=False)

    def __init__(self, *args, mapping_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].choices = [("", "— map the columns myself —"), *mapping_choices]
