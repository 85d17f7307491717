"""Proposals at scale (``manage.py generate_data``): every lifecycle state with the history
that led there, comments, endorsements and followers.

Titles and problems are composed from word lists so that no two read alike and full-text
and trigram search have real words to match. Each proposal's history follows the same
paths as the demo (``usecases.demo.PATHS``), spread over two years, recent ones more often.
What governance needs to route and review each proposal is handed on in
``run.shared["proposals"]``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from coe_portal.models import AIPlatform
from coe_portal.scale import ScaleRun
from usecases.choices import TEAM_ROLES, Category, Effort, Status
from usecases.demo import PATHS
from usecases.models import Comment, Endorsement, Follow, UseCase, UseCaseEvent
from usecases.scoring import score

S = Status
# Share of proposals in each state (sums to 100).
STATUS_MIX = {
    S.DRAFT: 8, S.SUBMITTED: 6, S.TRIAGE: 5, S.IN_REVIEW: 9, S.CHANGES_REQUESTED: 4,
    S.APPROVED: 10, S.APPROVED_WITH_CONDITIONS: 9, S.REJECTED: 10, S.IN_PILOT: 10,
    S.IN_PRODUCTION: 17, S.RETIRED: 5, S.WITHDRAWN: 7,
}  # fmt: skip
DECISIONS = {S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED}
DECIDED_ON_REVIEWS = DECISIONS | {S.CHANGES_REQUESTED}
EVERYONE = UseCaseEvent.NoteAudience.EVERYONE

VERBS = [
    "Summarise", "Draft", "Classify", "Triage", "Extract key terms from", "Translate",
    "Answer questions about", "Generate first drafts of", "Review", "Search", "Tag",
    "Check the quality of", "Explain", "Compare", "Route", "Anonymise", "Prioritise",
    "Detect anomalies in", "Personalise", "Reconcile",
]  # fmt: skip
OBJECTS = [
    "supplier contracts", "customer emails", "incident reports", "sales call notes",
    "expense claims", "job descriptions", "support tickets", "policy documents",
    "meeting minutes", "product manuals", "audit findings", "insurance claims",
    "loan applications", "regulatory filings", "purchase orders", "marketing briefs",
    "release notes", "code reviews", "security alerts", "maintenance logs", "tender documents",
    "customer complaints", "board papers", "invoices", "onboarding checklists",
    "knowledge-base articles", "survey comments", "chat transcripts", "HR case notes",
    "vendor questionnaires", "test plans", "risk registers", "press releases",
    "training materials", "warranty requests", "shipping documents", "service contracts",
    "financial statements", "legal opinions", "engineering change requests",
]  # fmt: skip
AUDIENCES = [
    "the finance team", "field engineers", "contact-centre agents", "account managers",
    "the legal team", "recruiters", "the procurement desk", "store managers",
    "the compliance office", "claims handlers", "data stewards", "the service desk",
    "product owners", "internal auditors", "the treasury team", "relationship managers",
    "plant supervisors", "marketing analysts", "the security operations centre",
    "new joiners", "regional directors", "the credit committee", "logistics planners",
    "underwriters", "the communications team",
]  # fmt: skip
QUALIFIERS = [
    "", "", "", " with citations", " in five languages", " before month-end close",
    " overnight", " in real time", " for the quarterly review", " across all regions",
    " with a human check", " from scanned PDFs",
]  # fmt: skip
PAINS = [
    "spend {hours} hours a week reading {object} by hand",
    "miss deadlines because {object} pile up unread",
    "copy the same answers into {object} again and again",
    "cannot find the right clause in thousands of {object}",
    "wait days for an expert to check {object}",
    "make avoidable errors when re-keying {object}",
    "get {object} in many languages and formats",
    "struggle to spot trends across {object}",
]  # fmt: skip
SOLUTIONS = [
    "An assistant on the approved platform reads each item, drafts a summary and flags what needs attention; a person confirms before anything is sent.",
    "Retrieval over the document store with cited answers, so people check the source in one click.",
    "A classifier suggests a category and a priority; the team corrects it and the corrections improve the prompts.",
    "First drafts generated from a template and past examples, edited by the owner.",
    "A chat assistant inside the existing tool, limited to the team's own documents.",
    "Batch extraction into a spreadsheet that the team reviews every morning.",
]  # fmt: skip
BENEFITS = [
    "Faster turnaround and fewer errors.", "People spend time on judgement, not copying.",
    "Consistent answers across regions.", "Shorter queues and happier customers.",
    "Earlier warning of risks.", "Lower cost per case.",
]  # fmt: skip
MEASURES = [
    "Handling time per item down by a third within a quarter.",
    "Backlog under one week by the end of the pilot.",
    "Error rate in the monthly sample halves.",
    "Satisfaction score unchanged or better while volume grows.",
    "",
]  # fmt: skip
DATA = [
    "Documents in the team's SharePoint site.", "Tickets and emails from the CRM.",
    "Scanned PDFs from the archive.", "The public website and product manuals.",
    "Transaction data from the finance system.", "Employee records from the HR system.",
    "Source code repositories.", "Call recordings and transcripts.",
]  # fmt: skip
SENSITIVITY = ["public"] * 4 + ["internal"] * 10 + ["confidential"] * 2 + ["restricted"]
COMMENTS = [
    "We have the same problem in our team; happy to join a pilot.",
    "Which data would the assistant read, and who checks its answers?",
    "Could this reuse the platform team's retrieval service?",
    "Great idea. Legal would want to see the retention settings first.",
    "How would you measure the time saved?",
    "Our region uses a different template; worth covering both.",
    "This overlaps with an earlier proposal; maybe merge them?",
    "Count us in: we handle about three hundred of these a week.",
    "Please keep a person in the loop for anything sent to customers.",
    "Is there a budget owner for the licences yet?",
]  # fmt: skip
BASE_STEP_DAYS = {S.SUBMITTED: 6, S.IN_PILOT: 30, S.IN_PRODUCTION: 60, S.RETIRED: 120}


@dataclass(slots=True)
class Proposal:
    """What later parts need about one generated proposal."""

    id: int
    department_id: int
    owner_id: int
    status: str
    answers: dict
    steps: list = field(default_factory=list)  # (status, when)
    created_at: dt.datetime | None = None

    def reached(self, status: str) -> dt.datetime | None:
        for target, when in self.steps:
            if target == status:
                return when
        return None


def _answers(rng, platforms: list[AIPlatform]) -> dict:
    obj = rng.choice(OBJECTS)
    audience = rng.choice(AUDIENCES)
    title = f"{rng.choice(VERBS)} {obj} for {audience}{rng.choice(QUALIFIERS)}"
    pain = rng.choice(PAINS).format(object=obj, hours=rng.randint(2, 30))
    second = rng.choice(PAINS).format(object=rng.choice(OBJECTS), hours=rng.randint(2, 30))
    platform = rng.choice(platforms) if platforms and rng.random() < 0.8 else None
    reach = int(rng.lognormvariate(3.5, 1.3)) + 1
    return {
        "title": title[:200],
        "problem": f"{audience[0].upper()}{audience[1:]} {pain}. They also {second}.",
        "solution": rng.choice(SOLUTIONS),
        "category": rng.choice(Category.values),
        "business_sponsor": f"Head of {audience.removeprefix('the ')}",
        "intended_users": audience.capitalize(),
        "reach": reach,
        "hours_saved_per_month": int(reach * rng.uniform(0.5, 6)),
        "estimated_annual_value": Decimal(int(rng.lognormvariate(11, 1.2)) // 1000 * 1000),
        "benefits": rng.choice(BENEFITS),
        "success_measure": rng.choice(MEASURES),
        "data_used": rng.choice(DATA),
        "data_sensitivity": rng.choice(SENSITIVITY),
        "uses_personal_data": rng.random() < 0.15,
        "customer_facing": rng.random() < 0.12,
        "decides_about_people": rng.random() < 0.06,
        "regulated_domain": rng.random() < 0.1,
        "platform": platform,
        "platform_other": "" if platform else "A vendor's assistant",
        "effort": rng.choice(Effort.values),
        "data_readiness": rng.randint(1, 5),
        "team_roles": rng.sample([slug for slug, _ in TEAM_ROLES], rng.randint(0, 4)),
    }


def _timeline(run: ScaleRun, status: str, created: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """When each step of the path to ``status`` happened, all before now."""
    rng = run.rng
    path = [target for target, _who, _note in PATHS[status]]
    gaps = [rng.uniform(0.2, 2.0) * BASE_STEP_DAYS.get(target, 9) for target in path]
    room = (run.now - created).total_seconds() / 86400 - 0.05
    total = sum(gaps)
    if total > room:
        gaps = [g * room / total for g in gaps]
    steps, when = [], created
    for target, gap in zip(path, gaps, strict=True):
        when = when + dt.timedelta(days=gap)
        steps.append((target, when))
    return steps


def generate(run: ScaleRun) -> None:
    size, rng, shared = run.size, run.rng, run.shared
    platforms = list(AIPlatform.objects.exclude(status=AIPlatform.Status.PROHIBITED))
    statuses = rng.choices(list(STATUS_MIX), weights=list(STATUS_MIX.values()), k=size.proposals)
    dept_ids = shared["department_ids"]
    members = shared["members"]
    staffed = [d for d in dept_ids if members[d]]
    dept_weights = [len(members[d]) for d in staffed]
    reviewers, admins, users = shared["reviewers"], shared["admins"], shared["user_ids"]
    demo = shared["demo"]
    start = run.first_id(UseCase)
    proposals: list[Proposal] = []
    rows = []
    for n, status in enumerate(statuses):
        pk = start + n
        # The demo accounts own a few of every kind, so each role sees its own work.
        if n < 48:
            owner = [demo["employee"], demo["champion"]][n % 2]
            dept = next(d for d, m in members.items() if owner in m)
        else:
            dept = rng.choices(staffed, weights=dept_weights)[0]
            owner = rng.choice(members[dept])
        answers = _answers(rng, platforms)
        created = run.spread(730, recent_bias=1.6)
        steps = _timeline(run, status, created)
        proposal = Proposal(pk, dept, owner, status, answers, steps, created)
        proposals.append(proposal)
        scores = score(UseCase(**answers))
        submitted = proposal.reached(S.SUBMITTED)
        decided = next((w for t, w in steps if t in DECISIONS), None)
        changed = steps[-1][1] if steps else None
        rows.append(
            (pk, answers["title"], answers["problem"], answers["solution"], answers["category"],
             dept, owner, answers["business_sponsor"], answers["intended_users"],
             answers["reach"], answers["hours_saved_per_month"],
             answers["estimated_annual_value"],
             answers["estimated_annual_value"] * Decimal("0.6") if status == S.IN_PRODUCTION else None,
             answers["benefits"], answers["success_measure"], answers["data_used"],
             answers["data_sensitivity"], answers["uses_personal_data"],
             answers["customer_facing"], answers["decides_about_people"],
             answers["regulated_domain"],
             answers["platform"].pk if answers["platform"] else None, answers["platform_other"],
             answers["effort"], answers["data_readiness"], answers["team_roles"],
             rng.random() < 0.04, "", status, None, 1 + len(steps), scores.value,
             scores.feasibility, scores.quadrant, 0, 0, created, changed or created, submitted,
             decided, changed)
        )  # fmt: skip

    # Engagement first, so the proposals' counters can be written with them.
    endorsements, comments, follows, comment_events = [], [], [], []
    endorsed = {p.id: 0 for p in proposals}
    commented = dict(endorsed)
    comment_pk = run.first_id(Comment)
    for p in proposals:
        submitted = p.reached(S.SUBMITTED)
        if submitted is None:
            continue
        span = max((run.now - submitted).total_seconds(), 60)
        # A few popular proposals, many with a handful of supporters.
        count = min(int(rng.expovariate(1 / 3.0)), 80)
        for user in rng.sample(users, count):
            if user != p.owner_id:
                endorsements.append(
                    (p.id, user, submitted + dt.timedelta(seconds=rng.random() * span))
                )
                endorsed[p.id] += 1
        followers = set()
        for _ in range(min(int(rng.expovariate(1 / 1.5)), 30)):
            author = rng.choice(users if rng.random() < 0.7 else reviewers)
            when = submitted + dt.timedelta(seconds=rng.random() * span)
            body = rng.choice(COMMENTS)
            comments.append((comment_pk, p.id, author, body, when))
            comment_events.append(
                (
                    p.id,
                    author,
                    UseCaseEvent.Kind.COMMENT,
                    "",
                    "",
                    body,
                    EVERYONE,
                    {"comment": comment_pk},
                    when,
                )
            )
            comment_pk += 1
            commented[p.id] += 1
            if author != p.owner_id:
                followers.add(author)
        follows.extend((p.id, user, submitted) for user in followers)
    for i, p in enumerate(proposals):
        row = list(rows[i])
        row[34], row[35] = endorsed[p.id], commented[p.id]
        rows[i] = row
    run.write(
        UseCase,
        ["id", "title", "problem", "solution", "category", "department_id", "owner_id",
         "business_sponsor", "intended_users", "reach", "hours_saved_per_month",
         "estimated_annual_value", "realised_annual_value", "benefits", "success_measure",
         "data_used", "data_sensitivity", "uses_personal_data", "customer_facing",
         "decides_about_people", "regulated_domain", "platform_id", "platform_other", "effort",
         "data_readiness", "team_roles", "confidential", "source_ref", "status",
         "duplicate_of_id", "version", "value_score", "feasibility_score", "quadrant",
         "endorsement_count", "comment_count", "created_at", "updated_at", "submitted_at",
         "decided_at", "status_changed_at"],
        rows,
    )  # fmt: skip
    del rows

    actor_for = {
        "owner": lambda p: p.owner_id,
        "reviewer": lambda p: rng.choice(reviewers),
        "admin": lambda p: rng.choice(admins),
    }

    def events():
        for p in proposals:
            yield (
                p.id,
                p.owner_id,
                UseCaseEvent.Kind.EDIT,
                "",
                "",
                "Draft started.",
                EVERYONE,
                {},
                p.created_at,
            )
            previous = S.DRAFT
            for (target, who, note), (_, when) in zip(PATHS[p.status], p.steps, strict=True):
                # A decision on the reviews carries their reasoning (usecases.lifecycle).
                decided = previous == S.IN_REVIEW and target in DECIDED_ON_REVIEWS
                yield (
                    p.id,
                    actor_for[who](p),
                    UseCaseEvent.Kind.TRANSITION,
                    previous,
                    target,
                    note,
                    UseCaseEvent.NoteAudience.GOVERNANCE if decided else EVERYONE,
                    {},
                    when,
                )
                previous = target
        yield from comment_events

    run.write(
        UseCaseEvent,
        ["use_case_id", "actor_id", "kind", "from_status", "to_status", "note", "note_audience",
         "data", "created_at"],
        events(),
    )  # fmt: skip
    run.write(Comment, ["id", "use_case_id", "author_id", "body", "created_at"], comments)
    run.write(Endorsement, ["use_case_id", "user_id", "created_at"], endorsements)
    run.write(Follow, ["use_case_id", "user_id", "created_at"], follows)
    shared["proposals"] = proposals
    shared["platforms"] = {pl.pk: pl for pl in platforms}
