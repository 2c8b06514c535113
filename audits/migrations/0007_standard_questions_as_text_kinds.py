"""Standard checklist questions already stored (their source key names them) become their
registered kind, so they read in each reader's language. Questions derived from the contract
(expectations, service levels, procedures) keep their stored text; an auditor's own questions
stay as typed."""

from django.db import migrations

STANDARD_KEYS = (
    "known",
    "followed",
    "chafes",
    "competence",
    "internal_audit",
    "corrective",
    "escalation",
    "documented",
)


def forwards(apps, schema_editor):
    ChecklistItem = apps.get_model("audits", "ChecklistItem")
    for key in STANDARD_KEYS:
        ChecklistItem.objects.filter(source="standard", source_key=f"standard:{key}").update(
            text_key=f"audits.standard.{key}", text_params={}
        )


def backwards(apps, schema_editor):
    ChecklistItem = apps.get_model("audits", "ChecklistItem")
    ChecklistItem.objects.filter(text_key__startswith="audits.standard.").update(
        text_key="", text_params={}
    )


class Migration(migrations.Migration):
    dependencies = [("audits", "0006_checklist_text_kinds")]
    operations = [migrations.RunPython(forwards, backwards)]
