"""Forms of the governance pages. They parse and validate; the logic modules act."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils import timezone

from coe_portal.limits import LongTextFormField
from coe_portal.models import AIPlatform, OperatingModel, PortalSettings, User
from governance.choices import AnswerResult, Outcome, ReviewArea, RiskTier
from governance.models import WAIVER_REASON_LENGTH, Criterion
from governance.policy import parse_departments

EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "txt", "csv", "docx", "xlsx", "pptx", "md"]
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# What each operating model means, with an example. The table the settings page shows
# under each is worked out by governance.routing (``responsibilities``), the rule itself.
OPERATING_MODEL_HELP = {
    OperatingModel.CENTRALIZED: "The CoE reviews and decides everything; champions triage "
    "their department's proposals. Example: a minimal-risk chatbot in Finance: a CoE "
    "reviewer reviews and decides it. Best while the CoE is small and the company is "
    "learning what good looks like.",
    OperatingModel.FEDERATED: "Department champions review and decide their department's "
    "minimal- and limited-risk proposals; the CoE reviews and decides high risk. Example: a "
    "limited-risk chatbot in Finance: Finance's champion reviews and decides it; a high-risk "
    "one goes to the CoE. Scales once champions are trained.",
    OperatingModel.HYBRID: "The CoE sets policy and decides; champions review their "
    "department's minimal- and limited-risk proposals and decide minimal risk alone. "
    "Example: a minimal-risk chatbot in Finance: Finance's champion reviews and decides it; "
    "a limited-risk one: Finance's champion reviews it and a CoE reviewer decides. A step "
    "between the two.",
}
NO_CHAMPION_HELP = (
    "In every model, a department with no champion has its champions' work done by the CoE: "
    "CoE reviewers review and decide its proposals. Prohibited proposals are always the "
    "CoE's, and can never be approved."
)


class OperatingModelForm(forms.ModelForm):
    class Meta:
        model = PortalSettings
        fields = ["operating_model", "review_sla_days"]
        widgets = {"operating_model": forms.RadioSelect}
        labels = {"review_sla_days": "Review SLA (working days)"}


class TierPolicyForm(forms.Form):
    required_areas = forms.MultipleChoiceField(
        choices=ReviewArea.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    rereview_after_days = forms.IntegerField(
        min_value=7, max_value=1095, label="Re-review every (days)"
    )

    def __init__(self, *args, tier: str, **kwargs):
        super().__init__(*args, prefix=f"tier-{tier}", **kwargs)
        self.tier = RiskTier(tier)

    def clean_required_areas(self):
        areas = self.cleaned_data["required_areas"]
        if not areas:
            raise ValidationError("Choose at least one review area.")
        return areas


class SetupForm(forms.Form):
    operating_model = forms.ChoiceField(choices=OperatingModel.choices, widget=forms.RadioSelect)
    departments = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="One per line: a name, optionally a comma and a short code "
        "(e.g. 'Finance, finance').",
    )
    departments_csv = forms.FileField(
        required=False,
        label="…or import a CSV file",
        help_text="Columns 'name' and optionally 'code', with a header row.",
    )
    review_sla_days = forms.IntegerField(
        min_value=1, max_value=180, label="Review SLA (working days)"
    )

    def clean(self):
        data = super().clean()
        text = data.get("departments") or ""
        upload = data.get("departments_csv")
        try:
            if upload:
                if upload.size > 1_000_000:
                    raise ValidationError("The CSV file is larger than 1 MB.")
                text += "\n" + upload.read().decode("utf-8-sig")
                data["departments_parsed"] = parse_departments(text, csv_header=bool(upload))
            else:
                data["departments_parsed"] = parse_departments(text)
        except UnicodeDecodeError as exc:
            raise ValidationError("The CSV file is not UTF-8 text.") from exc
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return data


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "area", "code", "text", "guidance", "nist_ai_rmf", "eu_ai_act", "iso_42001",
            "position", "active",
        ]  # fmt: skip
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "guidance": forms.Textarea(attrs={"rows": 3})}  # fmt: skip


class PlatformForm(forms.ModelForm):
    class Meta:
        model = AIPlatform
        fields = ["name", "vendor", "description", "status", "max_data_sensitivity"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RejectForm(forms.Form):
    note = LongTextFormField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why is it out of scope?",
        help_text="The owner sees this.",
    )
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)


class OverrideForm(forms.Form):
    tier = forms.ChoiceField(choices=RiskTier.choices, label="Risk tier")
    reason = LongTextFormField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")


class AnswerForm(forms.Form):
    result = forms.ChoiceField(
        choices=[("", "Not answered"), *AnswerResult.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    note = LongTextFormField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = LongTextFormField(
        widget=forms.Textarea(attrs={"rows": 1}),
        required=False,
        help_text="Links, one per line",
    )
    evidence_file = forms.FileField(
        required=False,
        label="Evidence file",
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload and upload.size > EVIDENCE_MAX_BYTES:
            raise ValidationError("Evidence files may be up to 10 MB.")
        return upload


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("", "Save answers only"), *Outcome.choices],
        required=False,
        widget=forms.RadioSelect,
        label="Decision",
    )
    rationale = LongTextFormField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("outcome") and not (data.get("rationale") or "").strip():
            self.add_error("rationale", "Give the rationale for your decision.")
        return data


class ConditionForm(forms.Form):
    text = LongTextFormField(label="Condition", required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due"
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("text"):
            if not data.get("owner"):
                self.add_error("owner", "Who owns this condition?")
            if not data.get("due_on"):
                self.add_error("due_on", "When is it due?")
            elif data["due_on"] < timezone.localdate():
                self.add_error("due_on", "The due date is in the past.")
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people if people is not None else User.objects.none()


class GoLiveForm(forms.Form):
    target = forms.ChoiceField(
        choices=[
            ("in_pilot", "Start the pilot"),
            ("in_production", "Move to production"),
            ("retired", "Retire it"),
        ],
        widget=forms.RadioSelect,
        label="What happens",
    )
    on_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date (go-live)"
    )
    realised_annual_value = forms.DecimalField(
        required=False, max_digits=14, decimal_places=2, min_value=0,
        label="Value realised per year so far",
    )  # fmt: skip
    note = LongTextFormField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Retiring needs a reason.",
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)


class WaiveConditionForm(forms.Form):
    reason = LongTextFormField(
        max_length=WAIVER_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why is it waived?",
        help_text="Kept in the proposal's history, for its owner, the department's champions, "
        "the CoE and leadership.",
        error_messages={"required": "Say why the condition is waived."},
    )
