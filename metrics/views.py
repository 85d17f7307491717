"""Metrics pages: dashboards, readiness, reports. Thin: parse, authorise, call, render."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from coe_portal.htmx import render_page, wants_fragment
from coe_portal.models import Department
from coe_portal.spreadsheets import safe_cell
from metrics import access, dashboards, readiness, reports
from metrics.forms import AssessmentForm, DashboardFilterForm, GenerateReportForm
from metrics.models import ReadinessAssessment, Report


def _filters(request) -> tuple[DashboardFilterForm, Department | None, str]:
    form = DashboardFilterForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["department"], form.cleaned_data["period"]
    return DashboardFilterForm(), None, dashboards.DEFAULT_PERIOD


# The departments the dashboard's comparison and heatmap show: at 200 departments a row
# each made the page over 200 KB. Their CSVs hold every department.
DEPARTMENTS_SHOWN = 25


def dashboard(request):
    """The leadership dashboard: the organisation, or one department via the filter."""
    if not access.can_see_organisation(request.user):
        raise PermissionDenied("The organisation dashboard is for leadership and CoE staff.")
    form, department, period = _filters(request)
    context = {
        "board": dashboards.build(
            request.user,
            department=department,
            period=period,
            departments=list(Department.objects.all()),
            most=DEPARTMENTS_SHOWN,
        ),
        "scatter": dashboards.scatter(request.user, department=department, period=period),
        "form": form,
        "department": department,
        "organisation_view": True,
    }
    return render_page(request, "metrics/dashboard.html", context, partial="body")


def department_dashboard(request, code: str):
    """One department's dashboard, for its champions (and everyone who sees everything)."""
    department = access.get_department_for_user(
        request.user, code, access.can_see_department_dashboard
    )
    period = request.GET.get("period", dashboards.DEFAULT_PERIOD)
    context = {
        "board": dashboards.build(
            request.user,
            department=department,
            period=period,
            departments=[department],
            department_view=True,
        ),
        "scatter": dashboards.scatter(
            request.user, department=department, period=period, department_view=True
        ),
        "radar": _radar(department),
        "department": department,
        "organisation_view": False,
        "period": period,
    }
    return render_page(request, "metrics/dashboard.html", context, partial="body")


def my_department(request):
    """Champions' shortcut to their own department's dashboard."""
    user = request.user
    if not user.department_id:
        raise PermissionDenied("You have no department; ask a CoE admin to set it.")
    return redirect("metrics:department_dashboard", code=user.department.code)


def dashboard_csv(request, chart: str):
    """The figures of one dashboard chart as CSV, under the same filters and permissions."""
    code = request.GET.get("department") or ""
    if chart == "radar":
        department = access.get_department_for_user(request.user, code, access.can_see_readiness)
        radar = _radar(department)
        return _csv_response(f"coe-radar-{department.code}.csv", radar["columns"], radar["rows"])
    if code and request.GET.get("scope") == "department":
        department = access.get_department_for_user(
            request.user, code, access.can_see_department_dashboard
        )
        departments, department_view = [department], True
    else:
        if not access.can_see_organisation(request.user):
            raise PermissionDenied("The organisation dashboard is for leadership and CoE staff.")
        _form, department, _period = _filters(request)
        departments, department_view = list(Department.objects.all()), False
    period = request.GET.get("period", dashboards.DEFAULT_PERIOD)
    if chart == "heatmap":
        if not access.can_see_organisation(request.user):
            raise PermissionDenied("The readiness heatmap is for leadership and CoE staff.")
        columns, rows = dashboards.heatmap_table(dashboards.heatmap(departments))
    else:
        board = dashboards.build(
            request.user,
            department=department,
            period=period,
            departments=departments,
            department_view=department_view,
        )
        if chart not in board.charts:
            return HttpResponse("No such chart.", status=404, content_type="text/plain")
        columns, rows = board.charts[chart].columns, board.charts[chart].rows
    suffix = f"-{department.code}" if department else ""
    return _csv_response(f"coe-{chart}{suffix}.csv", columns, rows)


def _csv_response(filename: str, columns: list, rows: list) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(column) for column in columns])
    # Names (departments, KPIs) are typed by people; figures stay numbers.
    writer.writerows([safe_cell(c) if isinstance(c, str) else c for c in row] for row in rows)
    return response


# Readiness


def readiness_overview(request):
    """The heatmap of every department for those who see everything; others are taken to
    their own department's readiness."""
    if not access.can_see_organisation(request.user):
        if request.user.department_id:
            return redirect("metrics:department_readiness", code=request.user.department.code)
        raise PermissionDenied("You have no department; ask a CoE admin to set it.")
    departments = list(Department.objects.all())
    heat = dashboards.heatmap(departments)
    return render(request, "metrics/readiness_overview.html", {"heatmap": heat})


def _radar(department: Department) -> dict:
    """This department's latest submitted assessment, the one before it, and the
    organisation's average profile."""
    history = list(
        ReadinessAssessment.objects.filter(
            department=department, status=ReadinessAssessment.Status.SUBMITTED
        ).order_by("-year", "-quarter")[:2]
    )
    latest = readiness.latest_submitted()
    organisation = readiness.organisation_profile(latest)
    current = history[0] if history else None
    previous = history[1] if len(history) > 1 else None
    labels = [d.name for d in readiness.DIMENSIONS]
    codes = readiness.DIMENSION_CODES
    datasets = []
    if current:
        datasets.append(
            {
                "label": f"{department.name} {current.period_label}",
                "data": [current.dimension_scores.get(c) for c in codes],
            }
        )
    datasets.append({"label": "Organisation", "data": [organisation.get(c) for c in codes]})
    if previous:
        datasets.append(
            {
                "label": f"{department.name} {previous.period_label}",
                "data": [previous.dimension_scores.get(c) for c in codes],
            }
        )
    rows = [[label] + [ds["data"][i] for ds in datasets] for i, label in enumerate(labels)]
    return {
        "chart": {"type": "radar", "labels": labels, "datasets": datasets, "unit": "score"},
        "columns": ["Dimension"] + [ds["label"] for ds in datasets],
        "rows": rows,
        "current": current,
        "previous": previous,
    }


def department_readiness(request, code: str):
    department = access.get_department_for_user(request.user, code, access.can_see_readiness)
    year, quarter = readiness.current_quarter()
    assessments = ReadinessAssessment.objects.visible_to(request.user).filter(department=department)
    context = {
        "department": department,
        "radar": _radar(department),
        "history": list(assessments.select_related("submitted_by").order_by("-year", "-quarter")),
        "current_period": f"{year} Q{quarter}",
        "current": assessments.filter(year=year, quarter=quarter).first(),
        "can_assess": access.can_assess(request.user, department),
        "signals": dashboards.measured_signals(department),
    }
    return render(request, "metrics/department_readiness.html", context)


@require_http_methods(["GET", "POST"])
def assess(request, code: str):
    """The champion's questionnaire for the current quarter: save a draft, or submit."""
    department = access.get_department_for_user(request.user, code, access.can_assess)
    year, quarter = readiness.current_quarter()
    existing = ReadinessAssessment.objects.filter(
        department=department, year=year, quarter=quarter
    ).first()
    if existing and not existing.is_draft:
        messages.info(request, f"The {existing.period_label} assessment is already submitted.")
        return redirect(existing)
    form = AssessmentForm(request.POST or None, answers=existing.answers if existing else None)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            assessment = readiness.save_assessment(
                department, form.answers(), actor=request.user, submit=submit
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if submit:
                messages.success(request, f"Submitted the {assessment.period_label} assessment.")
                return redirect(assessment)
            messages.success(request, "Draft saved. Submit it when every question has a score.")
            return redirect("metrics:assess", code=department.code)
    context = {
        "form": form,
        "department": department,
        "period": f"{year} Q{quarter}",
        "assessment": existing,
    }
    return render(request, "metrics/assess.html", context)


def assessment_detail(request, pk: int):
    assessment = access.get_assessment_for_user(request.user, pk)
    answers = assessment.answers
    dimensions = [
        {
            "name": d.name,
            "score": assessment.dimension_scores.get(d.code),
            "questions": [
                {
                    "text": q.text,
                    "score": answers.get(q.code, {}).get("score"),
                    "level": (
                        q.levels[answers[q.code]["score"] - 1]
                        if answers.get(q.code, {}).get("score")
                        else ""
                    ),
                    "evidence": answers.get(q.code, {}).get("evidence", ""),
                }
                for q in d.questions
            ],
        }
        for d in readiness.DIMENSIONS
    ]
    context = {
        "assessment": assessment,
        "dimensions": dimensions,
        "can_edit": assessment.is_draft and access.can_assess(request.user, assessment.department),
    }
    return render(request, "metrics/assessment_detail.html", context)


# Reports


@require_http_methods(["GET", "POST"])
def report_list(request):
    if not access.can_see_organisation(request.user):
        raise PermissionDenied("Reports are for leadership and CoE staff.")
    may_manage = access.may_manage_reports(request.user)
    if request.method == "POST" and not may_manage:
        raise PermissionDenied("Only CoE staff generate reports; leadership reads them.")
    form = GenerateReportForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        kind, start = form.kind_and_start()
        report = reports.request_report(kind, start, actor=request.user)
        messages.success(request, f"Generating the {report}. This page updates when it is ready.")
        return redirect(report)
    context = {
        "reports": Report.objects.select_related("requested_by"),
        "form": form if may_manage else None,
    }
    return render(request, "metrics/report_list.html", context)


def report_detail(request, pk: int):
    report = access.get_report_for_user(request.user, pk)
    context = {
        **_report_context(report),
        "may_manage_reports": access.may_manage_reports(request.user),
    }
    return render(request, "metrics/report_detail.html", context)


def report_status(request, pk: int):
    """Polled by htmx while the report is generated; once finished, reloads the page."""
    report = access.get_report_for_user(request.user, pk)
    response = render(request, "metrics/report_detail.html#status", {"report": report})
    if report.is_finished and wants_fragment(request):
        response["HX-Redirect"] = report.get_absolute_url()
    return response


@require_POST
def report_regenerate(request, pk: int):
    report = access.get_report_for_user(request.user, pk)
    if not access.may_manage_reports(request.user):
        raise PermissionDenied("Only CoE staff generate reports again; leadership reads them.")
    reports.request_report(report.kind, report.period_start, actor=request.user)
    messages.success(request, "Generating again; the new version replaces this one.")
    return redirect(report)


def report_download(request, pk: int, fmt: str):
    report = access.get_report_for_user(request.user, pk)
    if report.status != Report.Status.READY:
        messages.error(request, "The report is not ready yet.")
        return redirect(report)
    if fmt == "csv":
        response = HttpResponse(reports.as_csv(report), content_type="text/csv; charset=utf-8")
    else:
        response = render(request, "metrics/report_print.html", _report_context(report))
    response["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    return response


def _report_context(report: Report) -> dict:
    data = report.data or {}
    context = {"report": report, "data": data}
    if report.kind == Report.Kind.ADOPTION:
        departments = data.get("departments", [])
        context["kpi_rows"] = [
            {
                "label": row["label"],
                "value": dashboards.format_value(row["value"], row["unit"]),
                "previous": dashboards.format_value(row["previous"], row["unit"]),
                "by_department": [
                    dashboards.format_value(row["by_department"].get(str(d["id"])), row["unit"])
                    for d in departments
                ],
            }
            for row in data.get("kpis", [])
        ]
        context["departments"] = departments
    context["changes"] = [
        {
            "label": item["label"],
            "from": dashboards.format_value(item["from"], item["unit"]),
            "to": dashboards.format_value(item["to"], item["unit"]),
        }
        for item in data.get("changes", {}).get("items", [])
    ]
    context["previous_report"] = data.get("changes", {}).get("previous_report")
    context["report_list_url"] = reverse("metrics:report_list")
    return context
