"""The intake's pages: thin views that parse, authorise, call the logic and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coe_portal.htmx import render_page, wants_fragment
from coe_portal.paging import CappedCountPaginator
from usecases import engagement, exporting
from usecases.access import can_edit, get_use_case_for_user
from usecases.attachments import safe_file_name
from usecases.choices import TEAM_ROLES, Status
from usecases.duplicates import MERGEABLE_STATUSES, mark_duplicate, may_mark_duplicate
from usecases.filters import UseCaseFilterSet
from usecases.forms import (
    REQUIRED_FOR_SUBMISSION,
    SUBMIT_FIELD_FOR_LABEL,
    CommentForm,
    MarkDuplicateForm,
    TransitionForm,
    UseCaseForm,
)
from usecases.history import history_for, seen_proposals
from usecases.lifecycle import (
    ConditionsOpen,
    DecidedOnReviews,
    IncompleteProposal,
    TransitionError,
    available_transitions,
    change_status,
    transition_refusals,
)
from usecases.models import (
    Attachment,
    Comment,
    Endorsement,
    Follow,
    Notification,
    UseCase,
)
from usecases.notifications import inbox_for, mark_read, with_mentions
from usecases.proposals import add_attachment, create_proposal, update_proposal
from usecases.similar import similar_to

PAGE_SIZE = 25


# ---------------------------------------------------------------- lists


@require_GET
def usecase_list(request: HttpRequest) -> HttpResponse:
    """Explore: every proposal the person may see, filtered, searched, sorted and paged."""
    filterset = UseCaseFilterSet(
        request.GET,
        queryset=UseCase.objects.visible_to(request.user).select_related("department", "owner"),
        request=request,
    )
    page = CappedCountPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "usecases/usecase_list.html",
        {"filter": filterset, "page": page},
        partial="results",
    )


@require_GET
def my_proposals(request: HttpRequest) -> HttpResponse:
    """The person's own proposals: status, who has it now and what happens next."""
    proposals = (
        UseCase.objects.filter(owner=request.user)
        .select_related("department")
        .order_by("-updated_at", "-id")
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "usecases/my_proposals.html", {"page": page})


@require_GET
def usecase_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered Explore list as CSV: only what the person may see."""
    queryset = UseCase.objects.visible_to(request.user).select_related("department", "owner")
    filterset = UseCaseFilterSet(request.GET, queryset=queryset, request=request)
    response = StreamingHttpResponse(
        exporting.csv_lines(filterset.qs), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="use-cases.csv"'
    return response


# ---------------------------------------------------------------- proposing


def _apply_missing(form: UseCaseForm, missing: list[str]) -> None:
    for label in missing:
        name = SUBMIT_FIELD_FOR_LABEL.get(label)
        if name in form.fields:
            form.add_error(name, "Needed before you submit.")


def _save_proposal(request: HttpRequest, form: UseCaseForm, use_case: UseCase | None):
    """Save the answers (and file), then submit if asked. Returns a redirect when all went
    well; otherwise the proposal as saved so far (None if nothing was), with the reasons
    added to ``form`` for showing it again."""
    try:
        if use_case is None:
            use_case = create_proposal(actor=request.user, data=form.answers())
        else:
            use_case = update_proposal(
                use_case.pk,
                actor=request.user,
                data=form.answers(),
                expected_version=form.cleaned_data.get("version"),
            )
        if upload := form.cleaned_data.get("attachment"):
            add_attachment(use_case.pk, actor=request.user, upload=upload)
    except ValidationError as exc:
        form.add_error("attachment", exc)
        return use_case
    except TransitionError as exc:
        form.add_error(None, str(exc))
        return use_case
    action = request.POST.get("action", "save")
    if action in ("submit", "resubmit"):
        try:
            change_status(
                use_case.pk,
                Status.SUBMITTED,
                actor=request.user,
                expected_status=use_case.status,
            )
        except IncompleteProposal as exc:
            _apply_missing(form, exc.missing)
            form.add_error(None, f"Your answers are saved as a draft. {exc}")
            return use_case
        except TransitionError as exc:
            form.add_error(None, str(exc))
            return use_case
        messages.success(request, "Submitted. The CoE will triage it; you can follow it here.")
        return redirect(use_case)
    messages.success(request, "Saved. You can come back to it from “My proposals”.")
    return redirect("usecases:usecase_edit", pk=use_case.pk)


def _form_page(request, form, use_case):
    return render(
        request,
        "usecases/usecase_form.html",
        {"form": form, "use_case": use_case, "required_for_submission": REQUIRED_FOR_SUBMISSION},
    )


@require_http_methods(["GET", "POST"])
def usecase_create(request: HttpRequest) -> HttpResponse:
    form = UseCaseForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        result = _save_proposal(request, form, None)
        if isinstance(result, HttpResponse):
            return result
        if result is None:
            return _form_page(request, form, None)
        # The draft exists now: show the form again as its edit page, answers kept.
        form.instance = UseCase.objects.get(pk=result.pk)
        form.data = form.data.copy()
        form.data["version"] = form.instance.version
        return _form_page(request, form, form.instance)
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def usecase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, pk, write=True)
    form = UseCaseForm(
        request.POST or None, request.FILES or None, instance=use_case, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        result = _save_proposal(request, form, use_case)
        if isinstance(result, HttpResponse):
            return result
        form.data = form.data.copy()
        form.data["version"] = UseCase.objects.values_list("version", flat=True).get(pk=pk)
    return _form_page(request, form, use_case)


@require_POST
def usecase_validate(request: HttpRequest) -> HttpResponse:
    """Inline validation (htmx): the messages of the one field being typed in."""
    name = request.POST.get("_field", "")
    form = UseCaseForm(request.POST, user=request.user)
    if name not in form.fields:
        return HttpResponse("")
    form.is_valid()
    errors = form.errors.get(name, [])
    if name == "department" and "department" not in request.POST:
        errors = []
    hint = ""
    value = request.POST.get(name, "").strip()
    if not errors and not value and name in REQUIRED_FOR_SUBMISSION:
        hint = "Needed before you submit; you can save a draft without it."
    elif not errors and name in ("platform", "data_sensitivity"):
        hint = form.platform_warning()
    return render(
        request, "usecases/includes/field_messages.html", {"errors": errors, "hint": hint}
    )


@require_GET
def usecase_similar(request: HttpRequest) -> HttpResponse:
    """Similar proposals the person may see, for the form's side panel (htmx)."""
    title, problem = request.GET.get("title", ""), request.GET.get("problem", "")
    exclude = request.GET.get("exclude")
    exclude_id = int(exclude) if exclude and exclude.isdigit() else None
    return render(
        request,
        "usecases/includes/similar_results.html",
        {
            "results": similar_to(request.user, title, problem, exclude_id=exclude_id),
            "asked": bool(title or problem),
        },
    )


# ---------------------------------------------------------------- the proposal page


def _engagement_context(user, use_case: UseCase) -> dict:
    """What the support card shows: the person's endorsement and follow, the follower count
    and whether the person may endorse."""
    return {
        "use_case": use_case,
        **_engagement(user, use_case.pk),
        "may_endorse": use_case.owner_id != user.pk,
    }


@require_GET
def usecase_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal's page, rendered live for the person: answers, governance, comments,
    files, history, their support and the actions they may take."""
    user = request.user
    use_case = get_use_case_for_user(user, pk)
    roles_had = set(use_case.team_roles or [])
    transitions = available_transitions(user, use_case)
    context = {
        **_engagement_context(user, use_case),
        "events": history_for(user, use_case),
        # The original is named only to a reader who may see it.
        "duplicate_of": seen_proposals(user, [use_case.duplicate_of_id]).get(
            use_case.duplicate_of_id
        ),
        "comments": Comment.objects.filter(use_case=use_case).select_related("author"),
        "attachments": Attachment.objects.filter(use_case=use_case),
        "transitions": transitions,
        # Each with why it must wait, if it must, shown beside its disabled button.
        "actions": _with_refusals(use_case, transitions),
        "can_edit": can_edit(user, use_case),
        "may_mark_duplicate": may_mark_duplicate(user, use_case)
        and use_case.status in MERGEABLE_STATUSES
        and not use_case.duplicate_of_id,
        "team_roles_had": [label for slug, label in TEAM_ROLES if slug in roles_had],
        "missing_roles": [(slug, label) for slug, label in TEAM_ROLES if slug not in roles_had],
        "comment_form": CommentForm(),
    }
    return render(request, "usecases/usecase_detail.html", context)


def _with_refusals(use_case: UseCase, transitions) -> list[tuple]:
    refusals = transition_refusals(use_case, transitions)
    return [(t, refusals.get(t.target, "")) for t in transitions]


def _engagement(user, use_case_id: int) -> dict:
    """Whether ``user`` endorsed and follows the proposal, and how many follow it. Two plain
    queries: one with the three as subqueries costs more to build than the round trip it
    saves."""
    follows = Follow.objects.filter(use_case_id=use_case_id).aggregate(
        mine=Count("pk", filter=Q(user=user)), total=Count("pk")
    )
    return {
        "endorsed": Endorsement.objects.filter(use_case_id=use_case_id, user=user).exists(),
        "following": bool(follows["mine"]),
        "follower_count": follows["total"],
    }


@require_POST
def usecase_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the lifecycle actions the proposal's page offers (never a decision: those are
    made on the reviews, and asking for one here is refused)."""
    use_case = get_use_case_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["target"] not in Status.values:
        messages.error(request, "That action is not available.")
        return redirect(use_case)
    try:
        change_status(
            use_case.pk,
            Status(form.cleaned_data["target"]),
            actor=request.user,
            note=form.cleaned_data["note"],
            expected_status=form.cleaned_data["expected_status"] or None,
        )
    except IncompleteProposal as exc:
        messages.error(request, str(exc))
        return redirect("usecases:usecase_edit", pk=use_case.pk)
    except DecidedOnReviews as exc:
        if wants_fragment(request):  # no page to come back to: the refusal is the answer
            return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
        messages.error(request, str(exc))
        return redirect("governance:case", use_case.pk)
    except ConditionsOpen as exc:
        if wants_fragment(request):
            return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
        messages.error(request, str(exc))
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"The proposal is now {Status(form.cleaned_data['target']).label.lower()}."
        )
    return redirect(use_case)


@require_POST
def usecase_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    """Toggle the person's endorsement; htmx gets the button and an out-of-band counter."""
    use_case = get_use_case_for_user(request.user, pk)
    try:
        engagement.toggle_endorsement(use_case.pk, actor=request.user)
    except TransitionError as exc:
        if not wants_fragment(request):
            messages.error(request, str(exc))
            return redirect(use_case)
        raise PermissionDenied(str(exc)) from exc
    if wants_fragment(request):
        use_case.refresh_from_db(fields=["endorsement_count"])
        return render(
            request,
            "usecases/usecase_detail.html#engagement",
            {**_engagement_context(request.user, use_case), "oob": True},
        )
    return redirect(use_case)


@require_POST
def usecase_follow(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, pk)
    engagement.set_following(
        use_case.pk, actor=request.user, follow=request.POST.get("follow") == "1"
    )
    if wants_fragment(request):
        return render(
            request,
            "usecases/usecase_detail.html#engagement",
            {**_engagement_context(request.user, use_case), "oob": True},
        )
    return redirect(use_case)


@require_POST
def usecase_comment(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            engagement.add_comment(use_case.pk, actor=request.user, body=form.cleaned_data["body"])
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Comment posted. The owner and followers will hear of it.")
    else:
        messages.error(request, "Write something before posting.")
    return redirect(reverse("usecases:usecase_detail", args=[use_case.pk]) + "#comments")


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Files only for people who may see the proposal, always as a download."""
    use_case = get_use_case_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, use_case=use_case)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=safe_file_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )


@require_http_methods(["GET", "POST"])
def usecase_mark_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, pk)
    if not may_mark_duplicate(request.user, use_case):
        raise PermissionDenied("Only CoE staff or the department's champion may do this.")
    form = MarkDuplicateForm(
        request.POST or None, initial={"original": request.GET.get("original")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            mark_duplicate(
                use_case.pk,
                form.cleaned_data["original"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Marked as a duplicate; its endorsements and followers moved."
            )
            return redirect(use_case)
    candidates = similar_to(request.user, use_case.title, use_case.problem, exclude_id=use_case.pk)
    return render(
        request,
        "usecases/mark_duplicate.html",
        {"form": form, "use_case": use_case, "candidates": candidates},
    )


# ---------------------------------------------------------------- notifications


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_mentions(request.user, page.object_list)
    return render(request, "usecases/notification_list.html", {"page": page})


@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("id")
    mark_read(request.user, [int(i) for i in ids if i.isdigit()] if ids else None)
    target = request.POST.get("next", "")
    if target.startswith("/proposals/") and not target.startswith("//"):
        return redirect(target)
    return redirect("usecases:notification_list")


@require_GET
def notification_open(request: HttpRequest, notification_pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read."""
    notification = get_object_or_404(
        Notification.objects.visible_to(request.user), pk=notification_pk
    )
    mark_read(request.user, [notification.pk])
    return redirect(notification.use_case)
