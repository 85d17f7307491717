"""Demo data for skilling: a realistic catalog, a path per role, events (one full, with a
waiting list), and the demo people's roles, enrolments and seats.

Safe to run twice: resources are matched by link, paths are filled only while empty,
enrolments and seats are created only when missing, events keep their registrations.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from skilling import events as event_logic
from skilling.choices import EnrolmentStatus
from skilling.models import (
    AdoptionRole,
    Enrolment,
    Event,
    LearnerProfile,
    LearningPath,
    LearningResource,
    PathStep,
    RoleSkill,
    Skill,
)
from skilling.taxonomy import seed_taxonomy

ACADEMY = "https://learning.example.com/coe"

# key, title, kind, provider, provider name, link, level (1-3), minutes, skills, language,
# description. Keys name resources in the paths and enrolments below.
RESOURCES = [
    ("essentials", "Generative AI at work: the essentials", "course", "internal", "CoE Academy",
     f"{ACADEMY}/genai-essentials", 1, 90, ["genai-foundations", "prompting", "data-privacy"], "en",
     "What large language models can and cannot do, the company's approved tools, and the "
     "three rules for using them safely. The starting point for everyone."),
    ("clinic", "Prompting clinic: from vague to reliable", "workshop", "internal", "CoE Academy",
     f"{ACADEMY}/prompting-clinic", 2, 180, ["prompting", "evaluation"], "en",
     "Bring a task from your own work; leave with a prompt template that gives the same "
     "good answer every time. Small groups, hands-on."),
    ("advanced-prompting", "Advanced prompt patterns for power users", "course", "internal",
     "CoE Academy", f"{ACADEMY}/advanced-prompting", 3, 240, ["prompting", "evaluation"], "en",
     "Few-shot examples, structured output, decomposition, self-checking and prompt "
     "libraries for a team. For people who already prompt every day."),
    ("data-rules", "Which data may go into which AI tool?", "article", "internal", "CoE",
     f"{ACADEMY}/data-in-ai-tools", 1, 15, ["data-privacy", "ai-security"], "en",
     "The data classification levels mapped to the approved AI platforms, with examples from "
     "finance, HR and customer service."),
    ("check-output", "Checking AI output before you use it", "video", "internal", "CoE",
     f"{ACADEMY}/checking-output", 1, 20, ["evaluation", "responsible-ai"], "en",
     "Hallucinations, outdated facts and confident mistakes: a five-minute checklist for "
     "anything an assistant writes for you."),
    ("rag-lab", "Build a RAG assistant on the approved platform", "lab", "internal",
     "CoE Platform team", f"{ACADEMY}/rag-lab", 2, 480, ["rag", "llm-engineering"], "en",
     "A day in the lab: index a document set, build retrieval with citations, and measure "
     "answer quality on a test set."),
    ("eval-workshop", "Evaluating LLM applications: test sets and rubrics", "workshop",
     "internal", "CoE Platform team", f"{ACADEMY}/llm-evaluation", 3, 360,
     ["evaluation", "llm-engineering"], "en",
     "Design a test set, write grading rubrics, combine human review with model-graded "
     "evaluation and run it in CI."),
    ("redteam-lab", "Prompt injection red-team lab", "lab", "internal", "CoE Security",
     f"{ACADEMY}/prompt-injection-lab", 3, 480, ["ai-security", "llm-engineering"], "en",
     "Attack a deliberately vulnerable assistant with direct and indirect prompt injection, "
     "then fix it with the guardrails the platform offers."),
    ("proposal-guide", "Writing a use-case proposal the CoE can approve", "article", "internal",
     "CoE", f"{ACADEMY}/proposal-guide", 1, 20, ["use-case-value", "responsible-ai"], "en",
     "What reviewers look for: the problem, the data, the people affected, the value and the "
     "risks, with two annotated example proposals."),
    ("value-sizing", "Sizing the value of a generative-AI use case", "workshop", "internal",
     "CoE Academy", f"{ACADEMY}/value-sizing", 2, 180, ["use-case-value", "ai-product-management"],
     "en", "Baselines, time saved versus quality gained, adoption curves and the costs people "
     "forget. Work through your own use case."),
    ("champion-playbook", "The AI champion's playbook", "course", "internal", "CoE Academy",
     f"{ACADEMY}/champion-playbook", 2, 240,
     ["change-management", "use-case-value", "genai-foundations"], "en",
     "Running show-and-tells, collecting ideas, triaging proposals with the CoE and keeping "
     "colleagues' questions answered."),
    ("exec-briefing", "Leading AI adoption: executive briefing", "workshop", "internal",
     "CoE and Strategy office", f"{ACADEMY}/executive-briefing", 2, 120,
     ["ai-strategy", "change-management", "ai-regulation"], "en",
     "Two hours for senior leaders: where generative AI pays off, what to fund, how to govern "
     "it and what your people need from you."),
    ("impact-assessment", "Responsible-AI impact assessment in practice", "workshop", "internal",
     "CoE Responsible AI", f"{ACADEMY}/impact-assessment", 3, 480,
     ["responsible-ai", "ai-regulation"], "en",
     "Run a full impact assessment on a realistic high-risk use case, from stakeholders to "
     "human-oversight measures and monitoring."),
    ("data-classification", "Data classification for AI use cases", "course", "internal",
     "Data Office", f"{ACADEMY}/data-classification", 2, 120, ["data-governance", "data-privacy"],
     "en", "Classify the sources a use case wants to read, decide what may be indexed or used "
     "for tuning, and document it for the review."),
    ("stewardship", "Data stewardship for AI: ownership, lineage and quality", "course",
     "internal", "Data Office", f"{ACADEMY}/data-stewardship-ai", 3, 480,
     ["data-governance", "data-privacy", "rag"], "en",
     "Keeping the knowledge behind AI assistants owned, current and lawful: lineage, "
     "freshness checks and retention."),
    ("production", "Running LLM features in production", "course", "internal",
     "CoE Platform team", f"{ACADEMY}/llm-production", 2, 360, ["llmops", "llm-engineering"], "en",
     "Deployment, tracing, cost budgets, model upgrades and incident response for features "
     "built on language models."),
    ("po-bootcamp", "AI product owner bootcamp", "course", "internal", "CoE Academy",
     f"{ACADEMY}/po-bootcamp", 3, 1440,
     ["ai-product-management", "use-case-value", "evaluation"], "en",
     "Three days on owning an AI feature: discovery, success metrics, evaluation with users, "
     "pilots and rollout."),
    ("change-course", "Change management for AI rollouts", "course", "internal", "HR Academy",
     f"{ACADEMY}/change-for-ai", 3, 960, ["change-management"], "en",
     "Stakeholder maps, communication plans, training at scale and measuring adoption, applied "
     "to AI tools."),
    ("guardrails-lab", "Platform guardrails and observability deep dive", "lab", "internal",
     "CoE Platform team", f"{ACADEMY}/guardrails-lab", 3, 480, ["llmops", "ai-security"], "en",
     "Configure input and output filters, rate limits, logging and alerting on the model "
     "gateway."),
    ("essentials-de", "KI im Arbeitsalltag: Grundlagen", "course", "internal", "CoE Academy",
     f"{ACADEMY}/genai-essentials-de", 1, 90, ["genai-foundations", "prompting"], "de",
     "Die Grundlagen generativer KI und der freigegebenen Werkzeuge, auf Deutsch."),
    ("prompting-fr", "Le prompting en pratique", "video", "internal", "CoE Academy",
     f"{ACADEMY}/prompting-fr", 1, 30, ["prompting"], "fr",
     "Les bonnes pratiques pour rédiger des instructions claires, en français."),
    ("chatbots-2022", "Chatbots 101 (2022 edition)", "course", "internal", "CoE Academy",
     f"{ACADEMY}/chatbots-101", 1, 60, ["genai-foundations"], "en",
     "Replaced by 'Generative AI at work: the essentials'."),
    ("genai-everyone", "Generative AI for Everyone", "course", "external", "DeepLearning.AI",
     "https://www.deeplearning.ai/courses/generative-ai-for-everyone/", 1, 180,
     ["genai-foundations", "use-case-value", "ai-strategy"], "en",
     "A non-technical introduction to what generative AI can do, how projects run and how "
     "it affects business and society."),
    ("prompt-eng-devs", "ChatGPT Prompt Engineering for Developers", "course", "external",
     "DeepLearning.AI",
     "https://www.deeplearning.ai/short-courses/chatgpt-prompt-engineering-for-developers/", 2,
     90, ["prompting", "llm-engineering"], "en",
     "Prompting through the API: summarising, inferring, transforming and building a chatbot."),
    ("advanced-rag", "Building and Evaluating Advanced RAG", "course", "external",
     "DeepLearning.AI",
     "https://www.deeplearning.ai/short-courses/building-evaluating-advanced-rag/", 3, 90,
     ["rag", "evaluation"], "en",
     "Sentence-window and auto-merging retrieval, and the RAG triad for evaluating them."),
    ("finetuning", "Finetuning Large Language Models", "course", "external", "DeepLearning.AI",
     "https://www.deeplearning.ai/short-courses/finetuning-large-language-models/", 2, 60,
     ["fine-tuning"], "en",
     "When fine-tuning helps, how to prepare data, train and evaluate a small model."),
    ("hf-course", "Hugging Face LLM Course", "course", "external", "Hugging Face",
     "https://huggingface.co/learn/llm-course", 2, 1800, ["llm-engineering", "fine-tuning"], "en",
     "Transformers, tokenizers, datasets and fine-tuning with the Hugging Face ecosystem."),
    ("owasp-llm", "OWASP Top 10 for LLM Applications", "article", "external", "OWASP",
     "https://owasp.org/www-project-top-10-for-large-language-model-applications/", 2, 60,
     ["ai-security"], "en",
     "The most critical security risks of applications built on language models, with "
     "mitigations."),
    ("nist-rmf", "NIST AI Risk Management Framework", "article", "external", "NIST",
     "https://www.nist.gov/itl/ai-risk-management-framework", 2, 120,
     ["responsible-ai", "ai-regulation"], "en",
     "Govern, map, measure, manage: the framework the CoE's review criteria build on."),
    ("nist-genai", "NIST Generative AI Profile (NIST AI 600-1)", "article", "external", "NIST",
     "https://doi.org/10.6028/NIST.AI.600-1", 3, 180,
     ["responsible-ai", "ai-security", "ai-regulation"], "en",
     "The twelve risks unique to or made worse by generative AI, and the actions that manage "
     "them."),
    ("eu-ai-act", "The EU AI Act explained", "article", "external", "AI Act Explorer",
     "https://artificialintelligenceact.eu/", 1, 45, ["ai-regulation"], "en",
     "Risk tiers, prohibited practices, obligations for high-risk systems and general-purpose "
     "models, and the timeline."),
    ("google-intro", "Introduction to Generative AI", "video", "external",
     "Google Cloud Skills Boost", "https://www.cloudskillsboost.google/course_templates/536", 1, 45,
     ["genai-foundations"], "en", "A short micro-learning course on what generative AI is and how "
     "it is used."),
    ("prompting-guide", "Prompt Engineering Guide", "article", "external", "DAIR.AI",
     "https://www.promptingguide.ai/", 2, 60, ["prompting"], "en",
     "A broad reference of prompting techniques with examples."),
    ("adkar", "The Prosci ADKAR Model", "article", "external", "Prosci",
     "https://www.prosci.com/methodology/adkar", 1, 30, ["change-management"], "en",
     "Awareness, desire, knowledge, ability, reinforcement: a model for individual change."),
    ("aws-ai-practitioner", "AWS Certified AI Practitioner", "certification", "external", "AWS",
     "https://aws.amazon.com/certification/certified-ai-practitioner/", 2, 2400,
     ["genai-foundations", "responsible-ai", "ai-security"], "en",
     "A foundational certification on AI, machine learning and generative AI concepts on AWS."),
    ("aigp", "Artificial Intelligence Governance Professional (AIGP)", "certification",
     "external", "IAPP", "https://iapp.org/certify/aigp/", 3, 2400,
     ["responsible-ai", "ai-regulation", "data-privacy"], "en",
     "The IAPP's certification for people who govern AI systems."),
]  # fmt: skip

RETIRED = {"chatbots-2022"}

PATHS = {
    "executive-sponsor": ["genai-everyone", "exec-briefing", "proposal-guide", "value-sizing",
                          "eu-ai-act", "adkar"],
    "ai-champion": ["essentials", "data-rules", "clinic", "check-output", "proposal-guide",
                    "champion-playbook"],
    "ai-product-owner": ["essentials", "clinic", "value-sizing", "check-output", "po-bootcamp",
                         "nist-rmf"],
    "power-user": ["essentials", "data-rules", "check-output", "clinic", "advanced-prompting",
                   "prompting-guide"],
    "llm-engineer": ["prompt-eng-devs", "rag-lab", "advanced-rag", "eval-workshop",
                     "redteam-lab", "production", "finetuning"],
    "ai-platform-engineer": ["production", "rag-lab", "owasp-llm", "guardrails-lab",
                             "data-classification"],
    "data-steward": ["essentials", "data-classification", "stewardship", "nist-rmf"],
    "responsible-ai-lead": ["check-output", "eu-ai-act", "nist-rmf", "nist-genai",
                            "impact-assessment", "aigp"],
    "ai-security-engineer": ["owasp-llm", "redteam-lab", "nist-genai", "guardrails-lab",
                             "production"],
    "change-lead": ["genai-everyone", "adkar", "champion-playbook", "change-course",
                    "exec-briefing"],
}  # fmt: skip

# username -> (current role, target role, completed, in progress {key: %}, enrolled)
PEOPLE = {
    "employee": (None, "power-user", ["essentials"], {"check-output": 50}, []),
    "champion": ("ai-champion", "ai-product-owner",
                 ["essentials", "champion-playbook", "clinic", "data-rules"],
                 {"value-sizing": 60}, ["po-bootcamp"]),
    "reviewer": ("responsible-ai-lead", None, ["nist-rmf", "eu-ai-act", "check-output"],
                 {"aigp": 30}, []),
    "admin": ("change-lead", "executive-sponsor", ["genai-everyone", "adkar", "exec-briefing"],
              {}, []),
    "leader": ("executive-sponsor", None, ["genai-everyone"], {}, ["eu-ai-act"]),
    "noah.berg": ("ai-champion", "ai-product-owner", ["essentials", "check-output"],
                  {"clinic": 40}, []),
    "sofia.marin": ("power-user", "ai-champion", ["essentials", "clinic", "prompting-guide",
                    "data-rules"], {"advanced-prompting": 20}, []),
    "omar.haddad": ("llm-engineer", "ai-security-engineer",
                    ["prompt-eng-devs", "rag-lab", "advanced-rag", "owasp-llm"],
                    {"redteam-lab": 50}, []),
    "lena.kowalski": (None, "change-lead", ["adkar"], {}, ["change-course"]),
    "james.okafor": (None, "power-user", [], {"essentials": 40}, []),
    "mei.tanaka": ("ai-champion", "change-lead", ["essentials", "champion-playbook"], {}, []),
    "lucas.silva": (None, "responsible-ai-lead", ["eu-ai-act"], {"nist-rmf": 25}, []),
    "priya.nair": ("data-steward", "responsible-ai-lead", ["data-classification", "essentials"],
                   {}, ["stewardship"]),
}  # fmt: skip

# title, kind, days from today, start hour, hours long, place, online, capacity, resource key,
# people registering in order (the ones beyond capacity wait)
EVENTS = [
    ("CoE office hours: bring your use case", "office_hours", 3, 15, 1, "",
     "https://meet.example.com/coe-office-hours", 6, None,
     ["champion", "sofia.marin", "noah.berg", "mei.tanaka", "james.okafor", "lucas.silva",
      "priya.nair", "lena.kowalski"]),
    ("Prompting clinic: hands-on session", "workshop", 7, 13, 3,
     "Room 4.12, Headquarters", "", 12, "clinic", ["noah.berg", "james.okafor"]),
    ("What the EU AI Act means for us", "webinar", 10, 11, 1, "",
     "https://meet.example.com/eu-ai-act", 300, "eu-ai-act",
     ["reviewer", "lucas.silva", "leader", "priya.nair"]),
    ("Responsible-AI impact assessment workshop", "workshop", 14, 9, 8,
     "Training room 2, Headquarters", "", 16, "impact-assessment", ["reviewer", "lucas.silva"]),
    ("Company AI Day", "ai_day", 21, 9, 8, "Auditorium, Headquarters",
     "https://meet.example.com/ai-day", 150, None,
     ["admin", "leader", "champion", "omar.haddad", "sofia.marin", "mei.tanaka"]),
]  # fmt: skip

EVENT_TEXT = {
    "CoE office hours: bring your use case": "Thirty minutes with a CoE reviewer and an "
    "engineer to shape your idea into a proposal. Small group so everyone gets time.",
    "Prompting clinic: hands-on session": "The Prompting clinic in person. Bring a laptop and "
    "a real task from your work.",
    "What the EU AI Act means for us": "The Legal and CoE teams on what changes for our "
    "use cases, which ones count as high risk and what we do about it.",
    "Responsible-AI impact assessment workshop": "A full day running an impact assessment "
    "on a realistic case. For reviewers, champions and product owners.",
    "Company AI Day": "Demos from every department, the year's use cases in production, "
    "talks from leadership and hands-on stands.",
}


def seed(stdout) -> None:
    seed_taxonomy(Skill, AdoptionRole, RoleSkill)
    skills = {s.slug: s for s in Skill.objects.all()}
    resources = {}
    for (
        key,
        title,
        kind,
        provider,
        provider_name,
        url,
        level,
        minutes,
        skill_slugs,
        lang,
        text,
    ) in RESOURCES:
        resource, _ = LearningResource.objects.update_or_create(
            url=url,
            defaults={
                "title": title, "kind": kind, "provider": provider,
                "provider_name": provider_name, "level": level, "duration_minutes": minutes,
                "language": lang, "description": text,
                "status": "retired" if key in RETIRED else "active",
            },
        )  # fmt: skip
        resource.skills.set([skills[s] for s in skill_slugs])
        resources[key] = resource

    for role in AdoptionRole.objects.all():
        path, _ = LearningPath.objects.get_or_create(role=role)
        if role.slug in PATHS and not path.steps.exists():
            PathStep.objects.bulk_create(
                PathStep(path=path, resource=resources[key], position=i)
                for i, key in enumerate(PATHS[role.slug], start=1)
            )
            path.summary = f"The steps that build the skills of the {role.name.lower()} role."
            path.save(update_fields=["summary"])

    users = {u.username: u for u in get_user_model().objects.filter(username__in=PEOPLE)}
    roles = {r.slug: r for r in AdoptionRole.objects.all()}
    now = timezone.now()
    for username, (current, target, done, doing, enrolled) in PEOPLE.items():
        user = users.get(username)
        if user is None:
            continue
        LearnerProfile.objects.update_or_create(
            user=user,
            defaults={
                "current_role": roles.get(current) if current else None,
                "target_role": roles.get(target) if target else None,
            },
        )
        for days_ago, key in enumerate(done, start=1):
            Enrolment.objects.get_or_create(
                user=user,
                resource=resources[key],
                defaults={
                    "status": EnrolmentStatus.COMPLETED,
                    "progress": 100,
                    "completed_at": now - timedelta(days=7 * days_ago),
                },
            )
        for key, progress in doing.items():
            Enrolment.objects.get_or_create(
                user=user,
                resource=resources[key],
                defaults={"status": EnrolmentStatus.IN_PROGRESS, "progress": progress},
            )
        for key in enrolled:
            Enrolment.objects.get_or_create(user=user, resource=resources[key])

    today = timezone.localdate()
    for title, kind, days, hour, hours, place, online, capacity, key, people in EVENTS:
        starts = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)))
        event, _ = Event.objects.update_or_create(
            title=title,
            defaults={
                "kind": kind, "description": EVENT_TEXT[title], "starts_at": starts,
                "ends_at": starts + timedelta(hours=hours), "location": place,
                "online_url": online, "capacity": capacity,
                "resource": resources.get(key) if key else None,
            },
        )  # fmt: skip
        for username in people:
            if username in users:
                event_logic.register_for_event(event.pk, actor=users[username])

    past_start = timezone.make_aware(datetime.combine(today - timedelta(days=20), time(10)))
    Event.objects.get_or_create(
        title="Kick-off: the AI Center of Excellence",
        defaults={
            "kind": "ai_day",
            "description": "The launch of the CoE: charter, team and the first use cases.",
            "starts_at": past_start,
            "ends_at": past_start + timedelta(hours=3),
            "location": "Auditorium, Headquarters",
            "capacity": 200,
        },
    )
    stdout.write(
        f"  {len(skills)} skills, {len(roles)} roles with paths, {len(resources)} learning "
        f"resources, {Event.objects.count()} events"
    )
