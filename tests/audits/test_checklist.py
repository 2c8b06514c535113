import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from audits import services
from audits.models import Level
from tests.audits.helpers import TODAY, agreed_way_of_working, supplier


def _audit(world, level):
    with scopes_disabled():
        agreed_way_of_working(world.alpha_contract)
        return services.audit_create(
            access=supplier(world),
            contract=world.alpha_contract,
            title="Q4",
            planned_date=TODAY,
            level=level,
        )


def test_checklist_reflects_expectations_service_levels_and_procedures(world):
    audit = _audit(world, Level.STAFF)
    with scopes_disabled(), translation.override("en"):
        world.alpha.default_language = "en"
        world.alpha.save()
        audit.refresh_from_db()
        added = services.checklist_generate(access=supplier(world), audit=audit, today=TODAY)
        items = list(audit.checklist.order_by("position"))
    keys = [(i.source, i.source_key.split(":")[0], i.level) for i in items]
    assert added == len(items) == 9
    assert keys[:4] == [
        ("expectation", "expectation", "staff"),
        ("service_level", "service_level", "staff"),
        ("service_level", "service_level", "staff"),
        ("procedure", "procedure", "staff"),
    ]
    assert [i.source_key for i in items[1:3]] == ["service_level:HOST-AV", "service_level:SD-ANS30"]
    assert items[0].question == (
        "Does the team know and work to the expectation “Medewerkers worden bij een P1 "
        "binnen 30 minuten geïnformeerd”?"
    )
    assert "SD-ANS30" in items[2].question and "target 80 %" in items[2].question
    assert "OLD-1" not in " ".join(i.question for i in items)  # expired level left out
    assert [i.question for i in items[4:7]] == [
        "Is the agreed procedure known?",
        "Is it followed?",
        "Where does it chafe?",
    ]


def test_checklist_for_both_levels_has_both_standard_sets_and_reruns_add_nothing(world):
    audit = _audit(world, Level.BOTH)
    with scopes_disabled():
        first = services.checklist_generate(access=supplier(world), audit=audit, today=TODAY)
        second = services.checklist_generate(access=supplier(world), audit=audit, today=TODAY)
        levels = list(audit.checklist.filter(source="standard").values_list("level", flat=True))
    assert (first, second) == (4 + 6 + 5, 0)
    assert (levels.count("management"), levels.count("staff")) == (6, 5)


@pytest.mark.parametrize("language", ["nl"])
def test_checklist_is_written_in_the_organisations_language(world, language):
    audit = _audit(world, Level.STAFF)
    with scopes_disabled():
        services.checklist_generate(access=supplier(world), audit=audit, today=TODAY)
        known = audit.checklist.get(source_key="standard:known")
    with translation.override(language):
        expected = translation.gettext("Is the agreed procedure known?")
    assert known.question == expected


def test_dutch_generated_checklist_reads_english_to_an_english_reader(world, client_as):
    audit = _audit(world, Level.STAFF)
    with scopes_disabled():
        world.alpha.default_language = "nl"
        world.alpha.save()
        audit.refresh_from_db()
        services.checklist_generate(access=supplier(world), audit=audit, today=TODAY)
        items = list(audit.checklist.order_by("position"))
        procedure = audit.checklist.get(source="procedure")
    # Stored in Dutch as the fallback, with the kind and parameters beside it.
    with translation.override("nl"):
        dutch_known = translation.gettext("Is the agreed procedure known?")
    assert dutch_known != "Is the agreed procedure known?"
    assert items[4].question == dutch_known
    assert items[4].text_key == "audits.standard.known"
    with translation.override("en"):
        english = [i.display_question for i in items]
        assert english[4:7] == [
            "Is the agreed procedure known?",
            "Is it followed?",
            "Where does it chafe?",
        ]
        assert english[0] == (
            "Does the team know and work to the expectation “Medewerkers worden bij een P1 "
            "binnen 30 minuten geïnformeerd”?"
        )
        assert procedure.display_question.startswith("Is the agreed procedure for “")
        assert procedure.display_guidance.startswith("Due ")
    with translation.override("nl"):
        assert items[4].display_question == items[4].question
    body = (
        client_as(world.alice)
        .get(reverse("audits:audit_detail", args=["alpha", audit.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    # The History section quotes the stored values as they were written (the Dutch fallback).
    page_text = body.split('data-testid="history"')[0]
    assert "Is the agreed procedure known?" in page_text
    assert items[4].question not in page_text
