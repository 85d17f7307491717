"""REST API for skilling (registered in coe_portal/api.py under /api/v1/).

Same rules as the pages (access.py): everyone reads the catalogs and manages their own
enrolments, roles and event seats; CoE admins write the catalogs; coverage is for
champions (their department), leadership, reviewers and admins (every department).
State changes go through the same logic functions as the pages.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from coe_portal.api_fields import SlugRelatedField
from coe_portal.openapi import ErrorDetailSerializer
from skilling import access, coverage, enrolments, events, recommendations
from skilling.choices import Level, RegistrationStatus
from skilling.errors import SkillingError
from skilling.filters import EnrolmentFilter, ManageResourceFilter
from skilling.models import (
    AdoptionRole,
    Enrolment,
    Event,
    EventRegistration,
    LearnerProfile,
    LearningPath,
    LearningResource,
    PathStep,
    RoleSkill,
    Skill,
)


class CatalogPermission(permissions.BasePermission):
    """Read for everyone logged in; write for CoE admins."""

    message = "Only CoE admins edit the learning catalog."

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or access.can_manage_catalog(request.user)


def _rule_broken(exc: SkillingError):
    return ValidationError({"detail": str(exc)})


# --- skills and roles --------------------------------------------------------------------


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "name", "slug", "category", "description"]


class SkillViewSet(viewsets.ModelViewSet):
    serializer_class = SkillSerializer
    permission_classes = [CatalogPermission]
    lookup_field = "slug"
    filterset_fields = ["category"]

    def get_queryset(self):
        return Skill.objects.visible_to(self.request.user)


class RequirementSerializer(serializers.Serializer):
    skill = SlugRelatedField(slug_field="slug", queryset=Skill.objects.all())
    level = serializers.ChoiceField(choices=Level.choices)


class AdoptionRoleSerializer(serializers.ModelSerializer):
    skills = RequirementSerializer(many=True, source="requirements", required=False)
    path_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = AdoptionRole
        fields = [
            "id", "name", "slug", "summary", "responsibilities", "position", "skills", "path_url",
        ]  # fmt: skip

    def validate_skills(self, value):
        # A PATCH makes the nested fields optional too; each requirement still needs both.
        if any(not {"skill", "level"} <= item.keys() for item in value):
            raise serializers.ValidationError("Each requirement names its skill and level.")
        slugs = [item["skill"].slug for item in value]
        if len(slugs) != len(set(slugs)):
            raise serializers.ValidationError("A skill is listed twice.")
        return value

    @transaction.atomic
    def create(self, validated_data):
        requirements = validated_data.pop("requirements", [])
        role = AdoptionRole.objects.create(**validated_data)
        LearningPath.objects.get_or_create(role=role)
        self._set_requirements(role, requirements)
        return role

    @transaction.atomic
    def update(self, instance, validated_data):
        requirements = validated_data.pop("requirements", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if requirements is not None:
            self._set_requirements(instance, requirements)
        return instance

    def _set_requirements(self, role, requirements):
        RoleSkill.objects.filter(role=role).delete()
        RoleSkill.objects.bulk_create(
            RoleSkill(role=role, skill=item["skill"], level=item["level"]) for item in requirements
        )


class AdoptionRoleViewSet(viewsets.ModelViewSet):
    serializer_class = AdoptionRoleSerializer
    permission_classes = [CatalogPermission]
    lookup_field = "slug"

    def get_queryset(self):
        return AdoptionRole.objects.visible_to(self.request.user).prefetch_related(
            "requirements__skill"
        )


# --- resources and paths -----------------------------------------------------------------


class LearningResourceSerializer(serializers.ModelSerializer):
    skills = SlugRelatedField(slug_field="slug", many=True, queryset=Skill.objects.all())

    class Meta:
        model = LearningResource
        fields = [
            "id", "title", "description", "kind", "provider", "provider_name", "url", "level",
            "duration_minutes", "skills", "language", "status", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def validate_skills(self, value):
        if not value:
            raise serializers.ValidationError("Name at least one skill the resource builds.")
        return value


class LearningResourceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The catalog. Resources are retired (status), never deleted: completions keep them."""

    serializer_class = LearningResourceSerializer
    permission_classes = [CatalogPermission]
    filterset_class = ManageResourceFilter

    def get_queryset(self):
        return LearningResource.objects.visible_to(self.request.user).prefetch_related("skills")


class PathStepSerializer(serializers.ModelSerializer):
    resource = serializers.PrimaryKeyRelatedField(queryset=LearningResource.objects.all())
    resource_title = serializers.CharField(source="resource.title", read_only=True)

    class Meta:
        model = PathStep
        fields = ["position", "resource", "resource_title", "note"]
        read_only_fields = ["position"]


class LearningPathSerializer(serializers.ModelSerializer):
    role = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    steps = PathStepSerializer(many=True, required=False)

    class Meta:
        model = LearningPath
        fields = ["role", "summary", "steps", "updated_at"]
        read_only_fields = ["updated_at"]

    def validate_steps(self, value):
        # A PATCH makes the nested fields optional too; each step still needs its resource.
        if any("resource" not in item for item in value):
            raise serializers.ValidationError("Each step names its resource.")
        ids = [item["resource"].pk for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("A resource appears twice in the path.")
        return value

    @transaction.atomic
    def update(self, instance, validated_data):
        """Replace the summary and, when given, all steps in the order given."""
        LearningPath.objects.select_for_update().get(pk=instance.pk)
        steps = validated_data.pop("steps", None)
        if "summary" in validated_data:
            instance.summary = validated_data["summary"]
        instance.save()
        if steps is not None:
            PathStep.objects.filter(path=instance).delete()
            PathStep.objects.bulk_create(
                PathStep(
                    path=instance, resource=item["resource"], position=i, note=item.get("note", "")
                )
                for i, item in enumerate(steps, start=1)
            )
        return instance


class LearningPathViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """One path per role, addressed by the role's slug. Admins replace steps with PUT/PATCH."""

    serializer_class = LearningPathSerializer
    permission_classes = [CatalogPermission]
    lookup_field = "role__slug"
    lookup_url_kwarg = "role"

    def get_queryset(self):
        return (
            LearningPath.objects.visible_to(self.request.user)
            .select_related("role")
            .prefetch_related("steps__resource")
        )


# --- enrolments and the person's roles ---------------------------------------------------


class EnrolmentSerializer(serializers.ModelSerializer):
    resource = serializers.PrimaryKeyRelatedField(queryset=LearningResource.objects.all())
    resource_title = serializers.CharField(source="resource.title", read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    # Text, not a URI: it is empty until the learner gives evidence, and the schema must
    # say what the API really answers.
    evidence_url = serializers.CharField(
        read_only=True, help_text="The link given as evidence of completion, or empty."
    )

    class Meta:
        model = Enrolment
        fields = [
            "id", "user", "resource", "resource_title", "status", "progress", "evidence_url",
            "enrolled_at", "updated_at", "completed_at",
        ]  # fmt: skip
        read_only_fields = ["status", "progress", "evidence_url", "enrolled_at", "completed_at"]


class ProgressSerializer(serializers.Serializer):
    progress = serializers.IntegerField(min_value=0, max_value=100)


class CompleteSerializer(serializers.Serializer):
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class EnrolmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your enrolments (CoE admins can read everyone's). POST {"resource": id} enrols you;
    DELETE leaves a resource you have not completed."""

    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter

    def get_queryset(self):
        return Enrolment.objects.visible_to(self.request.user).select_related("resource", "user")

    def _own(self) -> Enrolment:
        enrolment = self.get_object()
        if enrolment.user_id != self.request.user.pk:
            raise PermissionDenied("You can only change your own learning.")
        return enrolment

    def perform_create(self, serializer):
        resource = serializer.validated_data["resource"]
        if (
            not LearningResource.objects.visible_to(self.request.user)
            .filter(pk=resource.pk)
            .exists()
        ):
            raise ValidationError({"resource": "No such learning resource."})
        try:
            serializer.instance = enrolments.enrol(resource, actor=self.request.user)
        except SkillingError as exc:
            raise _rule_broken(exc) from exc

    def perform_destroy(self, instance):
        if instance.user_id != self.request.user.pk:
            raise PermissionDenied("You can only change your own learning.")
        try:
            enrolments.leave(instance.resource, actor=self.request.user)
        except SkillingError as exc:
            raise _rule_broken(exc) from exc

    @extend_schema(request=ProgressSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        enrolment = self._own()
        data = ProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            enrolment = enrolments.record_progress(
                enrolment.resource, data.validated_data["progress"], actor=request.user
            )
        except SkillingError as exc:
            raise _rule_broken(exc) from exc
        return Response(EnrolmentSerializer(enrolment).data)

    @extend_schema(request=CompleteSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        enrolment = self._own()
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            enrolment = enrolments.complete(
                enrolment.resource,
                actor=request.user,
                evidence_url=data.validated_data.get("evidence_url", ""),
            )
        except SkillingError as exc:
            raise _rule_broken(exc) from exc
        return Response(EnrolmentSerializer(enrolment).data)


class LearnerProfileSerializer(serializers.ModelSerializer):
    current_role = SlugRelatedField(
        slug_field="slug", queryset=AdoptionRole.objects.all(), allow_null=True, required=False
    )
    target_role = SlugRelatedField(
        slug_field="slug", queryset=AdoptionRole.objects.all(), allow_null=True, required=False
    )
    # null until the person first sets a role: the profile is not saved before then
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = LearnerProfile
        fields = ["current_role", "target_role", "updated_at"]
        read_only_fields = ["updated_at"]


class LearnerProfileViewSet(viewsets.GenericViewSet):
    """Your current and target adoption roles: GET or PUT /learner-profiles/me/."""

    serializer_class = LearnerProfileSerializer

    def get_queryset(self):
        return LearnerProfile.objects.visible_to(self.request.user)

    def get_object(self):
        """The person's own profile (unsaved until first set): /me/ has no pk, and DRF's
        OPTIONS answer asks for the object too."""
        user = self.request.user
        profile = LearnerProfile.objects.filter(user=user).first() or LearnerProfile(user=user)
        self.check_object_permissions(self.request, profile)
        return profile

    @action(detail=False, methods=["get", "put", "patch"])
    def me(self, request):
        profile = self.get_object()
        if request.method == "GET":
            return Response(LearnerProfileSerializer(profile).data)
        serializer = LearnerProfileSerializer(
            profile, data=request.data, partial=request.method == "PATCH"
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            profile = enrolments.set_roles(
                actor=request.user,
                current_role=data.get("current_role", profile.current_role),
                target_role=data.get("target_role", profile.target_role),
            )
        except SkillingError as exc:
            raise _rule_broken(exc) from exc
        return Response(LearnerProfileSerializer(profile).data)


class GapSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug")
    skill_name = serializers.CharField(source="skill.name")
    required_level = serializers.IntegerField(source="required")
    held_level = serializers.IntegerField(source="held")
    resources = LearningResourceSerializer(many=True)


class RecommendationSerializer(serializers.Serializer):
    role = serializers.CharField(source="role.slug")
    skills_needed = serializers.IntegerField()
    skills_met = serializers.IntegerField()
    gaps = GapSerializer(many=True)


class RecommendationViewSet(viewsets.ViewSet):
    """What to learn next for your target role (or ?role=<slug>)."""

    @extend_schema(
        parameters=[OpenApiParameter("role", str, description="A role slug")],
        # 404: no such role, or no target role set.
        responses={200: RecommendationSerializer, 404: ErrorDetailSerializer},
    )
    def list(self, request):
        role = None
        if request.query_params.get("role"):
            role = get_object_or_404(AdoptionRole, slug=request.query_params["role"])
        result = recommendations.recommend(request.user, role)
        if result is None:
            raise NotFound("Set a target role first (PUT /api/v1/learner-profiles/me/).")
        return Response(RecommendationSerializer(result).data)


# --- events ------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    seats_taken = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)
    my_status = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id", "title", "kind", "description", "starts_at", "ends_at", "location",
            "online_url", "capacity", "resource", "status", "seats_taken", "waiting", "my_status",
        ]  # fmt: skip

    def validate(self, attrs):
        if (
            self.instance is None
            and attrs.get("starts_at")
            and attrs["starts_at"] <= timezone.now()
        ):
            raise serializers.ValidationError({"starts_at": "Pick a time in the future."})
        instance = Event(**{**self._current(), **attrs})
        try:
            instance.clean()
        except Exception as exc:  # Django's ValidationError -> DRF's
            raise serializers.ValidationError(getattr(exc, "message_dict", str(exc))) from exc
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        return {
            f: getattr(self.instance, f) for f in ["starts_at", "ends_at", "location", "online_url"]
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        # The meeting link is for people holding a seat, as on the page.
        mine = getattr(instance, "my_status", None)
        if (
            request
            and mine != RegistrationStatus.CONFIRMED
            and not access.can_manage_catalog(request.user)
        ):
            data["online_url"] = ""
        return data


class RegistrationSerializer(serializers.ModelSerializer):
    waiting_list_position = serializers.SerializerMethodField()

    class Meta:
        model = EventRegistration
        fields = ["event", "status", "registered_at", "confirmed_at", "waiting_list_position"]

    def get_waiting_list_position(self, obj) -> int | None:
        return events.waiting_list_position(obj)


class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Events. POST …/register/ takes a seat or a waiting-list place; POST …/cancel/ gives
    it up. Admins create and edit (cancel an event with status "cancelled")."""

    serializer_class = EventSerializer
    permission_classes = [CatalogPermission]
    filterset_fields = ["kind", "status"]

    def get_permissions(self):
        if self.action in ("register", "cancel"):
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Event.objects.none()
        mine = EventRegistration.objects.filter(
            event=OuterRef("pk"), user=self.request.user
        ).exclude(status=RegistrationStatus.CANCELLED)
        return (
            Event.objects.visible_to(self.request.user)
            .annotate(
                seats_taken=Count(
                    "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
                ),
                waiting=Count(
                    "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
                ),
                my_status=Subquery(mine.values("status")[:1]),
            )
            .order_by("starts_at", "id")
            .annotate(seats_left=F("capacity") - F("seats_taken"))
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer):
        event = serializer.instance or Event()
        for name, value in serializer.validated_data.items():
            setattr(event, name, value)
        try:
            serializer.instance = events.save_event(event, actor=self.request.user)
        except SkillingError as exc:
            raise _rule_broken(exc) from exc

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        event = self.get_object()
        try:
            registration = events.register_for_event(event.pk, actor=request.user)
        except SkillingError as exc:
            raise _rule_broken(exc) from exc
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = self.get_object()
        registration = events.cancel_registration(event.pk, actor=request.user)
        if registration is None:
            raise NotFound("You are not registered for this event.")
        return Response(RegistrationSerializer(registration).data)


# --- coverage ----------------------------------------------------------------------------


class RoleCoverageSerializer(serializers.Serializer):
    role = serializers.CharField(source="role.slug")
    role_name = serializers.CharField(source="role.name")
    holding = serializers.IntegerField()
    targeting = serializers.IntegerField()
    learners = serializers.IntegerField()
    path_steps = serializers.IntegerField()
    path_completion = serializers.FloatField(allow_null=True)
    completed_path = serializers.IntegerField()


class SkillCoverageSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug")
    skill_name = serializers.CharField(source="skill.name")
    needed_by = serializers.IntegerField()
    below_level = serializers.IntegerField()
    gap_share = serializers.FloatField()


class DepartmentCoverageSerializer(serializers.Serializer):
    department = serializers.SerializerMethodField()
    name = serializers.CharField()
    people = serializers.IntegerField()
    with_current_role = serializers.IntegerField()
    with_target_role = serializers.IntegerField()
    roles = RoleCoverageSerializer(many=True)
    skill_gaps = SkillCoverageSerializer(many=True)

    def get_department(self, obj) -> str | None:
        return obj.department.code if obj.department else None


class CoverageViewSet(viewsets.ViewSet):
    """Coverage per department: champions their own, leadership, reviewers and admins all.
    The list ends with the total over the departments listed (department null)."""

    lookup_field = "department"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def _allowed(self, request):
        if not access.can_see_coverage(request.user):
            raise PermissionDenied("Coverage is for champions, leadership and the CoE.")
        return list(access.coverage_departments(request.user))

    @extend_schema(responses=DepartmentCoverageSerializer(many=True))
    def list(self, request):
        allowed = self._allowed(request)
        reports, total = coverage.department_coverage(allowed)
        return Response(DepartmentCoverageSerializer([*reports, total], many=True).data)

    @extend_schema(responses=DepartmentCoverageSerializer)
    def retrieve(self, request, department=None):
        allowed = self._allowed(request)
        chosen = next((d for d in allowed if d.code == department), None)
        if chosen is None:
            raise PermissionDenied("You may not see that department's coverage.")
        reports, _ = coverage.department_coverage([chosen])
        return Response(DepartmentCoverageSerializer(reports[0]).data)
