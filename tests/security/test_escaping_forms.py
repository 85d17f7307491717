"""Typed text shown back where it is edited: every app's edit forms and the Django admin.

An edit form puts saved text into ``value="…"`` attributes and ``<textarea>`` bodies, and
a form with an error puts back what was just posted: the places an attribute break-out
(``"><img onerror>``) or a ``</textarea><script>`` would run. Built on the world of
test_escaping.py (payloads in every field the pages show), plus the objects only the
editors and the admin show.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from coe_portal.models import AIPlatform, PortalSettings
from metrics import readiness
from tests.factories import ReadinessAssessmentFactory, UseCaseFactory, UserFactory
from tests.security.test_escaping import unescaped
from tests.security.test_escaping import world as escaping_world  # noqa: F401 (fixture)
from tests.skilling.factories import AdoptionRoleFactory, SkillFactory, path_for
from usecases.models import Attachment, ImportMapping

# Breaks out of an attribute and out of a textarea; what must come back is its escaped form.
FORM_PAYLOAD = '"><img src=x onerror=alert(1)></textarea><script>alert(1)</script>'
SHOWN_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def typed(field: str) -> str:
    return f"{FORM_PAYLOAD}{field}"


@pytest.fixture
def world(escaping_world):  # noqa: F811 (the imported fixture, extended)
    w = dict(escaping_world)
    owner = w["owner"]
    texts = {
        f: typed(f)
        for f in ("title", "problem", "solution", "benefits", "success_measure", "data_used",
                  "business_sponsor", "intended_users", "platform_other")
    }  # fmt: skip
    w["draft"] = UseCaseFactory(owner=owner, **texts)
    w["platform"] = AIPlatform.objects.create(
        name=typed("platform"), vendor=typed("vendor"), description=typed("description")
    )
    page = PortalSettings.load()
    page.how_it_works = typed("how-it-works")
    page.save()
    w["skill"] = SkillFactory(name=typed("skill"), description=typed("skill-description"))
    w["role"] = AdoptionRoleFactory(
        name=typed("role"), summary=typed("summary"), responsibilities=typed("duties")
    )
    path = path_for(w["role"], [w["resource"]])
    path.summary = typed("path")
    path.save()
    path.steps.update(note=typed("step"))
    year, quarter = readiness.current_quarter()
    w["draft_assessment"] = ReadinessAssessmentFactory(
        department=w["finance"], year=year, quarter=quarter, status="draft", submitted_at=None
    )
    w["draft_assessment"].answers = {
        code: {"score": 2, "evidence": typed("evidence")} for code in w["draft_assessment"].answers
    }
    w["draft_assessment"].save()
    Attachment.objects.create(
        use_case=w["proposal"], original_name=typed("file.pdf"), content_type="application/pdf",
        size=1, file="attachments/x.pdf", uploaded_by=owner,
    )  # fmt: skip
    ImportMapping.objects.create(name=typed("mapping"), columns={})
    w["report"].error = typed("error")
    w["report"].save()
    w["superuser"] = UserFactory(
        username="root", is_staff=True, is_superuser=True, first_name=typed("root")
    )
    return w


# (who asks, URL name, kwargs from the world): forms showing saved text
EDIT_FORMS = [
    ("owner", "usecases:usecase_edit", "draft"),
    ("admin", "how_it_works_edit", None),
    ("admin", "governance:criterion_edit", "criterion"),
    ("admin", "governance:platform_edit", "platform"),
    ("admin", "skilling:resource_edit", "resource"),
    ("admin", "skilling:event_edit", "event"),
    ("admin", "skilling:skill_edit", "skill"),
    ("admin", "skilling:role_edit", "role"),
    ("admin", "skilling:path_edit", "role"),
    ("champion", "metrics:assess", "finance"),
]


def _kwargs(world, key):
    if key is None:
        return {}
    if key == "finance":
        return {"code": world["finance"].code}
    if key == "role":
        return {"slug": world["role"].slug}
    if key == "criterion":
        return {"pk": world["review"].answers.get().criterion_id}
    return {"pk": world[key].pk}


def _problems(label: str, response) -> list[str]:
    if response.status_code != 200:
        return [f"{label}: {response.status_code}"]
    body = response.content.decode()
    found = unescaped(body)
    if SHOWN_ESCAPED not in body:
        found.append("the typed text is not there (escaped) to check")
    return [f"{label}: {', '.join(found)}"] if found else []


def test_edit_forms_show_saved_text_escaped(client, world):
    problems = []
    for who, name, key in EDIT_FORMS:
        client.force_login(world[who])
        response = client.get(reverse(name, kwargs=_kwargs(world, key)), secure=True)
        problems += _problems(f"{name} as {who}", response)
    assert not problems, "\n".join(problems)


# (who posts, URL name, kwargs, data): forms that come back with an error keep the posted
# text; each post misses or spoils one required field so that the form comes back.
POSTED_FORMS = [
    ("owner", "usecases:usecase_create", None,
     {"title": typed("title"), "problem": typed("problem"), "reach": "many"}),
    ("owner", "usecases:usecase_edit", "draft",
     {"title": typed("title"), "solution": typed("solution"), "hours_saved_per_month": "-1"}),
    ("admin", "governance:criterion_new", None,
     {"code": "X-1", "text": typed("text"), "guidance": typed("guidance")}),
    ("admin", "governance:platform_new", None,
     {"name": typed("name"), "vendor": typed("vendor"), "description": typed("description")}),
    ("admin", "skilling:resource_create", None,
     {"title": typed("title"), "description": typed("description"),
      "provider_name": typed("provider")}),
    ("admin", "skilling:event_create", None,
     {"title": typed("title"), "description": typed("description"),
      "location": typed("location")}),
    ("admin", "skilling:skill_create", None,
     {"name": typed("name"), "description": typed("description")}),
    ("admin", "skilling:role_create", None,
     {"name": typed("name"), "summary": typed("summary"), "responsibilities": typed("duties")}),
    ("champion", "metrics:assess", "finance",
     {f"{code}__evidence": typed("evidence") for code in readiness.QUESTIONS}
     | {f"{next(iter(readiness.QUESTIONS))}__score": "11"}),
]  # fmt: skip


def test_forms_with_errors_show_posted_text_escaped(client, world):
    problems = []
    for who, name, key, data in POSTED_FORMS:
        client.force_login(world[who])
        url = reverse(name, kwargs=_kwargs(world, key))
        response = client.post(url, data, secure=True)
        problems += _problems(f"POST {name} as {who}", response)
    assert not problems, "\n".join(problems)


OUR_APPS = {"coe_portal", "usecases", "governance", "skilling", "metrics"}


def _admin_models():
    return [model for model in admin.site._registry if model._meta.app_label in OUR_APPS]


def test_admin_change_lists_and_forms_show_typed_text_escaped(client, world):
    """Every model of the portal in the admin: its change list (also searched for the
    payload, which the search box shows back) and the change form of its rows."""
    client.force_login(world["superuser"])
    problems = []
    shown = 0
    for model in _admin_models():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        queries = [{}]
        if admin.site._registry[model].search_fields:
            queries.append({"q": FORM_PAYLOAD})
        for query in queries:
            response = client.get(changelist, query, secure=True)
            label = f"{opts.label} change list {query or ''}"
            if response.status_code != 200:
                problems.append(f"{label}: {response.status_code}")
            elif found := unescaped(response.content.decode()):
                problems.append(f"{label}: {', '.join(found)}")
        for obj in model._default_manager.all()[:20]:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            response = client.get(url, secure=True)
            label = f"{opts.label} change form #{obj.pk}"
            if response.status_code != 200:
                problems.append(f"{label}: {response.status_code}")
                continue
            body = response.content.decode()
            if found := unescaped(body):
                problems.append(f"{label}: {', '.join(found)}")
            shown += "&lt;script&gt;alert(1)" in body
    assert not problems, "\n".join(problems)
    assert shown >= 15, "the payloads were shown (escaped) on the change forms"


def test_the_admin_covers_the_models_with_typed_text(world):
    """The test above walks the admin's registry; a model people type into that is not
    registered there is not in the admin at all (so it cannot be shown there)."""
    assert {m._meta.label for m in _admin_models()} >= {
        "coe_portal.User", "coe_portal.Department", "coe_portal.AIPlatform",
        "usecases.UseCase", "usecases.Comment", "governance.Criterion", "governance.Review",
        "skilling.LearningResource", "skilling.Event", "skilling.Skill", "skilling.AdoptionRole",
    }  # fmt: skip
