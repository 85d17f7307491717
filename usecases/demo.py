"""Demo data for the intake: proposals in every state from the demo accounts, with real
histories (every status change goes through ``change_status``), comments, endorsements
and followers; plus a slice of the 2025 US federal AI use-case inventory. A curated
proposal whose path goes through a decision stops in review here: governance's demo decides
it on its reviews and takes it on from there (``split_at_decision``).

Safe to run twice: a curated proposal is recognised by its title and owner, and imported
rows by their inventory id.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from coe_portal.models import User
from usecases import engagement, importing
from usecases.choices import Status
from usecases.lifecycle import change_status, find_transition
from usecases.models import UseCase
from usecases.proposals import create_proposal

S = Status
FEDERAL_SLICE = Path(__file__).parent / "demo_data" / "federal_ai_inventory_2025_slice.csv"
FEDERAL_OWNERS = [
    "noah.berg", "sofia.marin", "omar.haddad", "lena.kowalski", "james.okafor",
    "mei.tanaka", "lucas.silva", "priya.nair",
]  # fmt: skip

# How a proposal reaches each state: (target, who acts, note).
_REVIEWED = [(S.SUBMITTED, "owner", ""), (S.TRIAGE, "reviewer", ""), (S.IN_REVIEW, "reviewer", "")]
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [(S.SUBMITTED, "owner", "")],
    S.TRIAGE: _REVIEWED[:2],
    S.IN_REVIEW: _REVIEWED,
    S.CHANGES_REQUESTED: [
        *_REVIEWED,
        (S.CHANGES_REQUESTED, "reviewer", "Say which customer data the assistant reads, and who checks its answers before they go out."),
    ],
    S.APPROVED: [*_REVIEWED, (S.APPROVED, "reviewer", "")],
    S.APPROVED_WITH_CONDITIONS: [
        *_REVIEWED,
        (S.APPROVED_WITH_CONDITIONS, "reviewer", "Keep a human in the loop for every outgoing letter; review again after three months."),
    ],
    S.REJECTED: [*_REVIEWED[:2], (S.REJECTED, "reviewer", "Out of scope: this is a rules engine, not generative AI. Talk to the automation team.")],
    S.IN_PILOT: [*_REVIEWED, (S.APPROVED, "reviewer", ""), (S.IN_PILOT, "owner", "")],
    S.IN_PRODUCTION: [*_REVIEWED, (S.APPROVED, "reviewer", ""), (S.IN_PILOT, "owner", ""), (S.IN_PRODUCTION, "admin", "")],
    S.RETIRED: [
        *_REVIEWED, (S.APPROVED, "reviewer", ""), (S.IN_PILOT, "owner", ""), (S.IN_PRODUCTION, "admin", ""),
        (S.RETIRED, "owner", "Replaced by the vendor's built-in assistant."),
    ],
    S.WITHDRAWN: [(S.SUBMITTED, "owner", ""), (S.WITHDRAWN, "owner", "")],
}  # fmt: skip

COMMON = {
    "business_sponsor": "Head of department",
    "benefits": "Less repetitive work and faster answers for the people who wait on us.",
    "data_sensitivity": "internal",
    "platform_other": "Azure OpenAI (GPT-4o)",
}

# owner, status, answers (on top of COMMON), endorsers, commenters
PROPOSALS = [
    (
        "employee",
        S.DRAFT,
        {
            "title": "Draft variance commentary for the monthly close",
            "problem": "Analysts spend two days each month writing variance commentary for the management pack.",
            "category": "content_generation",
            "reach": 12,
            "hours_saved_per_month": 60,
            "effort": "S",
        },
        [],
        [],
    ),
    (
        "employee",
        S.SUBMITTED,
        {
            "title": "Summarise supplier contracts and flag renewal dates",
            "problem": "Finance and Legal read hundreds of supplier contracts a year to find renewal and notice terms; notice periods get missed.",
            "solution": "An assistant that summarises each contract and lists its key dates and obligations.",
            "category": "summarisation",
            "intended_users": "Procurement and contracts teams",
            "reach": 40,
            "hours_saved_per_month": 120,
            "estimated_annual_value": 90000,
            "success_measure": "Review time per contract halves within three months.",
            "data_used": "Supplier contracts (PDF) from the contract repository.",
            "data_sensitivity": "confidential",
            "effort": "M",
            "data_readiness": 4,
            "team_roles": ["executive-sponsor", "data-steward"],
        },
        ["priya.nair", "lucas.silva", "champion"],
        [
            (
                "lucas.silva",
                "Legal would use this every week. Could it also flag auto-renewal clauses?",
            )
        ],
    ),
    (
        "noah.berg",
        S.IN_REVIEW,
        {
            "title": "Suggested replies for customer support tickets",
            "problem": "Support agents answer the same 40 questions all day; new agents take weeks to learn the answers.",
            "solution": "Draft a reply from the knowledge base for each ticket; the agent edits and sends it.",
            "category": "customer_support",
            "intended_users": "Customer service agents",
            "reach": 180,
            "hours_saved_per_month": 600,
            "estimated_annual_value": 420000,
            "success_measure": "First-response time down 30% with the same satisfaction score.",
            "data_used": "Past tickets and the public knowledge base.",
            "customer_facing": True,
            "uses_personal_data": True,
            "effort": "M",
            "data_readiness": 4,
            "team_roles": ["ai-product-owner", "power-user", "ai-champion"],
        },
        ["employee", "james.okafor", "mei.tanaka", "sofia.marin"],
        [
            (
                "mei.tanaka",
                "Operations sees the same pattern in supplier queries; happy to pilot it too.",
            )
        ],
    ),
    (
        "sofia.marin",
        S.APPROVED_WITH_CONDITIONS,
        {
            "title": "First drafts of campaign copy in the brand voice",
            "problem": "Each campaign needs dozens of copy variants; the content team is the bottleneck.",
            "solution": "Generate first drafts from the brief and brand guide for copywriters to edit.",
            "category": "content_generation",
            "intended_users": "Marketing content team",
            "reach": 15,
            "hours_saved_per_month": 80,
            "estimated_annual_value": 60000,
            "success_measure": "Time from brief to approved copy halves.",
            "data_used": "Brand guide, past campaigns.",
            "data_sensitivity": "public",
            "effort": "S",
            "data_readiness": 5,
            "team_roles": ["ai-champion", "power-user"],
        },
        ["james.okafor"],
        [],
    ),
    (
        "omar.haddad",
        S.IN_PRODUCTION,
        {
            "title": "Code review assistant for internal services",
            "problem": "Reviews wait a day on average; reviewers miss the same classes of bugs.",
            "solution": "An assistant comments on pull requests with likely bugs and missing tests.",
            "category": "code_assistance",
            "intended_users": "Engineering",
            "reach": 220,
            "hours_saved_per_month": 400,
            "estimated_annual_value": 300000,
            "success_measure": "Review wait time under 4 hours.",
            "data_used": "Internal source code.",
            "effort": "M",
            "data_readiness": 5,
            "team_roles": ["llm-engineer", "ai-security-engineer", "ai-product-owner"],
        },
        ["employee", "noah.berg", "priya.nair", "lucas.silva", "mei.tanaka"],
        [("noah.berg", "Could this help our support tooling repo too?")],
    ),
    (
        "lena.kowalski",
        S.CHANGES_REQUESTED,
        {
            "title": "Screen job applications against the role profile",
            "problem": "Recruiters read hundreds of CVs per opening.",
            "solution": "Rank applications against the role profile and summarise each candidate.",
            "category": "document_processing",
            "intended_users": "HR recruiters",
            "reach": 8,
            "hours_saved_per_month": 100,
            "estimated_annual_value": 50000,
            "success_measure": "Time to shortlist halves without adverse impact across groups.",
            "data_used": "Applications and CVs.",
            "data_sensitivity": "confidential",
            "uses_personal_data": True,
            "decides_about_people": True,
            "effort": "L",
            "data_readiness": 3,
        },
        [],
        [
            (
                "reviewer",
                "This is high-risk under the EU AI Act (employment). We need a bias test plan.",
            )
        ],
    ),
    (
        "lena.kowalski",
        S.SUBMITTED,
        {
            "title": "Confidential: restructuring communication drafts",
            "problem": "HR must prepare sensitive communication for an upcoming reorganisation.",
            "solution": "Draft letters and FAQs from approved talking points, kept within HR.",
            "category": "content_generation",
            "intended_users": "HR business partners",
            "reach": 6,
            "hours_saved_per_month": 30,
            "success_measure": "Drafts ready a week earlier.",
            "data_used": "Reorganisation plans.",
            "data_sensitivity": "restricted",
            "confidential": True,
            "uses_personal_data": True,
            "effort": "S",
            "data_readiness": 4,
        },
        [],
        [],
    ),
    (
        "james.okafor",
        S.TRIAGE,
        {
            "title": "Meeting notes and follow-ups for sales calls",
            "problem": "Account executives lose an hour a day writing call notes and CRM updates.",
            "solution": "Transcribe calls, summarise them and draft the CRM update and follow-up email.",
            "category": "summarisation",
            "intended_users": "Sales",
            "reach": 60,
            "hours_saved_per_month": 250,
            "estimated_annual_value": 150000,
            "success_measure": "CRM completeness above 90%.",
            "data_used": "Call recordings, CRM.",
            "uses_personal_data": True,
            "customer_facing": False,
            "effort": "M",
            "data_readiness": 3,
        },
        ["sofia.marin"],
        [],
    ),
    (
        "mei.tanaka",
        S.IN_PILOT,
        {
            "title": "Knowledge search over operating procedures",
            "problem": "Operators cannot find the right procedure quickly during incidents.",
            "solution": "Ask questions in plain language and get the answer with a link to the procedure.",
            "category": "knowledge_search",
            "intended_users": "Operations staff",
            "reach": 300,
            "hours_saved_per_month": 200,
            "estimated_annual_value": 120000,
            "success_measure": "Time to find a procedure under one minute.",
            "data_used": "Procedures wiki.",
            "effort": "S",
            "data_readiness": 4,
            "team_roles": ["ai-champion", "data-steward"],
        },
        ["omar.haddad", "employee"],
        [],
    ),
    (
        "lucas.silva",
        S.REJECTED,
        {
            "title": "Automatic approval of low-value contract changes",
            "problem": "Small contract changes queue for legal review.",
            "solution": "Approve changes below a threshold automatically.",
            "category": "other",
            "intended_users": "Legal",
            "reach": 5,
            "success_measure": "Queue shorter.",
            "data_used": "Contract change requests.",
            "effort": "S",
            "data_readiness": 2,
        },
        [],
        [],
    ),
    (
        "priya.nair",
        S.APPROVED,
        {
            "title": "Invoice data extraction for accounts payable",
            "problem": "Accounts payable keys in invoice data by hand.",
            "solution": "Extract invoice fields and match them to purchase orders for a clerk to confirm.",
            "category": "document_processing",
            "intended_users": "Accounts payable",
            "reach": 10,
            "hours_saved_per_month": 160,
            "estimated_annual_value": 70000,
            "success_measure": "80% of invoices need no manual keying.",
            "data_used": "Supplier invoices.",
            "effort": "M",
            "data_readiness": 4,
            "team_roles": ["data-steward"],
        },
        ["employee", "champion"],
        [],
    ),
    (
        "noah.berg",
        S.RETIRED,
        {
            "title": "Chat widget answering order status questions",
            "problem": "Customers ask where their order is.",
            "solution": "A chat widget answers order status questions.",
            "category": "customer_support",
            "intended_users": "Customers",
            "reach": 5000,
            "hours_saved_per_month": 300,
            "success_measure": "Fewer order status tickets.",
            "data_used": "Order system.",
            "customer_facing": True,
            "effort": "S",
            "data_readiness": 5,
        },
        [],
        [],
    ),
    (
        "james.okafor",
        S.WITHDRAWN,
        {
            "title": "Proposal generator for small deals",
            "problem": "Small deals need proposals too.",
            "solution": "Generate proposals from a template.",
            "category": "content_generation",
            "intended_users": "Sales",
            "reach": 30,
            "success_measure": "Proposal in a day.",
            "data_used": "Price list.",
            "effort": "S",
            "data_readiness": 4,
        },
        [],
        [],
    ),
    (
        "champion",
        S.SUBMITTED,
        {
            "title": "Explain budget variances to department heads",
            "problem": "Department heads ask Finance to explain the same variances every month.",
            "solution": "A Q&A assistant over the management pack that explains variances in plain words.",
            "category": "knowledge_search",
            "intended_users": "Department heads",
            "reach": 45,
            "hours_saved_per_month": 40,
            "estimated_annual_value": 30000,
            "success_measure": "Variance questions to Finance down by half.",
            "data_used": "Management accounts.",
            "data_sensitivity": "confidential",
            "effort": "M",
            "data_readiness": 3,
        },
        ["priya.nair"],
        [],
    ),
]


def split_at_decision(target: Status) -> tuple[list, list]:
    """The path to ``target`` split where the reviews decide: the steps the intake makes,
    and the decision with the steps after it (empty when the path has no decision)."""
    current = S.DRAFT
    steps = PATHS[target]
    for n, (step, _who, _note) in enumerate(steps):
        if find_transition(current, step).by_review:
            return steps[:n], steps[n:]
        current = step
    return steps, []


def seed(stdout) -> None:
    people = {user.username: user for user in User.objects.all()}
    # The inventory first, so the curated proposals are the newest in Explore.
    _seed_federal_slice(stdout, people)
    created = 0
    for username, target, answers, endorsers, commenters in PROPOSALS:
        owner = people[username]
        if UseCase.objects.filter(owner=owner, title=answers["title"]).exists():
            continue
        use_case = create_proposal(actor=owner, data={**COMMON, **answers})
        for step, who, note in split_at_decision(target)[0]:
            actor = owner if who == "owner" else people[who]
            change_status(use_case.pk, step, actor=actor, note=note)
        for endorser in endorsers:
            engagement.toggle_endorsement(use_case.pk, actor=people[endorser])
            engagement.set_following(use_case.pk, actor=people[endorser], follow=True)
        for author, body in commenters:
            engagement.add_comment(use_case.pk, actor=people[author], body=body)
        created += 1
    stdout.write(f"  {created} curated proposals in every state")


def _seed_federal_slice(stdout, people) -> None:
    owners = [people[name] for name in FEDERAL_OWNERS if name in people]
    if not owners or not FEDERAL_SLICE.exists():
        return
    # In the demo the inventory's pilots read as approved proposals about to start.
    mapping = replace(
        importing.FEDERAL_2025,
        values={
            **importing.FEDERAL_2025.values,
            "status": {
                "pre-deployment": "submitted",
                "pilot": "approved",
                "deployed": "in_production",
                "retired": "retired",
            },
        },
    )
    summary, _rows = importing.import_file(
        FEDERAL_SLICE.read_bytes(),
        mapping,
        actor=people.get("admin", owners[0]),
        source_name="2025 US federal AI use-case inventory",
        owners=owners,
    )
    stdout.write(
        f"  {summary.created} proposals from the 2025 US federal AI inventory "
        f"({summary.skipped} already there)"
    )
