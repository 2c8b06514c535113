"""Generated detail lines already on agendas, stored as text in the language of whoever filled
the agenda (SIP progress, the satisfaction trend, a simulation's headline), become their kinds
with parameters when every line is recognised in either language, so they read in each
reader's language and number format. Typed text and lines not recognised stay as they are."""

from django.db import migrations


def forwards(apps, schema_editor):
    from meetings.stored_texts import RECOGNISERS, converted_parts

    AgendaItem = apps.get_model("meetings", "AgendaItem")
    changed = []
    rows = AgendaItem.objects.filter(source__in=list(RECOGNISERS)).only(
        "pk", "source", "detail", "detail_parts"
    )
    for item in rows.iterator(chunk_size=500):
        parts = converted_parts(item.source, item.detail, item.detail_parts or [])
        if parts is not None:
            item.detail_parts = parts
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["detail_parts"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0011_reporting_agenda_source")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
