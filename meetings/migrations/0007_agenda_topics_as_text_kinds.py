"""Standard topics already on agendas, in either language's default wording, become the
"meetings.topic" kind, so they read in each reader's language. Typed items stay as typed; data
items get their kind the next time the agenda is filled."""

from django.db import migrations


def forwards(apps, schema_editor):
    from meetings.agenda_order import topic_msgid

    AgendaItem = apps.get_model("meetings", "AgendaItem")
    changed = []
    for item in AgendaItem.objects.filter(source="template", text_key="").only("pk", "title"):
        msgid = topic_msgid(item.title)
        if msgid is not None:
            item.text_key = "meetings.topic"
            item.text_params = {"topic": msgid}
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["text_key", "text_params"], batch_size=500)


def backwards(apps, schema_editor):
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    AgendaItem.objects.filter(text_key="meetings.topic").update(text_key="", text_params={})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_agenda_text_kinds")]
    operations = [migrations.RunPython(forwards, backwards)]
