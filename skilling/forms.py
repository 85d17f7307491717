from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from skilling.choices import RegistrationStatus, ResourceStatus
from skilling.models import (
    AdoptionRole,
    Event,
    LearningPath,
    LearningResource,
    RoleSkill,
    Skill,
)


class LearnerRolesForm(forms.Form):
    current_role = forms.ModelChoiceField(
        queryset=AdoptionRole.objects.all(),
        required=False,
        empty_label="None yet",
        label="The role I hold today",
    )
    target_role = forms.ModelChoiceField(
        queryset=AdoptionRole.objects.all(),
        required=False,
        empty_label="Not chosen",
        label="The role I am skilling for",
        help_text="The portal recommends training for the skills of this role you lack.",
    )

    def clean(self):
        data = super().clean()
        current, target = data.get("current_role"), data.get("target_role")
        if current and current == target:
            self.add_error(
                "target_role", "Your target is the role you already hold: pick another one."
            )
        return data


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Progress (%)",
        widget=forms.NumberInput(attrs={"step": 5}),
    )


class CompleteForm(forms.Form):
    evidence_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Evidence link (optional)",
        help_text="A certificate, badge or write-up that shows you completed it.",
    )


class SkillForm(forms.ModelForm):
    slug = forms.SlugField(
        required=False, help_text="Used in links and CSV files. Left empty, made from the name."
    )

    class Meta:
        model = Skill
        fields = ["name", "slug", "category", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))
        if not slug:
            raise forms.ValidationError("Give the skill a name or a slug.")
        clash = Skill.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"Another skill already uses “{slug}”.")
        return slug


class AdoptionRoleForm(forms.ModelForm):
    slug = forms.SlugField(
        required=False,
        help_text="Used in links (its learning path is /learning/roles/<slug>/). "
        "Left empty, made from the name.",
    )

    class Meta:
        model = AdoptionRole
        fields = ["name", "slug", "summary", "responsibilities", "position"]
        widgets = {"responsibilities": forms.Textarea(attrs={"rows": 5})}

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))
        if not slug:
            raise forms.ValidationError("Give the role a name or a slug.")
        clash = AdoptionRole.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"Another role already uses “{slug}”.")
        return slug


class RoleSkillForm(forms.ModelForm):
    class Meta:
        model = RoleSkill
        fields = ["skill", "level"]


RoleSkillFormSet = forms.inlineformset_factory(
    AdoptionRole,
    RoleSkill,
    form=RoleSkillForm,
    extra=3,
    can_delete=True,
)


class LearningResourceForm(forms.ModelForm):
    url = forms.URLField(
        label="Link",
        max_length=500,
        assume_scheme="https",
        help_text="Where to take it. A CSV import updates the resource with the same link.",
        error_messages={"unique": "Another resource already has this link."},
    )

    class Meta:
        model = LearningResource
        fields = [
            "title",
            "description",
            "kind",
            "provider",
            "provider_name",
            "url",
            "level",
            "duration_minutes",
            "language",
            "skills",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "skills": forms.CheckboxSelectMultiple,
        }
        help_texts = {"status": "Retired resources leave the catalog; completions stay."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].error_messages["required"] = (
            "Pick at least one skill the resource builds."
        )


class PathSummaryForm(forms.ModelForm):
    class Meta:
        model = LearningPath
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class PathStepForm(forms.Form):
    resource = forms.ModelChoiceField(
        queryset=LearningResource.objects.none(),
        label="Resource to add",
        empty_label="Choose an active resource…",
    )
    note = forms.CharField(max_length=200, required=False, label="Why this step (optional)")

    def __init__(self, *args, path: LearningPath, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = (
            LearningResource.objects.filter(status=ResourceStatus.ACTIVE)
            .exclude(path_steps__path=path)
            .order_by("title")
        )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    online_url = forms.URLField(
        label="Online link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Meeting link, if online. Shown only to people holding a seat.",
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "capacity",
            "resource",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
        }
        labels = {"starts_at": "Starts", "ends_at": "Ends"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        resource = self.fields["resource"]
        resource.queryset = LearningResource.objects.filter(
            Q(status=ResourceStatus.ACTIVE) | Q(pk=self.instance.resource_id)
        ).order_by("title")
        resource.empty_label = "Not a session of a catalog resource"

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        changed = self.instance.pk is None or "starts_at" in self.changed_data
        if changed and starts_at <= timezone.now():
            raise forms.ValidationError("Pick a time in the future.")
        return starts_at

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            seats = self.instance.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
            if capacity < seats:
                raise forms.ValidationError(
                    f"{seats} people already hold a seat: the capacity cannot be lower."
                )
        return capacity


class ResourceImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 (with or without BOM) or Windows-1252, comma- or semicolon-separated, "
        "up to 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Upload a .csv file (in Excel: Save as → CSV UTF-8).")
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 2 MB: split it.")
        return upload
