"""The intake's REST API: /api/v1/use-cases/. Same rules as the pages: ``visible_to`` for
every read, 404 for proposals a person may not see, owners edit drafts only, and every
change goes through the same logic functions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from coe_portal.api_fields import LongTextField
from coe_portal.models import validate_platform_choice
from usecases import engagement
from usecases.access import can_edit
from usecases.choices import TEAM_ROLES, Quadrant, Status
from usecases.duplicates import mark_duplicate, may_mark_duplicate
from usecases.filters import UseCaseFilterSet
from usecases.lifecycle import (
    ConditionsOpen,
    DecidedOnReviews,
    IncompleteProposal,
    TransitionError,
    available_transitions,
    change_status,
    transition_refusals,
)
from usecases.models import Comment, Endorsement, UseCase
from usecases.proposals import ANSWER_FIELDS, create_proposal, update_proposal


class UseCaseSerializer(serializers.ModelSerializer):
    owner = serializers.StringRelatedField()
    team_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=TEAM_ROLES), required=False
    )
    missing_answers = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    # Blank until the proposal has the answers to score it; DRF drops allow_blank from a
    # read-only model field, and the schema's enum would then refuse "".
    quadrant = serializers.ChoiceField(choices=Quadrant.choices, allow_blank=True, read_only=True)

    class Meta:
        model = UseCase
        fields = [
            "id", "url", *ANSWER_FIELDS, "owner", "status", "duplicate_of", "version",
            "value_score", "feasibility_score", "quadrant", "endorsement_count",
            "comment_count", "missing_answers", "created_at", "updated_at", "submitted_at",
        ]  # fmt: skip
        read_only_fields = [
            "owner", "status", "duplicate_of", "value_score", "feasibility_score", "quadrant",
            "endorsement_count", "comment_count", "created_at", "updated_at", "submitted_at",
        ]  # fmt: skip
        extra_kwargs = {"department": {"required": False}, "version": {"required": False}}

    def validate_platform(self, platform):
        validate_platform_choice(platform)
        return platform

    def get_missing_answers(self, obj) -> list[str]:
        return obj.missing_answers() if obj.status == Status.DRAFT else []


class TransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Status.choices)
    note = LongTextField(required=False, allow_blank=True, default="")
    expected_status = serializers.ChoiceField(choices=Status.choices, required=False)


class OpenConditionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    due_on = serializers.DateField()


class TransitionRefusedSerializer(serializers.Serializer):
    """A status change governance must make or allow first, with where to go instead: a
    decision asked for directly (``reviews``), or the pilot or production while a condition
    of the approval is open (``open_conditions``)."""

    detail = serializers.CharField()
    governance_page = serializers.URLField(help_text="The proposal's governance page.")
    reviews = serializers.URLField(
        required=False,
        help_text="A decision: the proposal's reviews in the API; decide one with "
        "POST .../{id}/decide/.",
    )
    open_conditions = OpenConditionSerializer(
        many=True,
        required=False,
        help_text="The pilot or production: the conditions still open. Each is marked met "
        "(POST /api/v1/governance/conditions/{id}/met/) or waived by a CoE reviewer with a "
        "reason (POST .../{id}/waive/).",
    )


TRANSITION_REFUSED = OpenApiResponse(
    TransitionRefusedSerializer,
    description="A decision (approve, approve with conditions, reject or request changes on a "
    "proposal in review) is made on the reviews, never directly: decide the reviews instead. "
    "Starting the pilot or moving to production waits until every condition of the approval "
    "is met or waived.",
)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["author", "created_at"]


class DuplicateSerializer(serializers.Serializer):
    original = serializers.IntegerField(min_value=1)
    note = LongTextField(required=False, allow_blank=True, default="")


class UseCaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Proposals the caller may see. Create makes a draft owned by the caller; update is for
    the owner of a draft (or of a proposal with changes requested)."""

    serializer_class = UseCaseSerializer
    filterset_class = UseCaseFilterSet

    def get_queryset(self):
        return (
            UseCase.objects.visible_to(self.request.user)
            .select_related("department", "owner", "platform")
            .order_by("-created_at", "-id")
        )

    def perform_create(self, serializer):
        serializer.instance = create_proposal(
            actor=self.request.user, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        use_case = serializer.instance
        if not can_edit(self.request.user, use_case):
            raise PermissionDenied("Only the owner may edit this proposal, and only as a draft.")
        data = dict(serializer.validated_data)
        expected = data.pop("version", None)
        try:
            serializer.instance = update_proposal(
                use_case.pk, actor=self.request.user, data=data, expected_version=expected
            )
        except TransitionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc

    @extend_schema(
        request=TransitionSerializer, responses={200: UseCaseSerializer, 409: TRANSITION_REFUSED}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the proposal through its lifecycle (submit, triage, accept for review, reject
        at triage, withdraw, pilot, production, retire). Decisions on a proposal in review
        are made on its reviews (/api/v1/governance/reviews/{id}/decide/): asking for one
        here answers 409, as does the pilot or production while a condition of the approval
        is open."""
        use_case = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            use_case = change_status(
                use_case.pk,
                Status(payload.validated_data["target"]),
                actor=request.user,
                note=payload.validated_data["note"],
                expected_status=payload.validated_data.get("expected_status"),
            )
        except IncompleteProposal as exc:
            raise ValidationError({"detail": str(exc), "missing": exc.missing}) from exc
        except DecidedOnReviews as exc:
            pointers = {
                "governance_page": reverse("governance:case", args=[use_case.pk]),
                "reviews": reverse("governance-review-list") + f"?use_case={use_case.pk}",
            }
            return Response(
                {"detail": str(exc)}
                | {name: request.build_absolute_uri(url) for name, url in pointers.items()},
                status=status.HTTP_409_CONFLICT,
            )
        except ConditionsOpen as exc:
            page = reverse("governance:case", args=[use_case.pk])
            return Response(
                {
                    "detail": str(exc),
                    "governance_page": request.build_absolute_uri(page),
                    "open_conditions": [
                        {"id": c.pk, "text": c.text, "due_on": c.due_on.isoformat()}
                        for c in exc.conditions
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        except TransitionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(self.get_serializer(use_case).data)

    @extend_schema(
        responses=inline_serializer(
            "AvailableTransition",
            {"target": serializers.CharField(), "label": serializers.CharField(),
             "needs_note": serializers.BooleanField(),
             "refused": serializers.CharField(
                 help_text="Blank, or why the action must wait (conditions still open).")},
            many=True,
        )
    )  # fmt: skip
    @action(detail=True, methods=["get"])
    def transitions(self, request, pk=None):
        """The lifecycle actions the caller may take, each with why it must wait, if so."""
        use_case = self.get_object()
        transitions = available_transitions(request.user, use_case)
        refusals = transition_refusals(use_case, transitions)
        return Response(
            [
                {
                    "target": t.target,
                    "label": t.label,
                    "needs_note": t.needs_note,
                    "refused": refusals.get(t.target, ""),
                }
                for t in transitions
            ]
        )

    @extend_schema(methods=["get"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["post"], request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """The proposal's comments; POST adds one (the owner and followers are notified)."""
        use_case = self.get_object()
        if request.method == "GET":
            comments = use_case.comments.select_related("author")
            return Response(CommentSerializer(comments, many=True).data)
        payload = CommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            comment = engagement.add_comment(
                use_case.pk, actor=request.user, body=payload.validated_data["body"]
            )
        except TransitionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        # 200 with the new state for DELETE too (not an empty 204).
        responses={
            200: inline_serializer(
                "EndorsementState",
                {
                    "endorsed": serializers.BooleanField(),
                    "endorsement_count": serializers.IntegerField(),
                },
            )
        },
    )
    @action(detail=True, methods=["post", "delete"])
    def endorsement(self, request, pk=None):
        """POST endorses the proposal, DELETE takes the endorsement back (one per person)."""
        use_case = self.get_object()
        endorsed_now = Endorsement.objects.filter(use_case=use_case, user=request.user).exists()
        want = request.method == "POST"
        count = use_case.endorsement_count
        if want != endorsed_now:
            try:
                _, count = engagement.toggle_endorsement(use_case.pk, actor=request.user)
            except TransitionError as exc:
                raise ValidationError({"detail": str(exc)}) from exc
        return Response({"endorsed": want, "endorsement_count": count})

    @extend_schema(request=DuplicateSerializer, responses=UseCaseSerializer)
    @action(detail=True, methods=["post"], url_path="mark-duplicate")
    def mark_duplicate(self, request, pk=None):
        """CoE staff and the department's champion: merge this proposal into ``original``."""
        use_case = self.get_object()
        if not may_mark_duplicate(request.user, use_case):
            raise PermissionDenied("Only CoE staff or the department's champion may do this.")
        payload = DuplicateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            use_case = mark_duplicate(
                use_case.pk,
                payload.validated_data["original"],
                actor=request.user,
                note=payload.validated_data["note"],
            )
        except TransitionError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        except DjangoPermissionDenied as exc:  # pragma: no cover
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(use_case).data)
