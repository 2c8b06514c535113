"""An assignment to nobody was stored as "nobody" in the language of whoever clicked; it is
stored without text now and the page says "nobody" in the reader's language. A person or a
supplier named "niemand" is unlikely, but only the exact stored word is touched."""

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext


def forwards(apps, schema_editor):
    ComplaintEvent = apps.get_model("complaints", "ComplaintEvent")
    written = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            written.add(gettext("nobody"))
    ComplaintEvent.objects.filter(kind="assigned", text__in=written).update(text="")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0006_list_order_indexes")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
