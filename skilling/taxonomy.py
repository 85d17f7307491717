"""The seeded generative-AI skills taxonomy and the roles adoption needs.

Plain data plus one function that takes the model classes, so the data migration (with
historical models) and the demo seed (with the real ones) add the same entries. Adding an
entry here and running ``seed_demo`` adds it to an existing portal; nothing is ever
overwritten, because CoE admins edit these catalogs in the portal afterwards.
"""

from __future__ import annotations

FOUNDATION, PRACTITIONER, EXPERT = 1, 2, 3

# slug, name, category, description
SKILLS: list[tuple[str, str, str, str]] = [
    ("genai-foundations", "Generative-AI foundations", "foundations",
     "How large language models work, what they are good and bad at, hallucination, "
     "context windows, tokens and cost."),
    ("prompting", "Prompting", "foundations",
     "Writing instructions, examples and context that get reliable results; structured "
     "output; prompt patterns and their failure modes."),
    ("evaluation", "Evaluating model output", "building",
     "Judging answers for accuracy, groundedness and tone; test sets, rubrics, human "
     "review and automated evaluation."),
    ("rag", "Retrieval-augmented generation", "building",
     "Grounding answers in company documents: chunking, embeddings, vector search, "
     "citations and keeping sources fresh."),
    ("llm-engineering", "LLM application engineering", "building",
     "Building on model APIs: tool use and agents, orchestration, streaming, error "
     "handling, latency and cost budgets."),
    ("fine-tuning", "Fine-tuning and model customisation", "building",
     "When to fine-tune instead of prompting or retrieval; preparing training data; "
     "adapters; measuring the gain."),
    ("llmops", "LLM operations", "building",
     "Deploying, monitoring and updating LLM features: observability, drift, incident "
     "response, usage and cost controls."),
    ("responsible-ai", "Responsible AI", "governance",
     "Fairness, transparency, human oversight and accountability; impact assessments "
     "and model cards."),
    ("data-privacy", "Data privacy", "governance",
     "Personal data in prompts and training data; GDPR principles, minimisation, "
     "retention and data-processing agreements with AI vendors."),
    ("ai-security", "AI security", "governance",
     "Prompt injection, jailbreaks, data exfiltration through tools, insecure output "
     "handling and the OWASP Top 10 for LLM applications."),
    ("ai-regulation", "AI regulation and compliance", "governance",
     "The EU AI Act's risk tiers and duties, sector rules, copyright and the NIST AI "
     "Risk Management Framework."),
    ("data-governance", "Data governance and quality", "governance",
     "Ownership, classification, lineage and quality of the data that AI systems read "
     "and produce."),
    ("use-case-value", "Use-case discovery and value", "business",
     "Spotting good generative-AI use cases, sizing their value and risk, and writing a "
     "proposal the CoE can approve."),
    ("ai-product-management", "AI product management", "business",
     "Running an AI feature as a product: users, success metrics, experiments, "
     "rollout and the feedback loop."),
    ("change-management", "Change management", "business",
     "Bringing people along: communication, training, new ways of working, resistance "
     "and measuring adoption."),
    ("ai-strategy", "AI strategy and leadership", "business",
     "Setting direction and priorities for AI, funding, operating models and talking "
     "about AI with boards and staff."),
]  # fmt: skip

# slug, name, position, summary, responsibilities (one per line), {skill slug: level}
ROLES: list[tuple[str, str, int, str, str, dict[str, int]]] = [
    (
        "executive-sponsor", "Executive sponsor", 10,
        "Owns the business outcome of AI adoption in their area and clears the way.",
        "Sets the ambition and priorities for generative AI in their area\n"
        "Funds and staffs the use cases that matter\n"
        "Removes organisational blockers and sponsors change\n"
        "Holds teams to responsible-AI commitments",
        {"ai-strategy": PRACTITIONER, "use-case-value": PRACTITIONER,
         "change-management": PRACTITIONER, "genai-foundations": FOUNDATION,
         "responsible-ai": FOUNDATION, "ai-regulation": FOUNDATION},
    ),
    (
        "ai-champion", "AI champion", 20,
        "The department's go-to person for generative AI: spreads good practice and "
        "brings ideas to the CoE.",
        "Collects and shapes use-case ideas with colleagues\n"
        "Triages the department's proposals with the CoE\n"
        "Runs show-and-tells and answers everyday questions\n"
        "Feeds lessons learnt back to the CoE",
        {"genai-foundations": PRACTITIONER, "prompting": PRACTITIONER,
         "use-case-value": PRACTITIONER, "change-management": PRACTITIONER,
         "responsible-ai": FOUNDATION, "data-privacy": FOUNDATION},
    ),
    (
        "ai-product-owner", "AI product owner", 30,
        "Turns an approved use case into a product people use and measures its value.",
        "Owns the backlog and success metrics of an AI feature\n"
        "Decides what good output looks like with users\n"
        "Plans pilots, rollout and the feedback loop\n"
        "Keeps the conditions of the CoE's approval met",
        {"ai-product-management": EXPERT, "use-case-value": EXPERT,
         "evaluation": PRACTITIONER, "responsible-ai": PRACTITIONER,
         "prompting": PRACTITIONER, "genai-foundations": PRACTITIONER,
         "data-privacy": FOUNDATION},
    ),
    (
        "power-user", "Prompt engineer / power user", 40,
        "Gets reliable results from AI assistants every day and helps others do the same.",
        "Builds and shares prompt templates for the team's recurring tasks\n"
        "Checks outputs before they are used\n"
        "Knows which data may go into which tool\n"
        "Spots tasks worth automating further",
        {"prompting": EXPERT, "evaluation": PRACTITIONER, "genai-foundations": PRACTITIONER,
         "data-privacy": FOUNDATION, "ai-security": FOUNDATION,
         "responsible-ai": FOUNDATION},
    ),
    (
        "llm-engineer", "LLM engineer", 50,
        "Builds and evaluates applications on large language models.",
        "Designs retrieval, prompting and tool use for an application\n"
        "Builds evaluation sets and runs them on every change\n"
        "Hardens applications against prompt injection and misuse\n"
        "Keeps latency and cost within budget",
        {"llm-engineering": EXPERT, "rag": EXPERT, "evaluation": EXPERT,
         "prompting": PRACTITIONER, "ai-security": PRACTITIONER, "llmops": PRACTITIONER,
         "fine-tuning": PRACTITIONER},
    ),
    (
        "ai-platform-engineer", "AI platform engineer", 60,
        "Runs the approved AI platforms and the shared services teams build on.",
        "Operates model gateways, vector stores and observability\n"
        "Enforces usage, cost and data controls centrally\n"
        "Responds to incidents in AI features\n"
        "Onboards teams to the approved platforms",
        {"llmops": EXPERT, "llm-engineering": PRACTITIONER, "ai-security": PRACTITIONER,
         "rag": PRACTITIONER, "data-governance": FOUNDATION},
    ),
    (
        "data-steward", "Data steward", 70,
        "Makes sure the data AI reads is the right data, of known quality, used lawfully.",
        "Classifies the data sources a use case wants to use\n"
        "Approves data for retrieval and fine-tuning\n"
        "Keeps sources current, owned and documented\n"
        "Answers privacy questions with the privacy office",
        {"data-governance": EXPERT, "data-privacy": EXPERT, "responsible-ai": PRACTITIONER,
         "rag": FOUNDATION, "genai-foundations": FOUNDATION},
    ),
    (
        "responsible-ai-lead", "Responsible-AI lead", 80,
        "Makes sure AI is fair, transparent, overseen by people and compliant.",
        "Runs impact assessments and reviews high-risk use cases\n"
        "Keeps the review criteria current with regulation\n"
        "Decides on human-oversight and transparency measures\n"
        "Trains reviewers and champions",
        {"responsible-ai": EXPERT, "ai-regulation": EXPERT, "evaluation": PRACTITIONER,
         "data-privacy": PRACTITIONER, "genai-foundations": PRACTITIONER,
         "change-management": FOUNDATION},
    ),
    (
        "ai-security-engineer", "AI security engineer", 90,
        "Finds and fixes the ways AI systems can be attacked or leak data.",
        "Threat-models AI features, including their tools and data\n"
        "Red-teams prompts, retrieval and agents before launch\n"
        "Sets guardrails and monitors for abuse\n"
        "Reviews vendors' AI security claims",
        {"ai-security": EXPERT, "llm-engineering": PRACTITIONER, "llmops": PRACTITIONER,
         "data-privacy": PRACTITIONER, "ai-regulation": FOUNDATION},
    ),
    (
        "change-lead", "Adoption and change lead", 100,
        "Plans how people learn and adopt AI so that tools turn into new ways of working.",
        "Plans communication and training for each rollout\n"
        "Measures adoption and acts on the numbers\n"
        "Works with HR on roles, skills and career paths\n"
        "Builds the champions network",
        {"change-management": EXPERT, "ai-strategy": PRACTITIONER,
         "use-case-value": PRACTITIONER, "genai-foundations": PRACTITIONER,
         "prompting": FOUNDATION},
    ),
]  # fmt: skip


def seed_taxonomy(Skill, AdoptionRole, RoleSkill) -> tuple[int, int]:
    """Add the missing skills, roles and role requirements; never change existing ones.

    Returns how many skills and roles were created.
    """
    skills = {}
    new_skills = 0
    for slug, name, category, description in SKILLS:
        skill, created = Skill.objects.get_or_create(
            slug=slug, defaults={"name": name, "category": category, "description": description}
        )
        skills[slug] = skill
        new_skills += created
    new_roles = 0
    for slug, name, position, summary, responsibilities, needs in ROLES:
        role, created = AdoptionRole.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "position": position,
                "summary": summary,
                "responsibilities": responsibilities,
            },
        )
        new_roles += created
        if created:
            RoleSkill.objects.bulk_create(
                RoleSkill(role=role, skill=skills[skill_slug], level=level)
                for skill_slug, level in needs.items()
            )
    return new_skills, new_roles
