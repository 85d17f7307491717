"""What the benchmark draws its URLs and people from, read once from the database in
DATABASE_URL, and the check afterwards that the mixed phase's writes are all there.

    DATABASE_URL=… DEBUG=1 .venv/bin/python bench/catalogue.py read [--seed N] [--employees N]
    DATABASE_URL=… DEBUG=1 .venv/bin/python bench/catalogue.py verify WRITES.json

``read`` prints one JSON object (see ``read``); ``verify`` prints what is missing. Run by
bench/run.py in a subprocess (the load generator itself stays free of Django); the tests
call ``read`` and ``verify`` in-process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

# The people the benchmark logs in as, per role (each client thread takes its own).
PEOPLE = {"employee": 24, "champion": 8, "reviewer": 8, "leader": 8}
# Employees who own a draft ready to submit, among the employees, so the mixed phase has
# submissions to make.
SUBMITTERS = 8
# Open reviews offered to the mixed phase's reviewers, and titles for similar proposals.
REVIEWS = 300
TITLES = 2000


def _person(user, role: str, **extra) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "role": role,
        "department": user.department_id,
        "department_code": user.department.code if user.department_id else "",
        **extra,
    }


def read(*, seed: int = 2026, people: dict[str, int] | None = None) -> dict:
    """Every id, code, count and choice the drawn URLs need, and the people to log in as.

    Lists are sorted before the seeded draw, so the same seed on the same data picks the
    same people, titles and reviews."""
    from django.db.models import Count

    from coe_portal.models import AIPlatform, Department, User
    from coe_portal.roles import Role
    from governance import register
    from governance.choices import ReviewerKind, ReviewKind, ReviewStatus, RiskTier
    from governance.models import Review
    from governance.reviews import QUEUE_STATUSES
    from metrics.dashboards import PERIODS
    from skilling.models import LearningResource
    from usecases.choices import LIVE_STATUSES, Category, Quadrant, Status
    from usecases.filters import SORTS
    from usecases.models import Endorsement, UseCase

    rng = random.Random(seed)  # noqa: S311 (choosing test data, not secrets)
    wanted = {**PEOPLE, **(people or {})}
    departments = list(Department.objects.order_by("id").values_list("id", "code"))
    # What an employee sees: every submitted proposal that is not confidential.
    public = UseCase.objects.exclude(status=Status.DRAFT).filter(confidential=False)
    proposals = list(public.order_by("id").values_list("id", flat=True))
    groups = (
        public.order_by().values_list("department_id", "status", "category").annotate(n=Count("id"))
    )
    sample = sorted(rng.sample(proposals, min(TITLES, len(proposals))))
    titles = list(
        UseCase.objects.filter(pk__in=sample).order_by("id").values_list("title", flat=True)
    )
    words = sorted({w.strip(",.:;()").lower() for t in titles for w in t.split() if len(w) >= 5})
    resource_titles = list(
        LearningResource.objects.active().order_by("id").values_list("title", flat=True)
    )

    active = User.objects.filter(is_active=True).select_related("department").order_by("id")
    chosen: dict[str, list[dict]] = {}
    drafts = defaultdict(list)
    for use_case in UseCase.objects.filter(status=Status.DRAFT).order_by("id"):
        if not use_case.missing_answers():
            drafts[use_case.owner_id].append(use_case.pk)
    no_role = [u for u in active.filter(groups=None, is_staff=False) if u.department_id]
    submitters = [u for u in no_role if drafts.get(u.pk)]
    employees = rng.sample(submitters, min(SUBMITTERS, len(submitters)))
    others = [u for u in no_role if u not in employees]
    employees += rng.sample(others, min(wanted["employee"] - len(employees), len(others)))
    chosen["employee"] = [_person(u, "employee") for u in employees]
    champions = list(active.filter(groups__name=Role.CHAMPION).exclude(department=None))
    by_department = {}
    for user in champions:
        by_department.setdefault(user.department_id, user)  # one per department
    picked = rng.sample(sorted(by_department), min(wanted["champion"], len(by_department)))
    chosen["champion"] = [_person(by_department[d], "champion") for d in sorted(picked)]
    for role, group in (("reviewer", Role.COE_REVIEWER), ("leader", Role.LEADERSHIP)):
        members = list(active.filter(groups__name=group).distinct())
        chosen[role] = [
            _person(u, role) for u in rng.sample(members, min(wanted[role], len(members)))
        ]
    chosen["admin"] = [_person(u, "admin") for u in active.filter(is_staff=True, is_superuser=True)]

    # What the mixed phase's writers start from, to tell afterwards whether a write took.
    ids = [p["id"] for p in chosen["employee"]]
    endorsed = defaultdict(list)
    for user_id, use_case_id in Endorsement.objects.filter(user_id__in=ids).values_list(
        "user_id", "use_case_id"
    ):
        endorsed[user_id].append(use_case_id)
    owned = defaultdict(list)
    for owner_id, pk in UseCase.objects.filter(owner_id__in=ids).values_list("owner_id", "id"):
        owned[owner_id].append(pk)
    for person in chosen["employee"]:
        person.update(
            drafts=drafts.get(person["id"], []),
            endorsed=endorsed.get(person["id"], []),
            owned=owned.get(person["id"], []),
        )
    # Reviews a CoE reviewer may decide: open, routed to the CoE, their proposal in review.
    open_reviews = list(
        Review.objects.filter(
            status=ReviewStatus.OPEN,
            kind=ReviewKind.INITIAL,
            reviewer_kind=ReviewerKind.COE,
            use_case__status=Status.IN_REVIEW,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    queue = UseCase.objects.filter(status__in=QUEUE_STATUSES).order_by()
    live = UseCase.objects.filter(status__in=LIVE_STATUSES).order_by()
    return {
        "seed": seed,
        "departments": departments,
        "proposals": proposals,
        "proposal_groups": [list(g) for g in groups],
        "all_proposals": UseCase.objects.count(),
        "titles": titles,
        "words": words,
        "resource_words": sorted(
            {w.lower() for t in resource_titles for w in t.split() if len(w) >= 5}
        ),
        "resources": len(resource_titles),
        "queue_by_department": dict(
            queue.values_list("department_id")
            .annotate(n=Count("id"))
            .values_list("department_id", "n")
        ),
        "register_by_department": dict(
            live.values_list("department_id")
            .annotate(n=Count("id"))
            .values_list("department_id", "n")
        ),
        "statuses": [s for s in Status.values if s != Status.DRAFT],
        "queue_statuses": [str(s) for s in QUEUE_STATUSES],
        "live_statuses": [str(s) for s in LIVE_STATUSES],
        "categories": list(Category.values),
        "quadrants": list(Quadrant.values),
        "tiers": list(RiskTier.values),
        "platforms": list(AIPlatform.objects.order_by("id").values_list("id", flat=True)),
        "explore_sorts": list(SORTS),
        "register_sorts": list(register.SORTS),
        "periods": list(PERIODS),
        "people": chosen,
        "reviews": sorted(rng.sample(open_reviews, min(REVIEWS, len(open_reviews)))),
    }


def verify(writes: list[dict]) -> dict:
    """Which of the writes the server accepted are not in the database, and whether the
    counters of the proposals they touched still match their rows.

    ``writes``: dicts with ``kind`` (comment, endorse, submit, decide), ``person`` (user
    id), ``use_case`` or ``review``, ``marker`` (the comment's or rationale's text) and
    ``accepted`` (what the response said)."""
    from django.db.models import Count

    from governance.choices import ReviewStatus
    from governance.models import Review
    from usecases.choices import Status
    from usecases.models import Comment, Endorsement, UseCase

    lost, touched = [], set()
    for write in writes:
        if not write["accepted"]:
            continue
        kind = write["kind"]
        if kind == "comment":
            found = (
                Comment.objects.filter(
                    use_case_id=write["use_case"], author_id=write["person"], body=write["marker"]
                ).count()
                == 1
            )
            touched.add(write["use_case"])
        elif kind == "endorse":
            found = Endorsement.objects.filter(
                use_case_id=write["use_case"], user_id=write["person"]
            ).exists()
            touched.add(write["use_case"])
        elif kind == "submit":
            found = (
                UseCase.objects.filter(pk=write["use_case"]).exclude(status=Status.DRAFT).exists()
            )
        elif kind == "decide":
            found = Review.objects.filter(
                pk=write["review"],
                status=ReviewStatus.DECIDED,
                decided_by_id=write["person"],
                rationale=write["marker"],
            ).exists()
        else:
            raise ValueError(f"unknown write kind {kind!r}")
        if not found:
            lost.append(write)
    mismatched = []
    for use_case in UseCase.objects.filter(pk__in=touched).annotate(
        endorsements_n=Count("endorsements", distinct=True),
        comments_n=Count("comments", distinct=True),
    ):
        if (use_case.endorsement_count, use_case.comment_count) != (
            use_case.endorsements_n,
            use_case.comments_n,
        ):
            mismatched.append(use_case.pk)
    return {
        "accepted": sum(1 for w in writes if w["accepted"]),
        "lost": lost,
        "counter_mismatches": mismatched,
    }


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coe_portal.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    reading = sub.add_parser("read")
    reading.add_argument("--seed", type=int, default=2026)
    reading.add_argument("--employees", type=int, default=PEOPLE["employee"])
    checking = sub.add_parser("verify")
    checking.add_argument("writes", type=Path)
    args = parser.parse_args()
    if args.command == "read":
        result = read(seed=args.seed, people={"employee": args.employees})
    else:
        result = verify(json.loads(args.writes.read_text()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
