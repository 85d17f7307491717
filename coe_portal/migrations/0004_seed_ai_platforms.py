"""A first catalog of AI platforms so intake has something to choose from on day one."""

from django.db import migrations

PLATFORMS = [
    ("Azure OpenAI Service (company tenant)", "Microsoft", "approved", "confidential",
     "GPT-family models in the company's own Azure tenant; no training on our data."),
    ("Microsoft 365 Copilot", "Microsoft", "approved", "confidential",
     "Assistant inside Office, Teams and Outlook, respecting existing permissions."),
    ("Amazon Bedrock (company account)", "AWS", "approved", "confidential",
     "Claude, Llama, Mistral and Titan models through the company's AWS account."),
    ("Google Vertex AI (company project)", "Google", "under_evaluation", "internal",
     "Gemini models; security review in progress."),
    ("GitHub Copilot Business", "GitHub", "approved", "internal",
     "Code assistance in the IDE; no code retention."),
    ("Self-hosted open-weight model", "Internal", "under_evaluation", "restricted",
     "Open-weight models on the company's own GPU cluster."),
    ("Public consumer chatbots", "Various", "not_approved", "public",
     "Free consumer chat services; never for company data."),
]  # fmt: skip


def forwards(apps, schema_editor):
    AIPlatform = apps.get_model("coe_portal", "AIPlatform")
    for name, vendor, status, sensitivity, description in PLATFORMS:
        AIPlatform.objects.get_or_create(
            name=name,
            defaults={"vendor": vendor, "status": status, "max_data_sensitivity": sensitivity,
                      "description": description},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("coe_portal", "0003_ai_platforms")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
