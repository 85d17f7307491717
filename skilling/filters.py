"""The catalog's filters, shared by the catalog page, the admins' list and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from skilling.choices import (
    DURATION_BOUNDS,
    DurationBand,
    Language,
    Level,
    Provider,
    ResourceKind,
    ResourceStatus,
)
from skilling.models import (
    AdoptionRole,
    Enrolment,
    LearningResource,
    PathStep,
    RoleSkill,
    Skill,
)


class LearningResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    skill = django_filters.ModelChoiceFilter(
        queryset=Skill.objects.all(),
        to_field_name="slug",
        method="by_skill",
        label="Skill",
        empty_label="Any skill",
    )
    role = django_filters.ModelChoiceFilter(
        queryset=AdoptionRole.objects.all(),
        to_field_name="slug",
        method="by_role",
        label="Role",
        empty_label="Any role",
    )
    level = django_filters.ChoiceFilter(choices=Level.choices, empty_label="Any level")
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices, empty_label="Any kind")
    duration = django_filters.ChoiceFilter(
        choices=DurationBand.choices,
        method="by_duration",
        label="Duration",
        empty_label="Any length",
    )
    language = django_filters.ChoiceFilter(choices=Language.choices, empty_label="Any language")
    provider = django_filters.ChoiceFilter(choices=Provider.choices, empty_label="Any provider")

    class Meta:
        model = LearningResource
        fields = ["q", "skill", "role", "level", "kind", "duration", "language", "provider"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(provider_name__icontains=value)
        )

    @extend_schema_field(OpenApiTypes.STR)  # a skill slug in the query string
    def by_skill(self, queryset, name, skill):
        return queryset.filter(skills=skill) if skill else queryset

    @extend_schema_field(OpenApiTypes.STR)  # a role slug in the query string
    def by_role(self, queryset, name, role):
        """Resources on the role's path or covering a skill the role needs."""
        if not role:
            return queryset
        needed = RoleSkill.objects.filter(role=role).values("skill_id")
        on_path = PathStep.objects.filter(path__role=role).values("resource_id")
        covering = LearningResource.skills.through.objects.filter(skill_id__in=needed).values(
            "learningresource_id"
        )
        return queryset.filter(Q(pk__in=on_path) | Q(pk__in=covering))

    def by_duration(self, queryset, name, band):
        if not band:
            return queryset
        low, high = DURATION_BOUNDS[band]
        queryset = queryset.filter(duration_minutes__gte=low)
        return queryset.filter(duration_minutes__lt=high) if high else queryset


class ManageResourceFilter(LearningResourceFilter):
    """The admins' list also filters by status (active or retired)."""

    status = django_filters.ChoiceFilter(
        choices=ResourceStatus.choices, label="Status", empty_label="Active and retired"
    )

    class Meta(LearningResourceFilter.Meta):
        fields = [*LearningResourceFilter.Meta.fields, "status"]


def _visible_resources(request):
    user = getattr(request, "user", None)
    if user is None:  # the schema generator
        return LearningResource.objects.none()
    return LearningResource.objects.visible_to(user)


class EnrolmentFilter(django_filters.FilterSet):
    """The API's enrolment filters. Only a resource the person may see can be named, so a
    retired one hidden from them answers as one that does not exist."""

    resource = django_filters.ModelChoiceFilter(queryset=_visible_resources)

    class Meta:
        model = Enrolment
        fields = ["status", "resource"]
