"""The one FilterSet behind Explore, the CSV export and the API's list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from coe_portal.models import Department
from coe_portal.widgets import PlainSelect
from usecases.choices import Category, Quadrant, Status
from usecases.models import UseCase
from usecases.similar import TSVECTOR_SQL

SORTS = {
    "newest": ("-created_at", "-id"),
    "endorsed": ("-endorsement_count", "-id"),
    "value": ("-value_score", "-id"),
}
SORT_CHOICES = [("newest", "Newest"), ("endorsed", "Most endorsed"), ("value", "Highest value")]


def search(queryset, text: str):
    """Full-text search of title and problem (PostgreSQL, indexed); ``LIKE`` on SQLite."""
    text = (text or "").strip()[:200]
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        matches = RawSQL(  # noqa: S611 (constant SQL; the search text is a parameter)
            f"{TSVECTOR_SQL} @@ websearch_to_tsquery('english'::regconfig, %s)",
            [text],
            output_field=BooleanField(),
        )
        return queryset.filter(matches)
    for word in text.split()[:6]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(problem__icontains=word))
    return queryset


def visible_use_cases(request) -> QuerySet:
    """The proposals a filter by proposal may name: those the person may see. A hidden one is
    then "not one of the available choices", the same 400 as a proposal that does not exist,
    so a filter cannot tell the two apart. (No request: the schema generator, naming none.)"""
    user = getattr(request, "user", None)
    return UseCase.objects.visible_to(user) if user is not None else UseCase.objects.none()


class UseCaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    # distinct=False: status is a column of the row, so no duplicates to remove; the default
    # SELECT DISTINCT over every column made PostgreSQL sort the whole match set.
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), empty_label="Any department", widget=PlainSelect
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, empty_label="Any category")
    quadrant = django_filters.ChoiceFilter(choices=Quadrant.choices, empty_label="Any quadrant")
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORT_CHOICES, method="filter_sort", empty_label=None
    )

    class Meta:
        model = UseCase
        fields = ["q", "status", "department", "category", "quadrant", "sort"]

    def filter_search(self, queryset, name, value):
        return search(queryset, value)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["newest"]))

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["newest"])
        return queryset
