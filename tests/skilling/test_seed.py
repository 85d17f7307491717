"""The taxonomy from the data migration, the demo data, and the include for proposals."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import timezone

from skilling.choices import RegistrationStatus
from skilling.models import (
    AdoptionRole,
    Enrolment,
    Event,
    EventRegistration,
    LearnerProfile,
    LearningResource,
    Skill,
)
from skilling.taxonomy import ROLES, SKILLS
from tests.demo_data import seed_demo

pytestmark = pytest.mark.django_db


def test_a_fresh_portal_has_the_taxonomy_and_a_path_per_role():
    assert set(Skill.objects.values_list("slug", flat=True)) >= {s[0] for s in SKILLS}
    assert {"prompting", "rag", "evaluation", "responsible-ai", "data-privacy", "ai-security",
            "change-management"} <= set(Skill.objects.values_list("slug", flat=True))  # fmt: skip
    for slug, *_ in ROLES:
        role = AdoptionRole.objects.get(slug=slug)
        assert role.requirements.exists()
        assert hasattr(role, "path")


def test_demo_is_realistic_and_safe_to_run_twice():
    seed_demo()
    counts = [
        m.objects.count()
        for m in (LearningResource, Event, EventRegistration, Enrolment, LearnerProfile)
    ]
    seed_demo()
    assert [
        m.objects.count()
        for m in (LearningResource, Event, EventRegistration, Enrolment, LearnerProfile)
    ] == counts

    resources = LearningResource.objects.all()
    assert resources.count() >= 25
    assert len({r.kind for r in resources}) == 6
    assert {r.level for r in resources} == {1, 2, 3}
    assert resources.filter(status="retired").exists()
    for role in AdoptionRole.objects.all():
        assert role.path.steps.count() >= 4, role

    full = [
        e
        for e in Event.objects.filter(starts_at__gt=timezone.now())
        if e.registrations.filter(status=RegistrationStatus.CONFIRMED).count() == e.capacity
    ]
    assert full and full[0].registrations.filter(status=RegistrationStatus.WAITLISTED).exists()
    assert not full[0].registrations.filter(user__username="employee").exists()
    assert LearnerProfile.objects.get(user__username="employee").target_role.slug == "power-user"


def render(slugs):
    template = Template(
        '{% include "skilling/includes/role_paths_for.html" with role_slugs=slugs %}'
    )
    return template.render(Context({"slugs": slugs}))


@pytest.mark.parametrize(
    "slugs", [["llm-engineer", "data-steward", "nope"], "llm-engineer, data-steward,nope"]
)
def test_role_paths_include_links_the_roles_a_team_lacks(slugs):
    html = render(slugs)
    assert '<a href="/learning/roles/llm-engineer/">LLM engineer</a>' in html
    assert '<a href="/learning/roles/data-steward/">Data steward</a>' in html
    assert html.index("LLM engineer") < html.index("Data steward")  # in the order given
    assert "nope" not in html


def test_role_paths_include_renders_nothing_without_roles():
    assert render([]).strip() == ""
    assert render(["unknown"]).strip() == ""


def test_every_skilling_model_is_in_the_django_admin(admin_client):
    from django.apps import apps
    from django.contrib import admin

    for model in apps.get_app_config("skilling").get_models():
        assert admin.site.is_registered(model), model
        opts = model._meta
        url = f"/admin/{opts.app_label}/{opts.model_name}/"
        assert admin_client.get(url).status_code == 200, url


def test_django_admin_event_edit_moves_the_waiting_list_up(admin_client, employee, colleague):
    from skilling import events as event_logic
    from tests.skilling.factories import EventFactory

    event = EventFactory(capacity=1)
    event_logic.register_for_event(event.pk, actor=employee)
    event_logic.register_for_event(event.pk, actor=colleague)
    url = f"/admin/skilling/event/{event.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get("/admin/skilling/event/add/").status_code == 200

    local = timezone.localtime(event.starts_at)
    response = admin_client.post(
        url,
        {
            "title": event.title, "kind": event.kind, "description": "",
            "starts_at_0": local.strftime("%Y-%m-%d"),
            "starts_at_1": local.strftime("%H:%M:%S"),
            "ends_at_0": timezone.localtime(event.ends_at).strftime("%Y-%m-%d"),
            "ends_at_1": timezone.localtime(event.ends_at).strftime("%H:%M:%S"),
            "location": "Room 1", "online_url": "", "capacity": 2, "resource": "",
            "status": "scheduled",
            "registrations-TOTAL_FORMS": 0, "registrations-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 302, [str(e) for e in response.context["errors"]]
    assert EventRegistration.objects.get(user=colleague).status == RegistrationStatus.CONFIRMED
