"""Governance pages. Thin: parse, authorise, call reviews.py / risk.py / policy.py /
register.py, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coe_portal.htmx import render_page
from coe_portal.models import AIPlatform, OperatingModel, PortalSettings, User
from coe_portal.paging import CappedCountPaginator
from coe_portal.roles import Role, has_role, is_coe_admin, is_coe_staff, require_role
from governance import policy, register, reviews, routing, sla
from governance.choices import ConditionStatus, ReviewerKind, RiskTier
from governance.filters import QueueFilter, RegisterFilter
from governance.forms import (
    NO_CHAMPION_HELP,
    OPERATING_MODEL_HELP,
    AnswerForm,
    AssignForm,
    ConditionForm,
    CriterionForm,
    DecisionForm,
    GoLiveForm,
    OperatingModelForm,
    OverrideForm,
    PlatformForm,
    RejectForm,
    SetupForm,
    TierPolicyForm,
    WaiveConditionForm,
)
from governance.models import Answer, Condition, Criterion
from governance.reviews import ConditionInput, ReviewError
from governance.risk import OverrideError, override_tier, platform_warnings, suggest_tier
from usecases.choices import Status
from usecases.lifecycle import TransitionError, available_transitions, transition_refusals

PAGE_SIZE = 25
CONDITION_ROWS = 3


def _require_queue_role(user) -> None:
    require_role(user, reviews.QUEUE_ROLES)


def _triagers(department_ids):
    """CoE staff, and champions by department: who may be given a proposal to triage.
    Only the champions of ``department_ids`` (the page's rows) are loaded: a company has
    hundreds of champions and each row offers only its own department's."""
    people = list(
        User.objects.filter(
            Q(groups__name__in=[Role.COE_REVIEWER, Role.COE_ADMIN])
            | Q(groups__name=Role.CHAMPION, department_id__in=department_ids),
            is_active=True,
        )
        .only("username", "first_name", "last_name", "department_id")
        .annotate(
            staff=Count("groups", filter=Q(groups__name__in=[Role.COE_REVIEWER, Role.COE_ADMIN]))
        )
        .order_by("first_name", "last_name", "username")
    )
    staff = [p for p in people if p.staff]
    champions: dict[int, list[User]] = {}
    for p in people:
        if not p.staff and p.department_id:
            champions.setdefault(p.department_id, []).append(p)
    return staff, champions


# --- the queue --------------------------------------------------------------------------


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """New and in-review proposals the person is responsible for, oldest first."""
    user = request.user
    _require_queue_role(user)
    today = timezone.localdate()
    settings_row = PortalSettings.load()
    filterset = QueueFilter(request.GET or None, queryset=_queue_base(user), request=request)
    page = CappedCountPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "governance/queue.html",
        {
            "filter": filterset,
            "page": page,
            "rows": _queue_rows(page, settings_row, today),
            "settings": settings_row,
        },
        partial="results",
    )


def _queue_base(user):
    return (
        reviews.queue_for(user)
        .select_related("department", "owner", "platform", "risk_assessment", "triage__assignee")
        .annotate(**reviews.open_review_figures())
        .order_by("submitted_at", "id")
    )


def _queue_rows(page, settings_row, today) -> list[dict]:
    staff, champions = _triagers({uc.department_id for uc in page})
    # The <option>s of the staff, and of each department's champions, made once a page.
    staff_options = _options(staff)
    options = {}
    rows = []
    for uc in page:
        rereview = uc.status not in reviews.QUEUE_STATUSES
        triage = getattr(uc, "triage", None)
        assignee_id = triage.assignee_id if triage else None
        if uc.department_id not in options:
            options[uc.department_id] = staff_options + _options(
                champions.get(uc.department_id, [])
            )
        rows.append(
            {
                "use_case": uc,
                **sla.queue_row_age(uc, today, settings_row.review_sla_days),
                "warnings": platform_warnings(uc),
                "suggested": None if hasattr(uc, "risk_assessment") else suggest_tier(uc),
                "assignee": triage.assignee if assignee_id else None,
                "assignee_id": assignee_id,
                "assignee_options": _selected(options[uc.department_id], assignee_id),
                "triage_open": uc.status in (Status.SUBMITTED, Status.TRIAGE),
                "rereview": rereview,
            }
        )
    return rows


def _options(people) -> str:
    return format_html_join("", '<option value="{}">{}</option>', ((p.pk, p) for p in people))


def _selected(options: str, value) -> str:
    """``options`` with the one of ``value`` selected."""
    if value is None:
        return options
    return mark_safe(  # noqa: S308 (made by format_html_join; only a fixed attribute added)
        options.replace(f'<option value="{value}">', f'<option value="{value}" selected>', 1)
    )


def _back(request, use_case_id: int):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("governance:case", use_case_id)


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = reviews.get_use_case_for_user(request.user, pk, write=True)
    if request.POST.get("assignee") in (None, "", "me"):
        assignee = request.user
    else:
        form = AssignForm(request.POST, people=User.objects.filter(is_active=True))
        if not form.is_valid():
            messages.error(request, "Choose who to assign it to.")
            return _back(request, pk)
        assignee = form.cleaned_data["assignee"]
    try:
        reviews.assign(use_case.pk, assignee, actor=request.user)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"'{use_case.title}' is assigned to {assignee}.")
    return _back(request, pk)


@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = reviews.get_use_case_for_user(request.user, pk, write=True)
    try:
        reviews.accept_for_review(
            use_case.pk, actor=request.user, expected_status=request.POST.get("expected_status")
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
        return _back(request, pk)
    messages.success(request, f"'{use_case.title}' is accepted for review.")
    return redirect("governance:case", pk)


@require_http_methods(["GET", "POST"])
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = reviews.get_use_case_for_user(request.user, pk, write=True)
    form = RejectForm(request.POST or None, initial={"expected_status": use_case.status})
    if request.method == "POST" and form.is_valid():
        try:
            reviews.reject_out_of_scope(
                use_case.pk,
                actor=request.user,
                note=form.cleaned_data["note"],
                expected_status=form.cleaned_data["expected_status"] or None,
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"'{use_case.title}' is rejected as out of scope.")
            return redirect("governance:queue")
    return render(request, "governance/reject.html", {"form": form, "use_case": use_case})


# --- one proposal ------------------------------------------------------------------------


@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal's governance: what the use-case page's panel shows, on its own page."""
    use_case = reviews.get_use_case_for_user(request.user, pk)
    return render(
        request,
        "governance/case.html",
        {
            "use_case": use_case,
            "override_form": OverrideForm(),
            "warnings": platform_warnings(use_case),
        },
    )


@require_POST
def risk_override(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = reviews.get_use_case_for_user(request.user, pk)
    if not is_coe_staff(request.user):
        raise PermissionDenied("Only CoE reviewers may change a risk tier.")
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a tier and say why.")
        return redirect("governance:case", pk)
    try:
        override_tier(
            use_case.pk, form.cleaned_data["tier"], actor=request.user,
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except OverrideError as exc:
        messages.error(request, str(exc))
    else:
        tier = RiskTier(form.cleaned_data["tier"]).label
        messages.success(request, f"The risk tier is now {tier}; the event log keeps the reason.")
    return redirect("governance:case", pk)


@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One area's review: answer each criterion, then decide with a rationale."""
    review = reviews.get_review_for_user(request.user, pk)
    may_answer = review.is_open and reviews.may_answer(request.user, review)
    may_decide = may_answer and reviews.may_decide(request.user, review)
    answers = list(review.answers.select_related(None))
    owners = User.objects.filter(
        Q(pk=review.use_case.owner_id) | Q(department_id=review.use_case.department_id),
        is_active=True,
    )
    data = request.POST if request.method == "POST" else None
    answer_forms = [
        (a, AnswerForm(data, request.FILES if data else None, prefix=f"a{a.pk}", initial={"result": a.result, "note": a.note, "evidence": a.evidence}))
        for a in answers
    ]  # fmt: skip
    decision = DecisionForm(data, initial={"version": review.version})
    condition_forms = [
        ConditionForm(data, prefix=f"c{i}", owners=owners) for i in range(CONDITION_ROWS)
    ]
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied("This review is not open to you.")
        if request.POST.get("outcome") and not may_decide:
            raise PermissionDenied(reviews.why_not_decider(review))
        valid = all(f.is_valid() for _, f in answer_forms) and decision.is_valid()
        valid = all([f.is_valid() for f in condition_forms]) and valid
        if valid:
            answer_data = {a.pk: f.cleaned_data for a, f in answer_forms}
            conditions = [
                ConditionInput(f.cleaned_data["text"], f.cleaned_data["owner"], f.cleaned_data["due_on"])
                for f in condition_forms
                if f.cleaned_data.get("text")
            ]  # fmt: skip
            outcome = decision.cleaned_data["outcome"]
            try:
                if outcome:
                    reviews.decide_review(
                        review.pk,
                        actor=request.user,
                        outcome=outcome,
                        rationale=decision.cleaned_data["rationale"],
                        answers=answer_data,
                        conditions=conditions,
                        expected_version=decision.cleaned_data["version"],
                    )
                    messages.success(
                        request, f"Your {review.get_area_display()} decision is recorded."
                    )
                    return redirect("governance:case", review.use_case_id)
                reviews.save_answers(
                    review.pk, answer_data, actor=request.user,
                    expected_version=decision.cleaned_data["version"],
                )  # fmt: skip
                messages.success(request, "Your answers are saved.")
                return redirect("governance:review", review.pk)
            except TransitionError as exc:
                decision.add_error(None, str(exc))
    round_reviews = review.use_case.reviews.filter(round=review.round).select_related(
        "decided_by", "assignee"
    )
    staff, champions = _triagers({review.use_case.department_id})
    return render(
        request,
        "governance/review.html",
        {
            "review": review,
            "use_case": review.use_case,
            "answer_forms": answer_forms,
            "decision": decision,
            "condition_forms": condition_forms,
            "may_answer": may_answer,
            "may_decide": may_decide,
            "round_reviews": round_reviews,
            "assignees": staff
            + (champions.get(review.use_case.department_id, []) if review.reviewer_kind == "champion" else []),
        },
    )  # fmt: skip


@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """An answer's evidence file, for the people who may read its review."""
    answer = get_object_or_404(Answer.objects.visible_to(request.user), pk=pk)
    if not answer.evidence_file:
        raise Http404("No evidence file.")
    return FileResponse(
        answer.evidence_file.open("rb"),
        as_attachment=True,
        filename=answer.evidence_file.name.rsplit("/", 1)[-1],
    )


@require_POST
def review_assign(request: HttpRequest, pk: int) -> HttpResponse:
    review = reviews.get_review_for_user(request.user, pk, write=True)
    if request.POST.get("assignee") in (None, "", "me"):
        assignee = request.user
    else:
        assignee = get_object_or_404(User, pk=request.POST["assignee"], is_active=True)
    try:
        reviews.assign_review(review.pk, assignee, actor=request.user)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"The {review.get_area_display()} review is assigned to {assignee}."
        )
    return redirect("governance:review", pk)


@require_POST
def condition_met(request: HttpRequest, pk: int) -> HttpResponse:
    condition = get_object_or_404(
        Condition.objects.visible_to(request.user).select_related("use_case"), pk=pk
    )
    if not reviews.may_update_condition(request.user, condition):
        raise PermissionDenied(
            "Only the condition's owner, the proposal's owner or CoE staff tick it off."
        )
    try:
        reviews.mark_condition_met(condition.pk, actor=request.user)
    except ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The condition is marked as met.")
    return _back(request, condition.use_case_id)


@require_http_methods(["GET", "POST"])
def condition_waive(request: HttpRequest, pk: int) -> HttpResponse:
    """A CoE reviewer waives a condition with a reason, which lets the proposal past the
    pilot and production gate; the reason is kept in its history for governance readers."""
    condition = get_object_or_404(
        Condition.objects.visible_to(request.user).select_related("use_case", "owner"), pk=pk
    )
    if not reviews.may_waive_condition(request.user, condition):
        raise PermissionDenied("Only CoE reviewers waive a condition.")
    if condition.status != ConditionStatus.OPEN:  # e.g. the form sent twice: written once
        messages.info(
            request, f"This condition is already {condition.get_status_display().lower()}."
        )
        return redirect("governance:case", condition.use_case_id)
    form = WaiveConditionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                reviews.waive_condition(
                    condition.pk, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "The condition is waived; the history keeps why.")
                return redirect("governance:case", condition.use_case_id)
        return render(
            request,
            "governance/condition_waive.html",
            {"form": form, "condition": condition},
            status=400,
        )
    return render(
        request, "governance/condition_waive.html", {"form": form, "condition": condition}
    )


@require_http_methods(["GET", "POST"])
def go_live(request: HttpRequest, pk: int) -> HttpResponse:
    """Owners (and CoE staff) move approved work to pilot and production, or retire it."""
    use_case = reviews.get_use_case_for_user(request.user, pk)
    moves = [
        t for t in available_transitions(request.user, use_case)
        if t.target in register.AFTER_APPROVAL
    ]  # fmt: skip
    allowed = [t.target for t in moves]
    if not allowed:
        raise PermissionDenied("There is nothing you may move on for this use case now.")
    # A step that must wait stays a choice: chosen anyway, the lifecycle refuses it and
    # says why, as it does everywhere (usecases.lifecycle.conditions_gate).
    refusals = transition_refusals(use_case, moves)
    first = next((target for target in allowed if target not in refusals), allowed[0])
    form = GoLiveForm(
        request.POST or None, initial={"expected_status": use_case.status, "target": first}
    )
    form.fields["target"].choices = [c for c in form.fields["target"].choices if c[0] in allowed]
    if request.method == "POST" and form.is_valid():
        try:
            register.record_go_live(
                use_case.pk, form.cleaned_data["target"], actor=request.user,
                expected_status=form.cleaned_data["expected_status"],
                on_date=form.cleaned_data["on_date"],
                realised_annual_value=form.cleaned_data["realised_annual_value"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"'{use_case.title}' is updated.")
            return redirect("governance:case", pk)
    return render(
        request,
        "governance/go_live.html",
        {"form": form, "use_case": use_case, "refusals": list(refusals.values())},
    )


# --- the register ------------------------------------------------------------------------


def _register_rows(request):
    require_role(request.user, register.REGISTER_READERS)
    filterset = RegisterFilter(request.GET or None, queryset=register.register_for(request.user))
    sort = request.GET.get("sort", "title")
    return filterset, _sorted(filterset.qs, sort), sort


def _sorted(rows, sort: str):
    return rows.order_by(*register.SORTS.get(sort, register.SORTS["title"]))


@require_GET
def register_list(request: HttpRequest) -> HttpResponse:
    """The register: every live use case the person may see, filtered, sorted and paged."""
    filterset, rows, sort = _register_rows(request)
    return render_page(
        request,
        "governance/register.html",
        {
            "filter": filterset,
            "page": CappedCountPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "sort": sort,
            "today": timezone.localdate(),
        },
        partial="results",
    )


@require_GET
def register_csv(request: HttpRequest) -> HttpResponse:
    _, rows, _ = _register_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ai-use-case-register.csv"'
    register.write_csv(rows.iterator(chunk_size=500), response)
    return response


# --- settings, setup, criteria, platforms ----------------------------------------------------


def _operating_models_help() -> dict:
    """What the operating-model choice shows: each model's meaning with an example, and
    who reviews and who decides each tier under each model, as routing works it out."""

    def cell(reviewer, decider) -> str:
        if reviewer != decider:
            return "Champion reviews, CoE decides"
        who = "Champion" if reviewer == ReviewerKind.CHAMPION else "CoE"
        return f"{who} reviews and decides"

    by_model = {m: routing.responsibilities(m) for m in OperatingModel}
    return {
        "models_help": [(m, OPERATING_MODEL_HELP[m]) for m in OperatingModel],
        "models": list(OperatingModel),
        "responsibilities": [
            (tier.label, [cell(*by_model[m][i][1:]) for m in OperatingModel])
            for i, (tier, _, _) in enumerate(by_model[OperatingModel.CENTRALIZED])
        ],
        "no_champion_help": NO_CHAMPION_HELP,
    }


@require_http_methods(["GET", "POST"])
def governance_settings(request: HttpRequest) -> HttpResponse:
    require_role(request.user, [Role.COE_ADMIN])
    settings_row = PortalSettings.load()
    data = request.POST if request.method == "POST" else None
    form = OperatingModelForm(data, instance=settings_row)
    tiers = policy.tier_policies()
    tier_forms = [
        (
            p,
            TierPolicyForm(
                data,
                tier=p.tier,
                initial={"required_areas": p.required_areas, "rereview_after_days": p.rereview_after_days},
            ),
        )
        for p in tiers
    ]  # fmt: skip
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _, f in tier_forms):
        policy.save_settings(
            actor=request.user,
            operating_model=form.cleaned_data["operating_model"],
            review_sla_days=form.cleaned_data["review_sla_days"],
        )
        for p, f in tier_forms:
            policy.save_tier_policy(actor=request.user, tier=p.tier, **f.cleaned_data)
        messages.success(
            request, "Governance settings saved. Reviews already open keep their routing."
        )
        return redirect("governance:settings")
    return render(
        request,
        "governance/settings.html",
        {
            "form": form,
            "tier_forms": tier_forms,
            **_operating_models_help(),
            "needs_setup": policy.needs_setup(),
        },
    )


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """The first-run setup of an empty portal, one page with the four steps in order."""
    require_role(request.user, [Role.COE_ADMIN])
    if not policy.needs_setup():
        messages.info(request, "Setup is done; change anything here.")
        return redirect("governance:settings")
    settings_row = PortalSettings.load()
    data = request.POST if request.method == "POST" else None
    form = SetupForm(
        data,
        request.FILES or None,
        initial={"operating_model": settings_row.operating_model, "review_sla_days": settings_row.review_sla_days},
    )  # fmt: skip
    tier_forms = [
        (p, TierPolicyForm(data, tier=p.tier, initial={"required_areas": p.required_areas, "rereview_after_days": p.rereview_after_days}))
        for p in policy.tier_policies()
    ]  # fmt: skip
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _, f in tier_forms):
        added = policy.complete_setup(
            actor=request.user,
            operating_model=form.cleaned_data["operating_model"],
            review_sla_days=form.cleaned_data["review_sla_days"],
            departments=form.cleaned_data["departments_parsed"],
            tiers={
                p.tier: (f.cleaned_data["required_areas"], f.cleaned_data["rereview_after_days"])
                for p, f in tier_forms
            },
        )
        messages.success(request, f"Your CoE is set up ({added} departments added).")
        return redirect("governance:settings")
    return render(
        request,
        "governance/setup.html",
        {
            "form": form,
            "tier_forms": tier_forms,
            **_operating_models_help(),
        },
    )


@require_GET
def criteria_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, [Role.COE_REVIEWER, Role.COE_ADMIN, Role.CHAMPION])
    return render(
        request,
        "governance/criteria.html",
        {"criteria": Criterion.objects.all(), "may_edit": is_coe_admin(request.user)},
    )


@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request.user, [Role.COE_ADMIN])
    criterion = get_object_or_404(Criterion, pk=pk) if pk else None
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Criterion saved. Reviews already opened keep their wording.")
        return redirect("governance:criteria")
    return render(request, "governance/criterion_form.html", {"form": form, "criterion": criterion})


@require_GET
def platform_list(request: HttpRequest) -> HttpResponse:
    platforms = AIPlatform.objects.annotate(
        live_use_cases=Count("use_cases", filter=~Q(use_cases__status=Status.DRAFT))
    )
    return render(
        request,
        "governance/platforms.html",
        {"platforms": platforms, "may_edit": is_coe_admin(request.user)},
    )


@require_http_methods(["GET", "POST"])
def platform_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request.user, [Role.COE_ADMIN])
    platform = get_object_or_404(AIPlatform, pk=pk) if pk else None
    form = PlatformForm(request.POST or None, instance=platform)
    if request.method == "POST" and form.is_valid():
        saved = policy.save_platform(form, actor=request.user)
        messages.success(request, f"{saved.name} is {saved.get_status_display().lower()}.")
        return redirect("governance:platforms")
    return render(request, "governance/platform_form.html", {"form": form, "platform": platform})


def may_see_queue(user) -> bool:
    return is_coe_staff(user) or has_role(user, Role.CHAMPION)
