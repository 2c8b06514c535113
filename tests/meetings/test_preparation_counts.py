"""Preparation that counts: late pre-reads marked per item (page and agenda pack), the chair
told once, each side's timeliness as a figure (page and tactical agenda), joint actions."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from governance.platform.access import system_access
from governance.platform.models import OutboxMessage
from meetings import documents, services, sources
from meetings.models import ActionItem, AgendaItem, MeetingDocument, Source
from meetings.preparation import series_timeliness

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def tactical(world, chair=None):
    with scopes_disabled():
        return services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier="tactical",
            title="Tactical A-1",
            chair=chair,
        )


def upcoming_with_late_pre_read(world, chair=None):
    """A meeting in three days whose item's pre-reads were due yesterday; the client's is in."""
    series = tactical(world, chair)
    today = timezone.localdate()
    with scopes_disabled():
        meeting = services.meeting_schedule(
            series=series,
            starts_at=datetime.combine(today + timedelta(days=3), datetime.min.time()).replace(
                hour=10, tzinfo=AMSTERDAM
            ),
        )
        item = services.agenda_item_add(meeting=meeting, title="Desk", needs_preparation=True)
        AgendaItem.objects.filter(pk=item.pk).update(
            prep_due=today - timedelta(days=1),
            client_impact="Users wait",
            client_delivered_at=timezone.now(),
        )
    return meeting, item, today


def test_a_late_pre_read_is_marked_on_the_page_and_in_the_agenda_pack(client_as, world):
    meeting, item, today = upcoming_with_late_pre_read(world)
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    body = client.get(reverse("meetings:meeting_detail", args=["alpha", meeting.pk])).content
    body = body.decode()
    assert f'data-testid="late-supplier-{item.pk}"' in body
    assert f'data-testid="late-client-{item.pk}"' not in body
    with scopes_disabled():
        document = MeetingDocument.objects.create(
            organisation=world.alpha, meeting=meeting, kind="agenda", audience="client"
        )
        context = documents.context_for(document)
    assert [(row["item"].pk, row["late"]) for row in context["missing"]] == [
        (item.pk, ["supplier"])
    ]


def test_the_chair_is_told_once_of_late_pre_reads(world):
    meeting, item, today = upcoming_with_late_pre_read(world, chair=world.alice)
    with scopes_disabled():
        first = services.chair_reminders_send(organisation=world.alpha, today=today)
        again = services.chair_reminders_send(organisation=world.alpha, today=today)
        mails = list(OutboxMessage.objects.filter(to=["alice@example.test"]))
    assert (first, again) == (1, 0)
    assert len(mails) == 1
    assert "Desk" in mails[0].body_text
    # In the chair's language (the organisation's, Dutch, as alice chose none).
    assert "resultaten en afwijkingsanalyse van de leverancier" in mails[0].body_text
    assert "impactanalyse" not in mails[0].body_text  # the client's came in


def test_no_chair_reminder_before_the_due_date(world):
    meeting, item, today = upcoming_with_late_pre_read(world, chair=world.alice)
    with scopes_disabled():
        sent = services.chair_reminders_send(
            organisation=world.alpha, today=today - timedelta(days=1)
        )
    assert sent == 0


def held_meetings_with_pre_reads(world):
    """Two held meetings of the series, three items due 10 March: the supplier delivered one on
    the due day (on time), one a day late and one never; the client two the day before and one
    never."""
    series = tactical(world)
    due = date(2026, 3, 10)
    noon = datetime(2026, 3, 10, 12, tzinfo=AMSTERDAM)
    deliveries = [
        (noon, noon - timedelta(days=1)),
        (noon + timedelta(days=1), noon - timedelta(days=1)),
        (None, None),
    ]
    with scopes_disabled():
        meetings = [
            services.meeting_schedule(
                series=series, starts_at=datetime(2026, 3, day, 10, tzinfo=AMSTERDAM)
            )
            for day in (16, 17)
        ]
        for n, (supplier_at, client_at) in enumerate(deliveries):
            item = services.agenda_item_add(
                meeting=meetings[n % 2], title=f"Item {n}", needs_preparation=True
            )
            AgendaItem.objects.filter(pk=item.pk).update(
                prep_due=due, supplier_delivered_at=supplier_at, client_delivered_at=client_at
            )
        for meeting in meetings:
            services.meeting_mark_held(meeting=meeting)
    return series, meetings


def test_timeliness_per_side_counts_on_time_late_and_never(world):
    series, _meetings = held_meetings_with_pre_reads(world)
    with scopes_disabled():
        tallies = series_timeliness(series=series, today=date(2026, 4, 1))
    supplier, client = tallies["supplier"], tallies["client"]
    assert (supplier.on_time, supplier.late, supplier.missing) == (1, 1, 1)
    assert (client.on_time, client.late, client.missing) == (2, 0, 1)
    assert supplier.share == pytest.approx(1 / 3)
    assert client.share == pytest.approx(2 / 3)
    # A year later none of these meetings counts any more.
    with scopes_disabled():
        later = series_timeliness(series=series, today=date(2027, 4, 1))
    assert later["supplier"].due == 0


def test_the_tactical_agenda_carries_the_timeliness(world):
    series, _meetings = held_meetings_with_pre_reads(world)
    with scopes_disabled():
        nxt = services.meeting_schedule(
            series=series, starts_at=datetime(2026, 6, 16, 10, tzinfo=AMSTERDAM)
        )
        context = sources.Context(
            access=system_access(world.alpha), series=series, meeting=nxt, today=date(2026, 6, 1)
        )
        [proposal] = sources.preparation_timeliness(context)
    assert proposal.source == Source.PREPARATION
    with translation.override("en"):
        assert proposal.said and str(proposal.said) == "Pre-reads on time in the last twelve months"
        from governance.platform.texts import render

        lines = [render(p["k"], p["p"]) for p in proposal.detail_parts]
    assert lines == [
        "Supplier: 1 of 3 on time, 1 late, 1 never",
        "Client: 2 of 3 on time, 0 late, 1 never",
    ]
    with translation.override("nl"):
        assert render(proposal.detail_parts[0]["k"], proposal.detail_parts[0]["p"]).startswith(
            "Leverancier: 1 van 3"
        )


def test_the_page_shows_the_timeliness_as_shares(client_as, world):
    series, meetings = held_meetings_with_pre_reads(world)
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse("meetings:meeting_detail", args=["alpha", meetings[0].pk]))
    body = response.content.decode()
    supplier_row = body.split('data-testid="timeliness-supplier"')[1].split("</tr>")[0]
    assert "33 %" in supplier_row
    client_row = body.split('data-testid="timeliness-client"')[1].split("</tr>")[0]
    assert "67 %" in client_row


def test_a_joint_action_has_an_owner_on_each_side(client_as, world):
    series = tactical(world)
    with scopes_disabled():
        meeting = services.meeting_schedule(
            series=series, starts_at=datetime(2099, 1, 5, 10, tzinfo=AMSTERDAM)
        )
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("meetings:action_create", args=["alpha", meeting.pk])
    data = {
        "title": "Evaluate on-call",
        "owner_side": "joint",
        "owner_name": "Marieke",
        "due_date": "2099-02-01",
    }
    response = client.post(url, data, follow=True)
    assert "A joint action has an owner on each side." in response.content.decode()
    with scopes_disabled():
        assert not ActionItem.objects.exists()
    client.post(url, data | {"supplier_owner_name": "Noor"})
    with scopes_disabled():
        action = ActionItem.objects.get()
    assert action.owner_label == "Marieke (client) and Noor (supplier)"
    # The supplier's user may move a joint action along, as one of its own.
    bob = client_as(world.bob)
    bob.post(
        reverse("meetings:action_status", args=["alpha", action.pk]), {"status": "in_progress"}
    )
    with scopes_disabled():
        action.refresh_from_db()
    assert action.status == "in_progress"


def test_a_one_sided_action_has_no_second_owner(world):
    series = tactical(world)
    with scopes_disabled():
        meeting = services.meeting_schedule(
            series=series, starts_at=datetime(2099, 1, 5, 10, tzinfo=AMSTERDAM)
        )
        with pytest.raises(Exception) as refused:
            services.action_create(
                meeting=meeting,
                title="x",
                owner_side="client",
                owner_name="A",
                supplier_owner_name="B",
                due_date=date(2099, 2, 1),
            )
    assert "supplier_owner_name" in str(refused.value)
