"""Generated detail lines of agenda items (SIP progress, the satisfaction trend, a simulation's
headline) are stored as kinds with their figures and read in the reader's language and number
format: the same stored row reads English to an English reader and Dutch to a Dutch one, on the
page and in the PDF; lines stored as text before are recognised and converted."""

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pypdf
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from governance.platform.access import system_access
from meetings import documents, services, stored_texts
from meetings.models import AgendaItem, MeetingDocument, Source
from meetings.selectors import Progress, Track
from simulations.models import SimulationRun
from simulations.reports import run_headline_said

MINUS = "\u2212"

SIP_EN = (
    f"SLA: start 92.69, current 67.61, change {MINUS}25.08, target 95.00\n"
    "Perception: baseline 3.20, no later measurement yet"
)
SIP_NL = (
    f"SLA: start 92,69, nu 67,61, verandering {MINUS}25,08, doel 95,00\n"
    "Beleving: nulmeting 3,20, nog geen latere meting"
)
KTO_EN = f"Reliability: 3.40 ({MINUS}0.20) — End users 3.10, Business 3.90"
KTO_NL = f"Betrouwbaarheid: 3,40 ({MINUS}0,20) — Eindgebruikers 3,10, Opdrachtgever (business) 3,90"
HEADLINE_EN = (
    "Current chain: Service desk: 78.2 % within 20.0 s (target 80.0 %: missed); "
    "bottleneck Second line at 91.0 %; 1,234 unreachable contacts a week."
)
HEADLINE_NL = (
    "Huidige keten: Service desk: 78,2 % binnen 20,0 s (norm 80,0 %: niet gehaald); "
    "bottleneck Second line op 91,0 %; 1.234 onbereikbare contacten per week."
)


def sip_progress():
    return Progress(
        sla=Track(
            baseline=Decimal("92.69"),
            target=Decimal("95"),
            points=[(date(2026, 11, 1), Decimal("67.61"))],
        ),
        perception=Track(baseline=Decimal("3.2"), target=Decimal("3.8")),
    )


def finished_run():
    """A finished run of the current chain, as the engine leaves it (no contract levels)."""
    step = {
        "key": "desk",
        "name": "Service desk",
        "service_level": {"mean": 0.782},
        "within": 20.0,
        "target_share": 0.8,
        "attainment": "missed",
        "utilisation": {"mean": 0.70},
    }
    second = step | {"key": "second", "name": "Second line", "utilisation": {"mean": 0.91}}
    return SimpleNamespace(
        status=SimulationRun.Status.SUCCEEDED,
        results={
            "steps": [step, second],
            "bottleneck": "second",
            "unreachable_per_week": {"mean": 1233.6},
        },
        model={},
        is_current_chain=True,
        label="Huidige keten",
    )


def in_both(render):
    with translation.override("en"):
        english = render()
    with translation.override("nl"):
        dutch = render()
    return english, dutch


def test_sip_progress_reads_in_each_readers_language_and_number_format():
    lines = sip_progress().said_lines()
    assert in_both(lambda: "\n".join(str(line) for line in lines)) == (SIP_EN, SIP_NL)


def test_simulation_headline_reads_in_each_readers_language_and_number_format():
    said = run_headline_said(finished_run())
    assert in_both(lambda: str(said)) == (HEADLINE_EN, HEADLINE_NL)


def test_old_dutch_lines_are_recognised_and_then_read_english():
    # As a Dutch organisation's agenda stored them before: the "92.69 … -25.08".
    old_sip = (
        "SLA: start 92.69, nu 67.61, verandering -25.08, doel 95.00\n"
        "Beleving: nulmeting 3.20, nog geen latere meting"
    )
    old_kto = "Betrouwbaarheid: 3.40 (-0.20) — Eindgebruikers 3.10, Opdrachtgever (business) 3.90"
    parts = {
        "sip": stored_texts.converted_parts("sip", old_sip, []),
        "kto": stored_texts.converted_parts("kto_trend", "", [{"t": old_kto}]),
        "simulation": stored_texts.converted_parts(
            "simulation",
            "",
            [{"t": HEADLINE_NL}, {"k": "meetings.simulated_on", "p": {"date": "2026-11-02"}}],
        ),
    }
    item = AgendaItem(title="x")
    rendered = {}
    for name, stored in parts.items():
        item.detail_parts = stored
        rendered[name] = in_both(lambda: item.display_detail)
    assert rendered["sip"] == (SIP_EN, SIP_NL)
    assert rendered["kto"] == (KTO_EN, KTO_NL)
    assert rendered["simulation"] == (
        HEADLINE_EN + "\nSimulated on 2026-11-02.",
        HEADLINE_NL + "\nGesimuleerd op 2026-11-02.",
    )


def test_an_english_prediction_headline_is_recognised():
    text = (
        "Scenario B: SD-ANSWER (Service desk): 78.2 % predicted against 80.0 % in force: "
        "uncertain; bottleneck Second line at 91.0 %; 0 unreachable contacts a week."
    )
    said = stored_texts.headline(text)
    with translation.override("nl"):
        assert str(said) == (
            "Scenario B: SD-ANSWER (Service desk): 78,2 % voorspeld tegen de geldende norm van "
            "80,0 %: onzeker; bottleneck Second line op 91,0 %; 0 onbereikbare contacten per week."
        )


def test_typed_text_and_unrecognised_lines_stay_as_they_are():
    assert stored_texts.converted_parts("manual", "SLA: start 1.00", []) is None
    assert stored_texts.converted_parts("sip", "Bespreken met de leverancier", []) is None
    assert stored_texts.converted_parts("kto_trend", "Onbekend: 3.40", []) is None
    # Already stored as kinds: nothing to convert.
    kinds = [{"k": "meetings.simulated_on", "p": {"date": "2026-11-02"}}]
    assert stored_texts.converted_parts("simulation", "", kinds) is None


def agenda_with_generated_details(world):
    """One stored meeting with the three items as the agenda generation stores them."""
    with scopes_disabled():
        series = services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier="tactical",
            title="Tactisch overleg",
        )
        meeting = services.meeting_schedule(
            series=series, starts_at=datetime(2026, 12, 9, 9, tzinfo=UTC)
        )
        details = {
            Source.SIP: sip_progress().said_lines(),
            Source.SIMULATION: [run_headline_said(finished_run())],
            Source.KTO_TREND: [stored_texts.kto_line(KTO_EN)],
        }
        for position, (source, lines) in enumerate(details.items(), start=1):
            with translation.override("nl"):  # generated by a Dutch user
                parts = [line.stored() for line in lines]
            AgendaItem.objects.create(
                organisation=world.alpha,
                meeting=meeting,
                position=position * 10,
                title=f"Punt {position}",
                detail="\n".join(p["t"] for p in parts),
                detail_parts=parts,
                source=source,
                key=f"{source}:1",
            )
    return meeting


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_meeting_page_shows_the_generated_details_in_the_readers_language(world, client_as):
    meeting = agenda_with_generated_details(world)
    client = client_as(world.alice)
    url = reverse("meetings:meeting_detail", args=["alpha", meeting.pk])
    pages = {}
    for language in ("en", "nl"):
        body = client.get(url, headers={"accept-language": language}).content.decode()
        # The agenda only: the History section quotes the stored (Dutch) fallback text.
        agenda = body.split('data-testid="agenda"')[1].split("</ol>")[0]
        pages[language] = plain(agenda.replace("<br>", " "))
    for english, dutch in ((SIP_EN, SIP_NL), (KTO_EN, KTO_NL), (HEADLINE_EN, HEADLINE_NL)):
        for line_en, line_nl in zip(english.split("\n"), dutch.split("\n"), strict=True):
            assert line_en in pages["en"] and line_nl not in pages["en"]
            assert line_nl in pages["nl"] and line_en not in pages["nl"]


def test_agenda_pdf_prints_the_generated_details_in_its_language(world):
    meeting = agenda_with_generated_details(world)
    texts = {}
    for language in ("en", "nl"):
        world.alpha.default_language = language
        world.alpha.save()
        with scopes_disabled():
            document = MeetingDocument(
                organisation=world.alpha,
                meeting=meeting,
                kind=MeetingDocument.Kind.AGENDA,
                audience=MeetingDocument.Audience.CLIENT,
            )
            pdf, _pages = documents.render(document=document)
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        texts[language] = plain(" ".join(page.extract_text() for page in reader.pages))
    assert "SLA: start 92.69, current 67.61, change −25.08, target 95.00" in texts["en"]
    assert "Reliability: 3.40 (−0.20) — End users 3.10, Business 3.90" in texts["en"]
    assert "bottleneck Second line at 91.0 %" in texts["en"]
    assert "SLA: start 92,69, nu 67,61, verandering −25,08, doel 95,00" in texts["nl"]
    assert "Beleving: nulmeting 3,20, nog geen latere meting" in texts["nl"]
    assert "bottleneck Second line op 91,0 %" in texts["nl"]
    assert "current 67.61" not in texts["nl"] and "nu 67,61" not in texts["en"]


def test_the_migration_converts_stored_rows_and_leaves_typed_ones(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("meetings.migrations.0012_generated_detail_as_text_kinds")
    meeting = agenda_with_generated_details(world)
    old = "SLA: start 92.69, nu 67.61, verandering -25.08, doel 95.00"
    with scopes_disabled():
        generated = meeting.items.get(source=Source.SIP)
        AgendaItem.objects.filter(pk=generated.pk).update(detail=old, detail_parts=[])
        typed = AgendaItem.objects.create(
            organisation=world.alpha,
            meeting=meeting,
            position=90,
            title="Rondvraag",
            detail="SLA: start 92.69, nu 67.61",
            source=Source.MANUAL,
        )
        migration.forwards(apps, None)
        generated.refresh_from_db()
        typed.refresh_from_db()
    assert [p["k"] for p in generated.detail_parts] == ["meetings.sip_line"]
    with translation.override("en"):
        assert generated.display_detail == (
            f"SLA: start 92.69, current 67.61, change {MINUS}25.08, target 95.00"
        )
    assert typed.detail_parts == []
