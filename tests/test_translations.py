from pathlib import Path

import polib

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_dutch_catalog_is_complete():
    catalog = polib.pofile(str(CATALOG))
    assert [e.msgid for e in catalog if not e.translated() or e.obsolete] == []
    assert len(catalog) > 100
