"""The governance REST API: the queue, reviews and decisions, risk, conditions, the register
and the platform catalog. Same querysets, same logic functions, same permissions as the
pages."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from coe_portal.api_fields import LongTextField
from coe_portal.models import AIPlatform, PortalSettings, User
from coe_portal.openapi import CONFLICT
from coe_portal.roles import HasRole, Role, is_coe_admin, is_coe_staff
from governance import register, reviews, sla
from governance.choices import Outcome, RiskTier
from governance.filters import (
    ConditionFilter,
    QueueFilter,
    RegisterFilter,
    ReviewFilter,
    RiskFilter,
)
from governance.models import WAIVER_REASON_LENGTH, Answer, Condition, Review, RiskAssessment
from governance.reviews import ConditionInput, StaleReview
from governance.risk import OverrideError, override_tier, platform_warnings
from usecases.lifecycle import StaleChange, TransitionError
from usecases.models import UseCase


def _error(exc: Exception) -> Response:
    code = status.HTTP_409_CONFLICT if isinstance(exc, StaleReview | StaleChange) else 400
    return Response({"detail": str(exc)}, status=code)


class QueueItemSerializer(serializers.ModelSerializer):
    department = serializers.StringRelatedField()
    owner = serializers.StringRelatedField()
    risk_tier = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    age_working_days = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = UseCase
        fields = [
            "id", "title", "status", "department", "owner", "risk_tier", "assignee",
            "submitted_at", "age_working_days", "overdue", "warnings",
        ]  # fmt: skip

    def get_risk_tier(self, obj) -> str | None:
        assessment = getattr(obj, "risk_assessment", None)
        return assessment.tier if assessment else None

    def get_assignee(self, obj) -> int | None:
        triage = getattr(obj, "triage", None)
        return triage.assignee_id if triage else None

    def _age(self, obj) -> dict:
        return sla.queue_row_age(obj, timezone.localdate(), self.context["sla_days"])

    def get_age_working_days(self, obj) -> int | None:
        """Working days the oldest open review has been open; null before one opens."""
        return self._age(obj)["age"]

    def get_overdue(self, obj) -> bool:
        """An open review is past the SLA (governance.sla), as the "overdue" filter says."""
        return self._age(obj)["overdue"]

    def get_warnings(self, obj) -> list[str]:
        return platform_warnings(obj)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )


class StatusSerializer(serializers.Serializer):
    expected_status = serializers.CharField(required=False, allow_blank=True)
    note = LongTextField(required=False, allow_blank=True)


def _with_queue_columns(queryset):
    return queryset.select_related(
        "department", "owner", "platform", "risk_assessment", "triage"
    ).annotate(**reviews.open_review_figures())


class QueueViewSet(viewsets.ReadOnlyModelViewSet):
    """The review queue of the person asking; triage actions on its items."""

    serializer_class = QueueItemSerializer
    permission_classes = [IsAuthenticated, HasRole]
    required_roles = (Role.COE_REVIEWER, Role.COE_ADMIN, Role.CHAMPION)
    filterset_class = QueueFilter

    def get_queryset(self):
        return _with_queue_columns(reviews.queue_for(self.request.user)).order_by(
            "submitted_at", "id"
        )

    def _answer(self, use_case_id: int) -> Response:
        """The proposal after a triage action. Read among all the person sees, not their
        queue: a champion's accepted proposal may have left their queue (its reviews are
        routed to the CoE), and that is an answer, not an error."""
        visible = UseCase.objects.visible_to(self.request.user)
        return Response(self.get_serializer(_with_queue_columns(visible).get(pk=use_case_id)).data)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "sla_days": PortalSettings.load().review_sla_days,
        }

    def _triageable(self, pk):
        self.get_object()  # 404 unless in the person's queue
        return reviews.get_use_case_for_user(self.request.user, pk, write=True)

    @extend_schema(request=AssignSerializer, responses={200: QueueItemSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        use_case = self._triageable(pk)
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reviews.assign(
                use_case.pk, data.validated_data.get("assignee") or request.user, actor=request.user
            )
        except TransitionError as exc:
            return _error(exc)
        return self._answer(use_case.pk)

    @extend_schema(request=StatusSerializer, responses={200: QueueItemSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        use_case = self._triageable(pk)
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reviews.accept_for_review(
                use_case.pk,
                actor=request.user,
                expected_status=data.validated_data.get("expected_status") or None,
            )
        except TransitionError as exc:
            return _error(exc)
        return self._answer(use_case.pk)

    @extend_schema(
        request=StatusSerializer,
        # The rejected proposal has left the queue: its id and new status only.
        responses={
            200: inline_serializer(
                "QueueRejection",
                {"id": serializers.IntegerField(), "status": serializers.CharField()},
            ),
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        use_case = self._triageable(pk)
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data.get("note", "")
        if not note.strip():
            return Response({"note": ["Say why it is out of scope."]}, status=400)
        try:
            reviews.reject_out_of_scope(
                use_case.pk,
                actor=request.user,
                note=note,
                expected_status=data.validated_data.get("expected_status") or None,
            )
        except TransitionError as exc:
            return _error(exc)
        return Response({"id": use_case.pk, "status": "rejected"})


class AnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Answer
        fields = ["id", "criterion_code", "criterion_text", "clauses", "result", "note", "evidence"]
        read_only_fields = ["criterion_code", "criterion_text", "clauses"]


class ReviewSerializer(serializers.ModelSerializer):
    answers = AnswerSerializer(many=True, read_only=True)
    # Declared: a read-only model field loses allow_blank, so the schema would not admit
    # the "" an undecided review has (found by the schemathesis run).
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id", "use_case", "area", "round", "kind", "reviewer_kind", "operating_model",
            "assignee", "status", "outcome", "rationale", "decided_by", "decided_at", "due_on",
            "version", "answers",
        ]  # fmt: skip
        read_only_fields = fields


class AnswerInputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["", "pass", "fail", "na"], required=False)
    note = LongTextField(required=False, allow_blank=True)
    evidence = LongTextField(required=False, allow_blank=True)


class ConditionInputSerializer(serializers.Serializer):
    text = LongTextField()
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_on = serializers.DateField()


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    rationale = LongTextField()
    version = serializers.IntegerField()
    answers = AnswerInputSerializer(many=True, required=False)
    conditions = ConditionInputSerializer(many=True, required=False)


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Reviews of the proposals the person may see; answer and decide the ones routed to
    them."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter

    def get_queryset(self):
        return (
            Review.objects.visible_to(self.request.user)
            .prefetch_related("answers")
            .order_by("-created_at", "id")
        )

    @extend_schema(request=DecisionSerializer, responses={200: ReviewSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        review = self.get_object()
        if not reviews.may_answer(request.user, review):
            raise PermissionDenied("This review is not routed to you.")
        if not reviews.may_decide(request.user, review):
            raise PermissionDenied(reviews.why_not_decider(review))
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            reviews.decide_review(
                review.pk,
                actor=request.user,
                outcome=v["outcome"],
                rationale=v["rationale"],
                answers={a["id"]: a for a in v.get("answers", [])},
                conditions=[
                    ConditionInput(c["text"], c["owner"], c["due_on"])
                    for c in v.get("conditions", [])
                ],
                expected_version=v["version"],
            )
        except TransitionError as exc:
            return _error(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)


class RiskSerializer(serializers.ModelSerializer):
    nist_flag_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = RiskAssessment
        fields = [
            "id", "use_case", "suggested_tier", "tier", "reasons", "nist_flags",
            "nist_flag_labels", "override_reason", "overridden_by", "overridden_at",
        ]  # fmt: skip
        read_only_fields = fields


class OverrideSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=RiskTier.choices)
    reason = LongTextField()


class RiskViewSet(viewsets.ReadOnlyModelViewSet):
    """Risk assessments of visible proposals; CoE staff override the tier with a reason."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return RiskAssessment.objects.none()
        return RiskAssessment.objects.visible_to(self.request.user).order_by("id")

    @extend_schema(request=OverrideSerializer, responses={200: RiskSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        assessment = self.get_object()
        if not is_coe_staff(request.user):
            raise PermissionDenied("Only CoE reviewers may change a risk tier.")
        data = OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            override_tier(
                assessment.use_case_id,
                data.validated_data["tier"],
                actor=request.user,
                reason=data.validated_data["reason"],
            )
        except OverrideError as exc:
            return _error(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data)


class ConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Condition
        fields = [
            "id", "use_case", "review", "text", "owner", "due_on", "status", "met_at",
            "waived_at", "waived_by", "waiver_reason",
        ]  # fmt: skip
        read_only_fields = fields


class WaiverSerializer(serializers.Serializer):
    reason = LongTextField(max_length=WAIVER_REASON_LENGTH)


class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConditionSerializer
    filterset_class = ConditionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Condition.objects.none()
        return (
            Condition.objects.visible_to(self.request.user)
            .select_related("use_case")
            .order_by("due_on", "id")
        )

    @extend_schema(request=None, responses={200: ConditionSerializer})
    @action(detail=True, methods=["post"])
    def met(self, request, pk=None):
        condition = self.get_object()
        try:
            reviews.mark_condition_met(condition.pk, actor=request.user)
        except TransitionError as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=condition.pk)).data)

    @extend_schema(request=WaiverSerializer, responses={200: ConditionSerializer})
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        """CoE reviewers: waive an open condition with a reason, which lets the proposal
        start its pilot or move to production without it. A condition no longer open is
        answered as it is, unchanged."""
        condition = self.get_object()
        if not reviews.may_waive_condition(request.user, condition):
            raise PermissionDenied("Only CoE reviewers waive a condition.")
        data = WaiverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reviews.waive_condition(
                condition.pk, actor=request.user, reason=data.validated_data["reason"]
            )
        except TransitionError as exc:
            return _error(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=condition.pk)).data)


class RegisterSerializer(serializers.ModelSerializer):
    owner = serializers.StringRelatedField()
    department = serializers.StringRelatedField()
    platform = serializers.SerializerMethodField()
    risk_tier = serializers.SerializerMethodField()
    open_conditions = serializers.IntegerField(read_only=True)
    next_review_on = serializers.SerializerMethodField()

    class Meta:
        model = UseCase
        fields = [
            "id", "title", "status", "owner", "department", "platform", "data_sensitivity",
            "risk_tier", "open_conditions", "next_review_on", "decided_at",
        ]  # fmt: skip

    def get_platform(self, obj) -> str:
        return obj.platform.name if obj.platform else obj.platform_other

    def get_risk_tier(self, obj) -> str | None:
        assessment = getattr(obj, "risk_assessment", None)
        return assessment.tier if assessment else None

    def get_next_review_on(self, obj) -> str | None:
        entry = getattr(obj, "register_entry", None)
        return entry.next_review_on.isoformat() if entry and entry.next_review_on else None


class RegisterViewSet(viewsets.ReadOnlyModelViewSet):
    """The AI use-case register, filtered like the page."""

    serializer_class = RegisterSerializer
    filterset_class = RegisterFilter
    permission_classes = [IsAuthenticated, HasRole]
    required_roles = register.REGISTER_READERS

    def get_queryset(self):
        return register.register_for(self.request.user).order_by("title", "id")


class PlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = AIPlatform
        fields = ["id", "name", "vendor", "description", "status", "max_data_sensitivity"]


class PlatformViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The AI platform catalog: everyone reads it, CoE admins change it."""

    serializer_class = PlatformSerializer
    queryset = AIPlatform.objects.order_by("name")

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not is_coe_admin(request.user):
            raise PermissionDenied("Only CoE admins change the platform catalog.")
