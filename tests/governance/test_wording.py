"""Wording on the pages: no Django English in Dutch selects, every overview tile a link, plural
forms instead of "(s)", and the formal "u" in Dutch."""

import json
import re
from datetime import date
from pathlib import Path

import polib
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from complaints.forms import ComplaintForm, ExtensionForm
from contracts.models import Service
from governance.platform.forms import BLANK_CHOICE_LABEL

ROOT = Path(__file__).resolve().parent.parent.parent
CATALOG = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.IGNORECASE)


def test_public_complaint_kind_has_its_own_empty_choice(world):
    with translation.override("nl"), scopes_disabled():
        html = str(ComplaintForm(organisation=world.alpha)["category"])
    assert "Select an option" not in html
    assert '<option value="" selected>' in html


def test_extension_case_service_has_its_own_empty_choice(world):
    with translation.override("nl"), scopes_disabled():
        services = Service.objects.filter(organisation=world.alpha)
        html = str(ExtensionForm(services=services, today=date(2026, 12, 7))["service"])
    assert "Select an option" not in html


def test_djangos_empty_choice_label_is_in_our_sources():
    # makemessages then puts it in our catalogue, where Django's own Dutch lacks it.
    assert str(BLANK_CHOICE_LABEL) in {"- Select an option -", "- Kies een optie -"}
    source = (ROOT / "governance" / "platform" / "forms.py").read_text()
    assert '_("- Select an option -")' in source


def test_every_tile_on_the_organisation_home_is_a_link(world, client_as):
    html = (
        client_as(world.alice)
        .get(reverse("organisation_home", kwargs={"org_slug": "alpha"}))
        .content.decode()
    )
    tiles = html.split('data-testid="tiles">', 1)[1].split("</section>", 1)[0]
    headers = re.findall(r"<header>(.*?)</header>", tiles, re.S)
    assert len(headers) == 7  # with the complaints and audit findings tiles of the cockpit
    assert all(h.strip().startswith("<a href=") for h in headers), headers


def test_gap_reasons_use_plural_forms():
    from kto.gaps.reasons import Phrasebook

    with translation.override("en"):
        book = Phrasebook()
    assert "(s)" not in json.dumps(book.text)
    one, many = book.text["all_met"]
    assert "its %(count)d service level met" in one and "all %(count)d service levels" in many


def test_dutch_is_formal_everywhere():
    """Every Dutch text addresses the reader with "u", never "je", "jij" or "jouw"."""
    informal = [
        entry.msgid
        for entry in polib.pofile(str(CATALOG))
        if not entry.obsolete
        and any(INFORMAL.search(t) for t in [entry.msgstr, *entry.msgstr_plural.values()])
    ]
    assert informal == []
