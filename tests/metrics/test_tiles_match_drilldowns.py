"""Leadership's numbers add up (issue 18): every dashboard tile over proposals equals the
list it opens, and today's snapshot equals today's live figure.

Hypothesis builds random portals (proposals in every status, in two or three departments,
confidential or not, submitted and decided on days either side of the KPIs' windows, with
values, and conditions open, met or waived). For the organisation's dashboard, the
organisation's filtered to each department and each department's own page, the leader
opens every tile's link with the test client and counts the rows the list shows (its
paginator's count, exact below ``COUNT_CAP``). Counts must equal the tile; sums, rates and
medians must be those of the listed rows.

Bounded for CI: a few derandomized examples (a fixed seed, as the visibility test runs).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from statistics import median
from urllib.parse import urlsplit

from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from coe_portal.roles import Role
from governance.choices import ConditionStatus
from metrics import dashboards, kpis, snapshots
from tests.factories import ConditionFactory, DepartmentFactory, UseCaseFactory, UserFactory
from usecases.choices import Status
from usecases.models import UseCase

EXAMPLES = int(os.environ.get("TILES_EXAMPLES", "4"))
# Days ago: either side of the 30-day and 365-day windows' first day, and well inside.
DAYS_AGO = st.sampled_from([0, 1, 15, 28, 29, 30, 31, 200, 363, 364, 365, 366])
HOURS = st.integers(min_value=0, max_value=23)

proposal = st.fixed_dictionaries(
    {
        "status": st.sampled_from(Status.values),
        "department": st.integers(min_value=0, max_value=2),
        "confidential": st.booleans(),
        "submitted": st.one_of(st.none(), st.tuples(DAYS_AGO, HOURS)),
        "decided": st.one_of(st.none(), st.tuples(DAYS_AGO, HOURS)),
        "estimated": st.one_of(st.none(), st.integers(min_value=0, max_value=500_000)),
        "realised": st.one_of(st.none(), st.integers(min_value=0, max_value=200_000)),
        "conditions": st.lists(st.sampled_from(ConditionStatus.values), max_size=3),
    }
)
portal = st.tuples(st.integers(min_value=2, max_value=3), st.lists(proposal, max_size=14))


def _at(days_hours):
    if days_hours is None:
        return None
    days, hour = days_hours
    day = timezone.localdate() - dt.timedelta(days=days)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))
    return min(moment, timezone.now())


def _build(n_departments, proposals):
    departments = [DepartmentFactory() for _ in range(n_departments)]
    owners = [UserFactory(department=d) for d in departments]
    for p in proposals:
        k = p["department"] % n_departments
        uc = UseCaseFactory(
            owner=owners[k],
            department=departments[k],
            status=p["status"],
            confidential=p["confidential"],
            estimated_annual_value=p["estimated"],
            realised_annual_value=p["realised"],
        )
        UseCase.objects.filter(pk=uc.pk).update(
            submitted_at=_at(p["submitted"]), decided_at=_at(p["decided"])
        )
        for status in p["conditions"]:
            ConditionFactory(
                use_case=uc,
                status=status,
                met_at=timezone.now() if status == ConditionStatus.MET else None,
                waived_at=timezone.now() if status == ConditionStatus.WAIVED else None,
            )
    return departments


def _listed(client, url):
    """The rows the drill-down lists: its queryset, and the count its page shows."""
    response = client.get(url)
    assert response.status_code == 200, url
    paginator = response.context["page"].paginator
    assert not paginator.count_is_capped
    return paginator.object_list, paginator.count


def _expected(slug, rows, count):
    """What the tile must read, worked out from the listed rows alone."""
    if slug == "estimated_value":
        return float(sum(r.estimated_annual_value or 0 for r in rows))
    if slug == "realised_value":
        return float(sum(r.realised_annual_value or 0 for r in rows))
    if slug == "approval_rate":
        approved = sum(1 for r in rows if r.status in kpis.APPROVED_OUTCOMES)
        return round(100 * approved / count, 1) if count else None
    if slug == "median_days_to_decision":
        days = [
            (r.decided_at - r.submitted_at).total_seconds() / 86400
            for r in rows
            if r.submitted_at and r.decided_at >= r.submitted_at
        ]
        return round(median(days), 1) if days else None
    return count


PROPOSAL_TILES = {slug for slug in dashboards.HEADLINE if kpis.REGISTRY[slug].proposals}


# A few fixed examples in CI, like the visibility invariants; TILES_EXAMPLES for more.
EXAMPLES_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


class TilesMatchDrilldownsTest(TestCase):
    @EXAMPLES_SETTINGS
    @given(portal)
    def test_every_tile_equals_the_rows_its_link_lists(self, data):
        departments = _build(*data)
        leader = UserFactory(roles=[Role.LEADERSHIP])
        snapshots.take_snapshots(timezone.localdate())  # the dashboard needs one
        client = Client()
        client.force_login(leader)
        pages = ["/metrics/"]
        for d in departments:
            pages += [f"/metrics/?department={d.code}", f"/metrics/departments/{d.code}/"]
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            tiles = {t.kpi.slug: t for t in response.context["board"].tiles}
            assert set(tiles) >= PROPOSAL_TILES
            for slug in PROPOSAL_TILES:
                tile = tiles[slug]
                assert tile.link, (page, slug)
                rows, count = _listed(client, tile.link)
                assert tile.value == _expected(slug, list(rows), count), (page, slug, tile.link)
                # The list is of the page's department, by the list's own filter.
                if "department=" in page or "/departments/" in page:
                    assert "department=" in urlsplit(tile.link).query

    @EXAMPLES_SETTINGS
    @given(portal)
    def test_todays_snapshot_equals_the_live_figure(self, data):
        departments = _build(*data)
        leader = UserFactory(roles=[Role.LEADERSHIP])
        today = timezone.localdate()
        snapshot = kpis.compute_all(today)
        visible = UseCase.objects.visible_to(leader)
        live = kpis.live_values(visible, today, kpis.REGISTRY)
        assert set(live) == {
            slug for slug, (_set, total) in kpis.PROPOSAL_SETS.items() if total.live
        }
        for slug, value in live.items():
            assert snapshot[slug].organisation == value, slug
        for d in departments:
            by_department = kpis.live_values(visible.filter(department=d), today, live)
            for slug, value in by_department.items():
                assert snapshot[slug].by_department[d.pk] == value, (slug, d.code)


def test_money_totals_are_floats_either_way():
    """A guard for the comparison above: both forms give floats, not Decimals."""
    total = kpis.ESTIMATED
    assert total.finish({"v": Decimal("10.00")}) == 10.0
    assert isinstance(total.finish({"v": None}), float)
