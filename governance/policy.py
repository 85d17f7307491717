"""The CoE's own policy settings: operating model, review SLA, areas per risk tier, the
first-run setup and the platform catalog. CoE admins only."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from coe_portal.models import AIPlatform, Department, PortalSettings
from coe_portal.roles import is_coe_admin
from governance.choices import DEFAULT_TIER_POLICY, RiskTier
from governance.models import GovernanceSettings, TierPolicy
from usecases.models import UseCase


def needs_setup() -> bool:
    """An empty portal whose setup nobody has completed yet."""
    return GovernanceSettings.load().setup_completed_at is None and not UseCase.objects.exists()


def tier_policies() -> list[TierPolicy]:
    """One row per tier, most severe first, created with the defaults when missing."""
    rows = {p.tier: p for p in TierPolicy.objects.all()}
    result = []
    for tier in RiskTier:
        if tier not in rows:
            areas, days = DEFAULT_TIER_POLICY[tier]
            rows[tier] = TierPolicy.objects.create(
                tier=tier, required_areas=list(areas), rereview_after_days=days
            )
        result.append(rows[tier])
    return result


def parse_departments(text: str, *, csv_header: bool = False) -> list[tuple[str, str]]:
    """(name, code) pairs from lines 'Name[, code]' or a CSV with 'name' and 'code' columns."""
    rows: list[tuple[str, str]] = []
    lines = [line for line in (text or "").splitlines() if line.strip()]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    for row in reader:
        cells = [c.strip() for c in row]
        if not cells or not cells[0]:
            continue
        if cells[0].lower() == "name" and (len(cells) < 2 or cells[1].lower() in ("code", "")):
            continue  # a header row
        name = cells[0][:120]
        code = slugify(cells[1] if len(cells) > 1 and cells[1] else name)[:40]
        if not code:
            raise ValueError(f"'{name}' needs a code made of letters or digits.")
        rows.append((name, code))
    if len(rows) > 500:
        raise ValueError("That is more than 500 departments; import them in the admin.")
    return rows


def _require_admin(actor) -> None:
    if not is_coe_admin(actor):
        raise PermissionDenied("Only CoE admins change governance settings.")


def save_settings(*, actor, operating_model: str, review_sla_days: int) -> PortalSettings:
    """Switch the operating model and SLA. Reviews already open keep their routing."""
    _require_admin(actor)
    with transaction.atomic():
        row = PortalSettings.objects.select_for_update().get_or_create(pk=1)[0]
        row.operating_model = operating_model
        row.review_sla_days = review_sla_days
        row.save(update_fields=["operating_model", "review_sla_days"])
    return row


def save_tier_policy(*, actor, tier: str, required_areas: list[str], rereview_after_days: int):
    _require_admin(actor)
    TierPolicy.objects.update_or_create(
        tier=tier,
        defaults={
            "required_areas": list(required_areas),
            "rereview_after_days": rereview_after_days,
        },
    )


def complete_setup(
    *,
    actor,
    operating_model: str,
    review_sla_days: int,
    departments: list[tuple[str, str]],
    tiers: dict[str, tuple[list[str], int]],
) -> int:
    """The first-run setup in one transaction; returns how many departments were added."""
    _require_admin(actor)
    with transaction.atomic():
        save_settings(actor=actor, operating_model=operating_model, review_sla_days=review_sla_days)
        added = 0
        for name, code in departments:
            _, created = Department.objects.get_or_create(code=code, defaults={"name": name})
            added += created
        for tier, (areas, days) in tiers.items():
            save_tier_policy(actor=actor, tier=tier, required_areas=areas, rereview_after_days=days)
        row = GovernanceSettings.load()
        row.setup_completed_at = timezone.now()
        row.setup_completed_by = actor
        row.save()
    return added


def save_platform(form, *, actor) -> AIPlatform:
    """Create or change a catalog platform (status, data clearance)."""
    _require_admin(actor)
    with transaction.atomic():
        return form.save()
