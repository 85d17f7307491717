"""The seeded 'How the CoE works' page describes the three operating models as they now
work (issue 18): who reviews and who decides, with an example each. Only a page still
carrying the seeded paragraph word for word is changed; one a CoE admin has rewritten is
left alone."""

from django.db import migrations

OLD = """The operating model (centralized, federated or hybrid) decides who reviews what. In a
**centralized** model CoE reviewers review everything; in a **federated** model department
champions review minimal- and limited-risk proposals of their own department; in a **hybrid**
model champions triage and the CoE decides.
"""

NEW = """The operating model (centralized, federated or hybrid) decides who reviews and who decides
what. In a **centralized** model the CoE reviews and decides everything: a minimal-risk
chatbot in Finance is reviewed and decided by a CoE reviewer. In a **federated** model
department champions review and decide the minimal- and limited-risk proposals of their own
department and the CoE takes high risk: Finance's champion reviews and decides a
limited-risk chatbot in Finance. In a **hybrid** model the CoE sets policy and decides, and
champions review their department's minimal- and limited-risk proposals and decide minimal
risk alone: Finance's champion reviews and decides a minimal-risk chatbot in Finance, and
reviews a limited-risk one that a CoE reviewer then decides. A department with no champion
has its champions' work done by the CoE. Approved use cases are re-reviewed on a schedule,
routed the same way, and their owners are told when a re-review opens.
"""


def _replace(apps, old: str, new: str) -> None:
    PortalSettings = apps.get_model("coe_portal", "PortalSettings")
    for row in PortalSettings.objects.filter(how_it_works__contains=old):
        row.how_it_works = row.how_it_works.replace(old, new, 1)
        row.save(update_fields=["how_it_works"])


def forwards(apps, schema_editor):
    _replace(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _replace(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("coe_portal", "0013_sign_in_sweep_schedule")]

    operations = [migrations.RunPython(forwards, backwards)]
