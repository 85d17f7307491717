"""FilterSets shared by the pages and the API, so both filter the same way."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from coe_portal.models import AIPlatform, Department
from coe_portal.widgets import PlainSelect
from governance.choices import RiskTier
from governance.models import Condition, Review, RiskAssessment
from governance.reviews import QUEUE_STATUSES
from usecases.choices import LIVE_STATUSES, Status
from usecases.filters import visible_use_cases


def _search(queryset, name, value):
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(Q(title__icontains=value) | Q(problem__icontains=value))


def has_overdue_review(today, *, sla_days: int | None = None) -> Exists:
    """A condition on proposals: one of its reviews is overdue on ``today``. The queue's
    filter and the home page tile both use it."""
    return Exists(Review.objects.overdue(today, sla_days=sla_days).filter(use_case=OuterRef("pk")))


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search, label="Search")
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in QUEUE_STATUSES], empty_label="Any status"
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), empty_label="Any department", widget=PlainSelect
    )
    tier = django_filters.ChoiceFilter(
        field_name="risk_assessment__tier",
        choices=RiskTier.choices,
        empty_label="Any tier",
        label="Risk tier",
    )
    assignee = django_filters.ChoiceFilter(
        choices=[("me", "Assigned to me"), ("none", "Unassigned")],
        method="filter_assignee",
        empty_label="Anyone",
        label="Assigned",
    )
    overdue = django_filters.ChoiceFilter(
        choices=[("1", "Overdue only")], method="filter_overdue", empty_label="Any age", label="Age"
    )

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(triage__assignee=self.request.user)
        if value == "none":
            return queryset.filter(Q(triage__isnull=True) | Q(triage__assignee__isnull=True))
        return queryset

    def filter_overdue(self, queryset, name, value):
        """Proposals with an overdue review (``ReviewQuerySet.overdue``)."""
        if not value:
            return queryset
        return queryset.filter(has_overdue_review(timezone.localdate()))


class RegisterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search, label="Search")
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in Status if s in LIVE_STATUSES],
        empty_label="Any status",
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), empty_label="Any department", widget=PlainSelect
    )
    tier = django_filters.ChoiceFilter(
        field_name="risk_assessment__tier",
        choices=RiskTier.choices,
        empty_label="Any tier",
        label="Risk tier",
    )
    platform = django_filters.ModelChoiceFilter(
        queryset=AIPlatform.objects.all(), empty_label="Any platform"
    )
    due = django_filters.ChoiceFilter(
        choices=[("1", "Re-review due")],
        method="filter_due",
        empty_label="Any date",
        label="Re-review",
    )

    def filter_due(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(register_entry__next_review_on__lte=timezone.localdate())


# The API's filters of governance rows by proposal: only a proposal the person may see can be
# named (usecases.filters.visible_use_cases), so a hidden one answers as a missing one.
class ReviewFilter(django_filters.FilterSet):
    use_case = django_filters.ModelChoiceFilter(queryset=visible_use_cases)

    class Meta:
        model = Review
        fields = ["status", "area", "use_case", "reviewer_kind"]


class RiskFilter(django_filters.FilterSet):
    use_case = django_filters.ModelChoiceFilter(queryset=visible_use_cases)

    class Meta:
        model = RiskAssessment
        fields = ["tier", "use_case"]


class ConditionFilter(django_filters.FilterSet):
    use_case = django_filters.ModelChoiceFilter(queryset=visible_use_cases)

    class Meta:
        model = Condition
        fields = ["status", "use_case"]
