"""Items from the data nest under their standard topic; the closing stays last (page and PDF)."""

from django.urls import reverse
from django_scopes import scopes_disabled

from meetings import agenda_order, documents, services
from meetings.models import MeetingDocument, Source, Tier
from tests.meetings.test_agenda import generated_keys
from tests.meetings.test_agenda import seeded as seeded  # noqa: F401 - fixture


def numbered_rows(meeting):
    with scopes_disabled():
        return [(i.number, i.source) for i in agenda_order.numbered(meeting.items.all())]


def test_tactical_data_items_nest_under_their_topics_and_closing_stays_last(seeded, world):
    world.alpha.default_language = "nl"
    world.alpha.save()
    _keys, meeting = generated_keys(seeded.series[Tier.TACTICAL])
    with scopes_disabled():
        services.agenda_item_add(meeting=meeting, title="Kerstborrel")
    rows = numbered_rows(meeting)
    assert rows == [
        ("1", Source.TEMPLATE),  # Opening en agenda
        ("2", Source.TEMPLATE),  # Notulen en acties
        ("3", Source.TEMPLATE),  # Servicelevel-trend en tevredenheidskloof
        ("3.1", Source.DISPUTED_REPORT),
        ("4", Source.TEMPLATE),  # Klachtentrends en verbetervoorstellen
        ("4.1", Source.COMPLAINT_TREND),
        ("4.2", Source.PROPOSAL),
        ("5", Source.TEMPLATE),  # Auditbevindingen en oefeningen
        ("5.1", Source.AUDIT_FINDING),
        ("6", Source.TEMPLATE),  # SIP's
        ("7", Source.TEMPLATE),  # Rondvraag
        ("7.1", Source.MANUAL),
        ("8", Source.TEMPLATE),  # Sluiting
    ]
    with scopes_disabled():
        # Positions follow the same order, so every list ordered by position agrees.
        stored = list(meeting.items.order_by("position").values_list("source", flat=True))
    assert stored == [source for _n, source in rows]


def test_page_and_pdf_show_the_numbers(seeded, world, client_as):
    _keys, meeting = generated_keys(seeded.series[Tier.TACTICAL])
    with scopes_disabled():
        closing = meeting.items.order_by("position").last()
        finding = meeting.items.get(source=Source.AUDIT_FINDING)
    body = (
        client_as(world.alice)
        .get(reverse("meetings:meeting_detail", args=["alpha", meeting.pk]))
        .content.decode()
    )
    assert (
        f'id="item-{finding.pk}" data-testid="agenda-item" data-source="audit_finding" '
        'data-number="5.1"' in body
    )
    assert (
        f'id="item-{closing.pk}" data-testid="agenda-item" data-source="template" '
        'data-number="8"' in body
    )
    with scopes_disabled():
        document = MeetingDocument(
            organisation=world.alpha,
            meeting=meeting,
            kind=MeetingDocument.Kind.AGENDA,
            audience=MeetingDocument.Audience.CLIENT,
        )
        context = documents.context_for(document)
    assert [i.number for i in context["items"]][-3:] == ["6", "7", "8"]
    assert context["items"][-1].pk == closing.pk


def test_topic_recognised_in_either_language_and_with_a_typed_number():
    assert agenda_order.topic_msgid("8. Sluiting") == "Closing"
    assert agenda_order.topic_msgid("closing") == "Closing"
    assert agenda_order.topic_msgid("Rondvraag") == "Any other business"
    assert agenda_order.topic_msgid("Budget 2027") is None
