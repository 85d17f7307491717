"""What the dashboards show, built from snapshots (plus one capped, indexed read of
proposal scores for the value-versus-feasibility chart).

Every chart is a ``Chart``: what Chart.js draws, the same figures as a table (shown beside
the chart and downloadable as CSV) and the list behind it. A fixed number of queries per
page, whatever the number of proposals or days of history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from coe_portal.models import Department
from coe_portal.roles import has_role, sees_everything
from governance.register import REGISTER_READERS
from governance.reviews import QUEUE_ROLES
from metrics import kpis, readiness, snapshots
from skilling.access import can_see_coverage
from usecases.choices import Status
from usecases.models import UseCase

PERIODS = {"month": ("Month", 30), "quarter": ("Quarter", 91), "year": ("Year", 365)}
DEFAULT_PERIOD = "month"
HEADLINE = [
    "new_proposals",
    "approval_rate",
    "median_days_to_decision",
    "stage_pilot",
    "stage_production",
    "estimated_value",
    "realised_value",
    "readiness_index",
    "reviews_breaching_sla",
    "review_on_time_share",
    "open_conditions",
    "staff_trained_share",
    "path_completion",
    "active_learners",
]
# Measured readiness signals beside a department's self-assessment (issue 6's list).
SIGNALS = [
    "stage_intake",
    "stage_review",
    "stage_pilot",
    "stage_production",
    "path_completion",
    "staff_trained_share",
    "role_coverage",
    "review_on_time_share",
    "open_conditions",
]
# Where the governance tiles lead: a URL name, fixed query parameters (the department is
# added by id, as those filters take it) and the roles that may open the page. The queue's
# "overdue" filter lists the proposals of the reviews the tile counts (one definition:
# governance.sla).
GOVERNANCE_LINKS = {
    "reviews_breaching_sla": ("governance:queue", {"overdue": "1"}, QUEUE_ROLES),
    "review_on_time_share": ("governance:queue", {}, QUEUE_ROLES),
    "open_conditions": ("governance:register", {}, REGISTER_READERS),
}
LEARNING_KPIS = frozenset(
    {"active_learners", "staff_trained_share", "path_completion", "role_coverage"}
)
TREND_KPIS = ["new_proposals", "stage_pilot", "stage_production"]
VALUE_KPIS = ["estimated_value", "realised_value"]
COMPARISON_KPIS = [
    "stage_intake",
    "stage_review",
    "stage_pilot",
    "stage_production",
    "approval_rate",
    "estimated_value",
    "readiness_index",
]
SCATTER_CAP = 200
SCATTER_STATUSES = (
    Status.SUBMITTED,
    Status.TRIAGE,
    Status.IN_REVIEW,
    Status.CHANGES_REQUESTED,
    Status.APPROVED,
    Status.APPROVED_WITH_CONDITIONS,
    Status.IN_PILOT,
)


def proposals_link(statuses=(), department: Department | None = None) -> str:
    params = [("status", s) for s in statuses]
    if department is not None:
        params.append(("department", department.pk))
    # Explore filters on ?status=…&status=…&department=<id> (usecases/filters.py).
    url = reverse("usecases:usecase_list")
    return url + (f"?{urlencode(params)}" if params else "")


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "percent":
        return f"{value:.0f}%"
    if unit == "money":
        if abs(value) >= 1_000_000:
            return f"€{value / 1_000_000:.1f}M"
        if abs(value) >= 1_000:
            return f"€{value / 1_000:.0f}k"
        return f"€{value:.0f}"
    if unit in ("days", "score"):
        return f"{value:.1f}"
    return f"{value:.0f}"


@dataclass
class Tile:
    kpi: kpis.Kpi
    value: float | None
    previous: float | None
    link: str

    @property
    def display(self) -> str:
        return format_value(self.value, self.kpi.unit)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_display(self) -> str:
        change = self.change
        if change is None:
            return "no earlier figure"
        if change == 0:
            return "no change"
        sign = "+" if change > 0 else "−"
        return f"{sign}{format_value(abs(change), self.kpi.unit)}"

    @property
    def trend(self) -> str:
        """good / bad / flat, for the colour of the change."""
        change = self.change
        if not change:
            return "flat"
        return "good" if (change > 0) == self.kpi.higher_is_better else "bad"


@dataclass
class Chart:
    id: str
    title: str
    type: str  # bar, line, radar, scatter, funnel (a horizontal bar)
    labels: list = field(default_factory=list)
    datasets: list[dict] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    link: str = ""
    link_label: str = ""
    row_links: list[str] = field(default_factory=list)
    unit: str = "count"
    # The unit of each column after the first, for displaying the table (CSV stays raw).
    column_units: list[str] = field(default_factory=list)
    # Tables with many columns go under the chart rather than beside it.
    wide: bool = False
    note: str = ""  # said under the chart, e.g. that it shows only some departments

    @property
    def json_id(self) -> str:
        return f"chart-{self.id}-data"

    @property
    def table(self) -> list[tuple[str, list]]:
        """(link, cells) per row, for the data table beside the chart."""
        links = self.row_links + [""] * (len(self.rows) - len(self.row_links))
        shown = []
        for link, row in zip(links, self.rows, strict=False):
            cells = [row[0]]
            for i, cell in enumerate(row[1:]):
                unit = self.column_units[i] if i < len(self.column_units) else ""
                cells.append(format_value(cell, unit) if unit and cell != "" else cell)
            shown.append((link, cells))
        return shown

    def as_json(self) -> dict:
        return {
            "type": self.type,
            "labels": self.labels,
            "datasets": self.datasets,
            "unit": self.unit,
            "links": self.row_links,
        }


@dataclass
class Dashboard:
    department: Department | None
    period: str
    as_of: dt.date | None
    compared_with: dt.date | None
    tiles: list[Tile]
    charts: dict[str, Chart]
    heatmap: dict | None  # or a lazy dict (see build)
    csv_urls: dict[str, str] = field(default_factory=dict)

    @property
    def period_label(self) -> str:
        return PERIODS[self.period][0]


def build(
    user,
    *,
    department: Department | None,
    period: str,
    departments: list[Department],
    department_view: bool = False,
    most: int | None = None,
) -> Dashboard:
    """The dashboard for the organisation (department None), the organisation's filtered to
    one department, or a department's own (``department_view``: no comparison, no heatmap).
    ``most``: the page's comparison and heatmap show only that many departments, those with
    the most proposals (and the one filtered to), so a page stays small at 200 departments;
    their CSVs (``most`` None) hold them all."""
    period = period if period in PERIODS else DEFAULT_PERIOD
    latest = snapshots.latest_date()
    scope = department.pk if department else 0
    if latest is None:
        return Dashboard(department, period, None, None, [], {}, None)

    compared_with = latest - dt.timedelta(days=PERIODS[period][1])
    trend_dates = snapshots.month_ends(latest)
    wanted_dates = {*trend_dates, compared_with}
    headline = [slug for slug in HEADLINE if slug in kpis.REGISTRY]
    scoped_kpis = set(headline) | set(TREND_KPIS) | set(VALUE_KPIS) | set(kpis.STAGES_KPIS)
    data = snapshots.series(dates=wanted_dates, kpi_slugs=scoped_kpis, scopes=[scope])

    def value(slug: str, day: dt.date) -> float | None:
        return data.get((slug, scope), {}).get(day)

    tiles = [
        Tile(
            kpi=kpis.REGISTRY[slug],
            value=value(slug, latest),
            previous=value(slug, compared_with),
            link=_tile_link(slug, department, user),
        )
        for slug in headline
    ]
    charts = {
        "funnel": _funnel(department, latest, value),
        "trends": _trend(
            "trends", "Twelve-month trend: proposals", TREND_KPIS, trend_dates, value, department
        ),
        "value": _trend(
            "value", "Twelve-month trend: annual value", VALUE_KPIS, trend_dates, value, department
        ),
        # The page shows it from ``scatter`` (a part of its own); read here for the CSV.
        "scatter": SimpleLazyObject(lambda: _scatter(user, department)),
    }
    # A row per department each (200 at scale): worked out only when the page renders them
    # (not for a chart's CSV).
    if most is not None and len(departments) > most:
        shown = SimpleLazyObject(lambda: busiest(departments, latest, most, keep=department))
    else:
        shown = departments
    if not department_view:
        charts["comparison"] = SimpleLazyObject(
            lambda: _comparison(latest, shown, of=len(departments))
        )
    heat = (
        None if department_view else SimpleLazyObject(lambda: heatmap(shown, of=len(departments)))
    )
    csv_urls = {
        chart_id: _csv_url(chart_id, department, period, department_view)
        for chart_id in [*charts, "heatmap"]
    }
    return Dashboard(department, period, latest, compared_with, tiles, charts, heat, csv_urls)


def scatter(
    user, *, department: Department | None, period: str, department_view: bool = False
) -> dict | None:
    """The value-against-feasibility chart of ``build``'s dashboard and its CSV link, alone:
    the page keeps it apart from the figures because it changes with proposals. None before
    the first snapshot, when the dashboard shows no charts."""
    if snapshots.latest_date() is None:
        return None
    period = period if period in PERIODS else DEFAULT_PERIOD
    return {
        "chart": _scatter(user, department),
        "csv_url": _csv_url("scatter", department, period, department_view),
    }


def _csv_url(chart_id: str, department: Department | None, period: str, department_view: bool):
    params = {"period": period}
    if department is not None:
        params["department"] = department.code
    if department_view:
        params["scope"] = "department"
    return reverse("metrics:dashboard_csv", args=[chart_id]) + "?" + urlencode(params)


def _tile_link(slug: str, department: Department | None, user) -> str:
    """The list behind a tile, or "" when the viewer may not open it (the tile is then
    a plain figure rather than a link to a refusal)."""
    kpi = kpis.REGISTRY[slug]
    if slug == "readiness_index":
        if department is not None:
            return reverse("metrics:department_readiness", args=[department.code])
        return reverse("metrics:readiness")
    if slug in GOVERNANCE_LINKS:
        url_name, params, roles = GOVERNANCE_LINKS[slug]
        if not has_role(user, *roles):
            return ""
        params = dict(params)
        if department is not None:
            params["department"] = department.pk
        return reverse(url_name) + (f"?{urlencode(params)}" if params else "")
    if slug in LEARNING_KPIS:
        if not can_see_coverage(user) or not (
            department is None or sees_everything(user) or department.pk == user.department_id
        ):
            return ""
        # Coverage names a department by its code.
        url = reverse("skilling:coverage")
        return url + (f"?{urlencode({'department': department.code})}" if department else "")
    return proposals_link(kpi.statuses, department)


def _funnel(department, latest, value) -> Chart:
    labels, values, links = [], [], []
    for slug, (label, statuses) in kpis.STAGES.items():
        labels.append(label)
        values.append(value(f"stage_{slug}", latest))
        links.append(proposals_link(statuses, department))
    return Chart(
        id="funnel",
        title="Pipeline by stage",
        type="funnel",
        labels=labels,
        datasets=[{"label": "Proposals", "data": values}],
        columns=["Stage", "Proposals"],
        rows=[[label, _num(v)] for label, v in zip(labels, values, strict=True)],
        row_links=links,
        link=proposals_link([s for _l, ss in kpis.STAGES.values() for s in ss], department),
        link_label="All proposals in the pipeline",
    )


def _trend(chart_id, title, slugs, dates, value, department) -> Chart:
    labels = [d.strftime("%b %y") for d in dates]
    datasets = [
        {"label": kpis.REGISTRY[slug].label, "data": [value(slug, d) for d in dates]}
        for slug in slugs
    ]
    rows = [[label] + [_num(ds["data"][i]) for ds in datasets] for i, label in enumerate(labels)]
    statuses = [s for slug in slugs for s in kpis.REGISTRY[slug].statuses]
    return Chart(
        id=chart_id,
        title=title,
        type="line",
        labels=labels,
        datasets=datasets,
        columns=["Month"] + [ds["label"] for ds in datasets],
        rows=rows,
        link=proposals_link(dict.fromkeys(statuses), department),
        link_label="The proposals behind these figures",
        unit=kpis.REGISTRY[slugs[0]].unit,
        column_units=[kpis.REGISTRY[slug].unit for slug in slugs],
    )


def busiest(
    departments: list[Department], latest: dt.date, most: int, *, keep: Department | None
) -> list[Department]:
    """The ``most`` departments with the most proposals past intake on ``latest`` (by the
    stage snapshots), busiest first, always including ``keep``."""
    data = snapshots.series(
        dates=[latest], kpi_slugs=kpis.STAGES_KPIS, scopes=[d.pk for d in departments]
    )

    def proposals(d: Department) -> float:
        return sum(data.get((slug, d.pk), {}).get(latest) or 0 for slug in kpis.STAGES_KPIS)

    ranked = sorted(departments, key=lambda d: (-proposals(d), d.name))[:most]
    if keep is not None and keep not in ranked:
        ranked[-1] = keep
    return ranked


def _shown_note(shown: int, of: int | None) -> str:
    """What a table of departments says when it leaves some out."""
    if of is None or of <= shown:
        return ""
    return f"The {shown} departments with the most proposals, of {of}; the CSV has them all."


def _comparison(latest: dt.date, departments: list[Department], of: int | None = None) -> Chart:
    data = snapshots.series(
        dates=[latest], kpi_slugs=COMPARISON_KPIS, scopes=[d.pk for d in departments]
    )
    shown = ["stage_intake", "stage_review", "stage_pilot", "stage_production"]
    datasets = [
        {
            "label": kpis.REGISTRY[slug].label,
            "data": [data.get((slug, d.pk), {}).get(latest) for d in departments],
        }
        for slug in shown
    ]
    rows = [
        [d.name] + [_num(data.get((slug, d.pk), {}).get(latest)) for slug in COMPARISON_KPIS]
        for d in departments
    ]
    return Chart(
        id="comparison",
        title="Comparison by department",
        type="stacked",
        labels=[d.name for d in departments],
        datasets=datasets,
        columns=["Department"] + [kpis.REGISTRY[s].label for s in COMPARISON_KPIS],
        rows=rows,
        row_links=[reverse("metrics:department_dashboard", args=[d.code]) for d in departments],
        link=proposals_link(),
        link_label="All proposals",
        column_units=[kpis.REGISTRY[s].unit for s in COMPARISON_KPIS],
        wide=True,
        note=_shown_note(len(departments), of),
    )


def _scatter(user, department: Department | None) -> Chart:
    """Value against feasibility of the proposals the viewer may see (indexed score
    columns, capped at the highest-value SCATTER_CAP)."""
    qs = UseCase.objects.visible_to(user).filter(status__in=SCATTER_STATUSES)
    if department is not None:
        qs = qs.filter(department=department)
    points = list(
        qs.order_by("-value_score", "-id").values_list(
            "pk", "title", "value_score", "feasibility_score"
        )[:SCATTER_CAP]
    )
    return Chart(
        id="scatter",
        title="Value against feasibility",
        type="scatter",
        datasets=[
            {
                "label": "Proposals",
                "data": [{"x": f, "y": v, "title": t} for _pk, t, v, f in points],
            }
        ],
        columns=["Proposal", "Value score", "Feasibility score"],
        rows=[[t, v, f] for _pk, t, v, f in points[:15]],
        link=proposals_link(SCATTER_STATUSES, department),
        link_label="These proposals",
    )


def measured_signals(department: Department) -> list[dict]:
    """The portal's own figures for a department (latest snapshots), beside its opinion."""
    latest = snapshots.latest_date()
    if latest is None:
        return []
    slugs = [slug for slug in SIGNALS if slug in kpis.REGISTRY]
    data = snapshots.series(dates=[latest], kpi_slugs=slugs, scopes=[department.pk])
    return [
        {
            "label": kpis.REGISTRY[slug].label,
            "help": kpis.REGISTRY[slug].help,
            "value": format_value(
                data.get((slug, department.pk), {}).get(latest), kpis.REGISTRY[slug].unit
            ),
        }
        for slug in slugs
    ]


def heatmap(departments: list[Department], of: int | None = None) -> dict:
    """Departments by readiness dimension, from each one's latest submitted assessment.
    ``of``: how many departments there are, when ``departments`` are only some of them."""
    latest = readiness.latest_submitted()
    rows = []
    for d in departments:
        a = latest.get(d.pk)
        cells = []
        for code in readiness.DIMENSION_CODES:
            score = a.dimension_scores.get(code) if a else None
            cells.append({"value": score, "css": readiness.heat_level(score)})
        rows.append(
            {
                "department": d,
                "period": a.period_label if a else None,
                "overall": float(a.overall) if a and a.overall is not None else None,
                "cells": cells,
            }
        )
    return {
        "dimensions": [d.name for d in readiness.DIMENSIONS],
        "rows": rows,
        "organisation": readiness.organisation_profile(latest),
        "note": _shown_note(len(departments), of),
    }


def heatmap_table(heat: dict) -> tuple[list[str], list[list]]:
    columns = ["Department", "Assessment", "Overall", *heat["dimensions"]]
    rows = [
        [r["department"].name, r["period"] or "", _num(r["overall"])]
        + [_num(c["value"]) for c in r["cells"]]
        for r in heat["rows"]
    ]
    return columns, rows


def _num(value):
    """A table cell: blank for no figure, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
