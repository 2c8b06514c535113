"""The reason a run or an exercise report failed because the job queue was down was stored in
the language of whoever started it; it becomes its msgid, read in each reader's language. Errors
raised by the engine stay as written."""

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

REASONS = {
    "SimulationRun": "The job queue is unavailable; start the run again later.",
    "ExerciseReport": "The job queue is unavailable; ask for the report again later.",
}


def forwards(apps, schema_editor):
    for model_name, msgid in REASONS.items():
        model = apps.get_model("simulations", model_name)
        written = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                written.add(gettext(msgid))
        written.discard(msgid)
        model.objects.filter(error__in=written).update(error=msgid)


class Migration(migrations.Migration):
    dependencies = [("simulations", "0007_lesson_repeats")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
