"""Generated agenda text is stored as its kind and parameters and read in the reader's
language: an agenda filled in Dutch reads English to an English reader, with no sentence
mixing the two, on the page, in the API and in the PDF."""

import re

from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from governance.platform import texts
from meetings import documents
from meetings.models import MeetingDocument, Source, Tier, default_template
from tests.meetings.test_agenda import generated_keys
from tests.meetings.test_agenda import seeded as seeded  # noqa: F401 - fixture

DUTCH_WORDS = re.compile(
    r"\b(Opening en agenda|Notulen|Rondvraag|Sluiting|Auditbevinding|prioriteit|Klachtentrend|"
    r"Verbetervoorstel|betwist|klachten in zes maanden|afwijking|ernstige)\b",
    re.IGNORECASE,
)


def dutch_agenda(seeded, world, tier=Tier.TACTICAL):
    world.alpha.default_language = "nl"
    world.alpha.save()
    series = seeded.series[tier]
    with translation.override("nl"), scopes_disabled():
        series.agenda_template = default_template(tier)  # as a Dutch organisation gets it
        series.save()
    _keys, meeting = generated_keys(series)
    return meeting


def test_dutch_generated_agenda_reads_english_to_an_english_reader(seeded, world, client_as):
    meeting = dutch_agenda(seeded, world)
    with scopes_disabled():
        finding = meeting.items.get(source=Source.AUDIT_FINDING)
        closing = meeting.items.order_by("position").last()
    # Stored in the generator's (Dutch) language as the fallback, with the kind beside it.
    assert finding.title.startswith("Auditbevinding")
    assert finding.text_key == "meetings.audit_finding"
    assert finding.text_params["grade"] == "Major nonconformity"
    assert closing.title == "Sluiting"
    assert (closing.text_key, closing.text_params) == ("meetings.topic", {"topic": "Closing"})
    with translation.override("nl"):
        assert closing.display_title == "Sluiting"
    with translation.override("en"):
        assert finding.display_title == (
            f"Audit finding (major nonconformity, priority –): {seeded.audit.finding.title}"
        )
        assert closing.display_title == "Closing"
    body = (
        client_as(world.alice)
        .get(
            reverse("meetings:meeting_detail", args=["alpha", meeting.pk]),
            headers={"accept-language": "en"},
        )
        .content.decode()
    )
    agenda = body.split('data-testid="agenda"')[1].split("</ol>")[0]
    titles = re.findall(r'class="agenda-number">[\d.]+\.</span> ([^<]+)</strong>', agenda)
    assert titles[0] == "Opening and agenda"
    assert titles[-1] == "Closing"
    assert "Audit finding (major nonconformity, priority –): " in " ".join(titles)
    assert [t for t in titles if DUTCH_WORDS.search(t)] == []


def test_the_same_agenda_reads_dutch_to_a_dutch_reader_and_in_the_api(seeded, world, client_as):
    meeting = dutch_agenda(seeded, world)
    client = client_as(world.alice)
    api = reverse("api:agenda-item-list", kwargs={"org_slug": "alpha"})
    english = client.get(api, {"meeting": meeting.pk}, headers={"accept-language": "en"}).json()
    dutch = client.get(api, {"meeting": meeting.pk}, headers={"accept-language": "nl"}).json()
    rows = english["results"] if isinstance(english, dict) else english
    nl_rows = dutch["results"] if isinstance(dutch, dict) else dutch
    assert "Closing" in [r["title"] for r in rows]
    assert "Sluiting" in [r["title"] for r in nl_rows]
    assert [r["title"] for r in rows if DUTCH_WORDS.search(r["title"])] == []


def test_pdf_agenda_follows_the_readers_language(seeded, world):
    meeting = dutch_agenda(seeded, world)
    with scopes_disabled():
        document = MeetingDocument(
            organisation=world.alpha,
            meeting=meeting,
            kind=MeetingDocument.Kind.AGENDA,
            audience=MeetingDocument.Audience.CLIENT,
        )
        context = documents.context_for(document)
    with translation.override("en"):
        english = [i.display_title for i in context["items"]]
    assert english[-1] == "Closing"
    assert [t for t in english if DUTCH_WORDS.search(t)] == []


def test_escalated_title_nests_the_lower_items_sentence():
    said = texts.Said(
        "meetings.escalated",
        {
            "series": "A-1 operational",
            "title": {
                "k": "meetings.sla_missed",
                "p": {
                    "code": "AVAIL",
                    "state": "Missed",
                    "period": "2026-09",
                    "value": "97",
                    "target": "99.5",
                },
                "t": "AVAIL gemist in 2026-09: 97 tegen norm 99.5",
            },
        },
    )
    with translation.override("en"):
        assert (
            str(said)
            == "Escalated from A-1 operational: AVAIL missed in 2026-09: 97 against target 99.5"
        )


def test_typed_text_and_unknown_kinds_stay_as_written():
    assert texts.render("", {}, "Kerstborrel") == "Kerstborrel"
    assert texts.render("meetings.gone", {"x": 1}, "Oude tekst") == "Oude tekst"
