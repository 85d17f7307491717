"""Seed the generative-AI skills taxonomy and the roles adoption needs, with an empty
learning path per role, so a fresh portal has them before any demo data."""

from django.db import migrations

from skilling.taxonomy import seed_taxonomy


def forwards(apps, schema_editor):
    Skill = apps.get_model("skilling", "Skill")
    AdoptionRole = apps.get_model("skilling", "AdoptionRole")
    RoleSkill = apps.get_model("skilling", "RoleSkill")
    LearningPath = apps.get_model("skilling", "LearningPath")
    seed_taxonomy(Skill, AdoptionRole, RoleSkill)
    for role in AdoptionRole.objects.all():
        LearningPath.objects.get_or_create(role=role)


class Migration(migrations.Migration):
    dependencies = [("skilling", "0001_initial")]

    # Backwards keeps the rows: by then admins may have edited them and people hold roles.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
