"""Forms for the readiness questionnaire, the dashboard filters and "generate now"."""

from __future__ import annotations

import datetime as dt

from django import forms

from coe_portal.models import Department
from coe_portal.widgets import PlainSelect
from metrics.dashboards import DEFAULT_PERIOD, PERIODS
from metrics.models import Report
from metrics.readiness import DIMENSIONS, QUESTIONS
from metrics.reports import period_containing


class AssessmentForm(forms.Form):
    """One 1-5 choice and one evidence box per question, grouped by dimension."""

    def __init__(self, *args, answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        for code, question in QUESTIONS.items():
            saved = answers.get(code, {})
            self.fields[f"{code}__score"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(n, f"{n} · {text}") for n, text in enumerate(question.levels, 1)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=saved.get("score"),
            )
            self.fields[f"{code}__evidence"] = forms.CharField(
                label="Evidence",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What shows this?"}),
                initial=saved.get("evidence", ""),
            )

    def dimensions(self):
        """[(dimension, [(score field, evidence field), …]), …] for the template."""
        return [
            (
                dimension,
                [
                    (self[f"{q.code}__score"], self[f"{q.code}__evidence"])
                    for q in dimension.questions
                ],
            )
            for dimension in DIMENSIONS
        ]

    def answers(self) -> dict:
        return {
            code: {
                "score": self.cleaned_data.get(f"{code}__score"),
                "evidence": self.cleaned_data.get(f"{code}__evidence", ""),
            }
            for code in QUESTIONS
        }


class DashboardFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="Whole organisation",
        widget=PlainSelect,
    )
    period = forms.ChoiceField(
        choices=[(key, label) for key, (label, _days) in PERIODS.items()],
        required=False,
        label="Compare with previous",
    )

    def clean_period(self):
        return self.cleaned_data.get("period") or DEFAULT_PERIOD


def report_period_choices(today: dt.date) -> list[tuple[str, str]]:
    """The periods one may generate: the last twelve months and the last four quarters."""
    choices = []
    day = today
    for _ in range(12):
        start, _end = period_containing(Report.Kind.ADOPTION, day)
        choices.append((f"adoption:{start.isoformat()}", f"Adoption · {start:%B %Y}"))
        day = start - dt.timedelta(days=1)
    day = today
    for _ in range(4):
        start, _end = period_containing(Report.Kind.READINESS, day)
        quarter = (start.month - 1) // 3 + 1
        choices.append((f"readiness:{start.isoformat()}", f"Readiness · {start.year} Q{quarter}"))
        day = start - dt.timedelta(days=1)
    return choices


class GenerateReportForm(forms.Form):
    report = forms.ChoiceField(label="Report")

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = report_period_choices(today)

    def kind_and_start(self) -> tuple[str, dt.date]:
        kind, start = self.cleaned_data["report"].split(":")
        return kind, dt.date.fromisoformat(start)
