"""Preparation, reminders, the meeting itself, SIP progress, isolation, iCalendar and the API."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

import kto.selectors
from governance.platform.access import Access, system_access
from governance.platform.models import OutboxMessage
from meetings import ical, selectors, services
from meetings.models import AgendaItem, MeetingSeries
from tests.contracts.samples import contract_samples
from tests.meetings.helpers import make_meetings, sip_fields
from tests.meetings.test_agenda import make_level, make_report

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def series_for(world, **kwargs) -> MeetingSeries:
    with scopes_disabled():
        return services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier=kwargs.pop("tier", "operational"),
            title=kwargs.pop("title", "Ops A-1"),
            **kwargs,
        )


# --- preparation ---------------------------------------------------------------------------


def test_preparation_due_counts_working_days_around_christmas(world):
    series = series_for(world, preparation_days=3)
    with scopes_disabled():
        # Monday 28 December 2026: Friday 25 (Christmas) and the weekend are not working days.
        meeting = services.meeting_schedule(
            series=series, starts_at=datetime(2026, 12, 28, 10, tzinfo=AMSTERDAM)
        )
        item = services.agenda_item_add(meeting=meeting, title="SLA", needs_preparation=True)
    assert item.prep_due == date(2026, 12, 22)


def test_preparation_due_uses_the_organisations_local_date(world):
    series = series_for(world, preparation_days=1)
    with scopes_disabled():
        # 23:30 UTC on Sunday is already Monday 00:30 in Amsterdam.
        meeting = services.meeting_schedule(
            series=series, starts_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
        )
        item = services.agenda_item_add(meeting=meeting, title="SLA", needs_preparation=True)
    assert item.prep_due == date(2026, 2, 27)  # Friday before Monday 2 March


def reminder_setup(world):
    series = series_for(world, preparation_days=3)
    with scopes_disabled():
        meeting = services.meeting_schedule(
            series=series, starts_at=datetime(2099, 6, 15, 10, tzinfo=AMSTERDAM)
        )
        services.attendance_add(
            meeting=meeting, side="client", role="Contract manager", name="A", email="a@x.test"
        )
        services.attendance_add(
            meeting=meeting, side="supplier", role="Service manager", name="S", email="s@y.test"
        )
        item = services.agenda_item_add(meeting=meeting, title="Avail", needs_preparation=True)
    return meeting, item


def test_reminders_are_sent_once_per_side(world):
    meeting, item = reminder_setup(world)
    assert item.prep_due == date(2099, 6, 10)
    with scopes_disabled():
        too_early = services.preparation_reminders_send(
            organisation=world.alpha, today=date(2099, 6, 5)
        )
        first = services.preparation_reminders_send(
            organisation=world.alpha, today=date(2099, 6, 8)
        )
        again = services.preparation_reminders_send(
            organisation=world.alpha, today=date(2099, 6, 9)
        )
        recipients = sorted(tuple(m.to) for m in OutboxMessage.objects.all())
    assert (too_early, first, again) == (0, 2, 0)
    # The supplier side: its attendee and Northwind's user bob.
    assert recipients == [("a@x.test",), ("bob@example.test", "s@y.test")]


def test_no_reminder_for_a_side_that_delivered(world):
    meeting, item = reminder_setup(world)
    supplier = Access(organisation=world.alpha, user_id=world.bob.pk, supplier=world.northwind)
    with scopes_disabled():
        services.item_prepare(item=item, access=supplier, supplier_results="Storage failure")
        sent = services.preparation_reminders_send(organisation=world.alpha, today=date(2099, 6, 8))
        to = [m.to for m in OutboxMessage.objects.all()]
    assert (sent, to) == (1, [["a@x.test"]])


def test_each_side_writes_only_its_own_preparation(world):
    meeting, item = reminder_setup(world)
    supplier = Access(organisation=world.alpha, user_id=world.bob.pk, supplier=world.northwind)
    manager = Access(organisation=world.alpha, user_id=world.alice.pk, role="contract_manager")
    with scopes_disabled(), pytest.raises(Exception) as refused:
        services.item_prepare(item=item, access=supplier, client_notes="sneaky")
    with scopes_disabled():
        services.item_prepare(
            item=item, access=manager, client_impact="200 users", client_notes="x"
        )
        item.refresh_from_db()
    assert (type(refused.value).__name__, item.client_impact, item.client_notes) == (
        "PermissionDenied",
        "200 users",
        "x",
    )


def test_agenda_shows_what_is_missing(world, client_as):
    meeting, item = reminder_setup(world)
    page = client_as(world.alice).get(
        reverse("meetings:meeting_detail", args=["alpha", meeting.pk])
    )
    assert page.status_code == 200
    with scopes_disabled():
        missing = selectors.missing_preparation(items=[item])
    assert [(row["item"].pk, row["missing"]) for row in missing] == [
        (item.pk, ["supplier", "client"])
    ]
    assert 'data-testid="missing-prep"' in page.content.decode()


# --- the meeting itself ------------------------------------------------------------------


def test_warning_when_a_required_role_is_absent(world):
    series = series_for(
        world, required_roles=[("client", "Contract manager"), ("supplier", "Service manager")]
    )
    with scopes_disabled():
        meeting = services.meeting_schedule(
            series=series, starts_at=datetime(2026, 5, 4, 9, tzinfo=UTC)
        )
        a = services.attendance_add(
            meeting=meeting, side="client", role="Contract manager", name="A"
        )
        s = services.attendance_add(
            meeting=meeting, side="supplier", role="Service manager", name="S"
        )
        before = selectors.absent_required_roles(meeting=meeting)
        services.attendance_record(meeting=meeting, attended_ids={a.pk})
        after = selectors.absent_required_roles(meeting=meeting)
    assert (before, after, s.attended) == ([], [("supplier", "Service manager")], None)


def test_minutes_cannot_change_after_approval(world):
    found = make_meetings(world)
    manager = Access(organisation=world.alpha, user_id=world.alice.pk, role="contract_manager")
    with scopes_disabled():
        services.minutes_approve(meeting=found.past, access=manager)
        with pytest.raises(ValidationError):
            services.item_record(
                item=found.item, minutes="changed", outcome="decision", resolved=True
            )
        found.item.refresh_from_db()
    assert (found.past.status, found.item.minutes, found.past.minutes_approved_by_id) == (
        "approved",
        "Discussed",
        world.alice.pk,
    )


def test_publishing_invites_both_sides_with_a_calendar_event(world):
    meeting, _item = reminder_setup(world)
    with scopes_disabled():
        services.agenda_publish(meeting=meeting)
        message = OutboxMessage.objects.get()
        attachment = message.attachments.get()
    assert (meeting.status, message.to) == (
        "published",
        ["a@x.test", "bob@example.test", "s@y.test"],
    )
    assert (attachment.filename, attachment.mime_type) == ("meeting.ics", "text/calendar")
    assert bytes(attachment.content).startswith(b"BEGIN:VCALENDAR\r\n")


# --- SIP progress --------------------------------------------------------------------------


def test_sip_progress_equals_hand_computed_values(world, monkeypatch):
    with scopes_disabled():
        level = make_level(world, code="REACH", target="95")
        # Baseline month December 2024; later months January–March 2025.
        make_report(world, date(2024, 12, 1), values=[(level, "80")])
        make_report(world, date(2025, 1, 1), values=[(level, "86")])
        make_report(world, date(2025, 2, 1), values=[(level, "70")], current=False, version=1)
        make_report(world, date(2025, 2, 1), values=[(level, "88.5")], version=2)
        make_report(world, date(2025, 3, 1), values=[(level, "91")])
        sip = services.sip_create(
            **sip_fields(world, level, title="Reach", perception_baseline=Decimal("3.0"))
        )
    scores = {date(2025, 1, 1): (12, 3.1), date(2025, 2, 1): (3, 4.9), date(2025, 3, 1): (20, 3.4)}

    class Table:
        def cell(self, contract_id, dimension, start, end):
            assert (contract_id, dimension) == (world.alpha_contract.pk, "responsiveness")
            found = scores.get(start)
            return SimpleNamespace(n=found[0], mean=found[1]) if found else None

    monkeypatch.setattr(kto.selectors, "perception_table", lambda **_: Table())
    with scopes_disabled():
        progress = selectors.sip_progress(
            sip=sip, access=system_access(world.alpha), today=date(2025, 4, 15)
        )
    assert progress.sla.points == [
        (date(2025, 1, 1), 86.0),
        (date(2025, 2, 1), 88.5),
        (date(2025, 3, 1), 91.0),
    ]
    assert (progress.sla.current, progress.sla.change, progress.sla.achieved) == (91.0, 6.0, 60.0)
    # February has 3 respondents, below the anonymity floor of 5: not used.
    assert progress.perception.points == [(date(2025, 1, 1), 3.1), (date(2025, 3, 1), 3.4)]
    assert progress.perception.current == 3.4
    assert round(progress.perception.change, 4) == 0.4
    assert round(progress.perception.achieved, 4) == 50.0


def test_sip_owners_must_belong_to_their_side(world):
    level = contract_samples(world)["service_level"]
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.sip_create(
            **sip_fields(
                world,
                level,
                title="Wrong",
                goal="x",
                client_owner=world.charlie,
                supplier_owner=world.dave,
                sla_baseline=Decimal("1"),
                sla_target=Decimal("2"),
                dimension="reliability",
                perception_baseline=Decimal("3"),
                perception_target=Decimal("6"),
                baseline_period=date(2025, 1, 2),
            )
        )
    assert sorted(error.value.message_dict) == [
        "baseline_period",
        "client_owner",
        "perception_target",
        "supplier_owner",
    ]


# --- isolation -----------------------------------------------------------------------------


def test_supplier_sees_its_meetings_but_not_the_clients_internal_notes(world, client_as):
    found = make_meetings(world)
    client = client_as(world.bob)
    page = client.get(reverse("meetings:meeting_detail", args=["alpha", found.past.pk])).content
    api_items = client.get(
        reverse("api:agenda-item-list", args=["alpha"]), {"meeting": found.past.pk}
    ).json()["results"]
    manager_page = (
        client_as(world.alice)
        .get(reverse("meetings:meeting_detail", args=["alpha", found.past.pk]))
        .content
    )
    assert b"Desk availability" in page
    assert b"Internal: budget pressure" not in page
    assert b"Client-only business case" not in page
    assert [i["title"] for i in api_items] == ["Desk availability"]
    assert "client_notes" not in api_items[0]
    assert b"Internal: budget pressure" in manager_page


def test_another_organisation_gets_404(world, client_as):
    found = make_meetings(world)
    urls = [
        reverse("meetings:meeting_detail", args=["alpha", found.past.pk]),
        reverse("meetings:meeting_ics", args=["alpha", found.past.pk]),
        reverse("meetings:sip_detail", args=["alpha", found.sip.pk]),
        reverse("api:meeting-detail", args=["alpha", found.past.pk]),
    ]
    for actor in (world.charlie, world.dave):
        client = client_as(actor)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]
    # Beta's manager asking for Alpha's meeting under Beta's own slug: 404 too.
    client = client_as(world.charlie)
    url = reverse("meetings:meeting_detail", args=["beta", found.past.pk])
    assert client.get(url).status_code == 404


def test_supplier_does_not_see_organisation_wide_series(world, client_as):
    make_meetings(world)
    with scopes_disabled():
        services.series_create(
            access=system_access(world.alpha), contract=None, tier="strategic", title="Regie-breed"
        )
    bob = client_as(world.bob).get(reverse("meetings:index", args=["alpha"])).content.decode()
    alice = client_as(world.alice).get(reverse("meetings:index", args=["alpha"])).content.decode()
    assert ("Regie-breed" in bob, "Regie-breed" in alice) == (False, True)


def test_supplier_cannot_record_minutes_or_client_preparation(world, client_as):
    found = make_meetings(world)
    client = client_as(world.bob)
    minutes = client.post(
        reverse("meetings:item_record", args=["alpha", found.item.pk]),
        {"minutes": "x", "outcome": "decision"},
    )
    api = client.post(
        reverse("api:agenda-item-outcome", args=["alpha", found.item.pk]),
        {"minutes": "x", "outcome": "decision", "resolved": "true"},
    )
    with scopes_disabled():
        found.item.refresh_from_db()
    assert (minutes.status_code, api.status_code, found.item.minutes) == (403, 403, "Discussed")


# --- lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_series_list_queries_do_not_grow(world, client_as, django_assert_num_queries, count):
    for n in range(count):
        series_for(world, title=f"Series {n}")
    client = client_as(world.alice)
    client.get(reverse("meetings:index", args=["alpha"]))  # warm the session
    with django_assert_num_queries(10):
        response = client.get(reverse("meetings:index", args=["alpha"]))
    assert response.content.decode().count("/meetings/series/") == count + 1  # + "new"


# The SIP list (page and API) is measured in tests/meetings/test_api.py.


# --- iCalendar -----------------------------------------------------------------------------


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_icalendar_follows_rfc_5545(world, client_as):
    series = series_for(world, title="Tactisch overleg; Zuidrand, ICT \\ beheer")
    with scopes_disabled():
        meeting = services.meeting_schedule(
            series=series,
            starts_at=datetime(2026, 7, 1, 10, tzinfo=AMSTERDAM),
            location="Provinciehuis, zaal 3",
        )
        services.agenda_item_add(meeting=meeting, title="Beschikbaarheid werkplek " + "é" * 80)
    response = client_as(world.alice).get(
        reverse("meetings:meeting_ics", args=["alpha", meeting.pk])
    )
    raw = response.content
    text = raw.decode("utf-8")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    lines = unfold(text).split("\r\n")
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    assert (lines[0], lines[-2]) == ("BEGIN:VCALENDAR", "END:VCALENDAR")
    assert fields["UID"] == f"{meeting.uid}@regie"
    assert (fields["DTSTART"], fields["DTEND"]) == ("20260701T080000Z", "20260701T100000Z")
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"])
    assert fields["SUMMARY"] == "Tactisch overleg\\; Zuidrand\\, ICT \\\\ beheer"
    assert fields["LOCATION"] == "Provinciehuis\\, zaal 3"
    assert fields["DESCRIPTION"].endswith("Beschikbaarheid werkplek " + "é" * 80)


def test_series_calendar_holds_every_meeting_with_what_the_user_may_see(world, client_as):
    found = make_meetings(world)
    with scopes_disabled():
        beta = make_meetings(
            world, world.beta, world.beta_southwind_contract, title="Beta hosting tactical"
        )
    address = reverse("meetings:series_ics", args=["alpha", found.series.pk])
    manager = unfold(client_as(world.alice).get(address).content.decode())
    supplier = unfold(client_as(world.bob).get(address).content.decode())
    uids = re.findall(r"^UID:(.+)$", manager, flags=re.M)
    assert [u.strip() for u in uids] == [f"{found.past.uid}@regie", f"{found.upcoming.uid}@regie"]
    assert "Client-only business case" in manager
    assert "Client-only business case" not in supplier and "Desk availability" in supplier
    assert client_as(world.charlie).get(address).status_code == 404
    other = reverse("meetings:series_ics", args=["alpha", beta.series.pk])
    assert client_as(world.alice).get(other).status_code == 404


def test_fold_never_splits_a_utf8_character():
    line = "DESCRIPTION:" + "€" * 60
    folded = ical.fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert [len(p) <= 75 for p in parts] == [True] * len(parts)
    # Each part decodes on its own (no character split) and continuations start with a space.
    decoded = [p.decode("utf-8") for p in parts]
    assert [d.startswith(" ") for d in decoded] == [False] + [True] * (len(decoded) - 1)
    assert unfold(folded) == line


def test_escape_text_escapes_the_special_characters():
    assert ical.escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_moving_a_published_meeting_raises_its_sequence(world):
    meeting, _item = reminder_setup(world)
    with scopes_disabled():
        services.agenda_publish(meeting=meeting)
        services.meeting_update(
            meeting=meeting,
            starts_at=datetime(2099, 6, 16, 10, tzinfo=AMSTERDAM),
            ends_at=datetime(2099, 6, 16, 12, tzinfo=AMSTERDAM),
        )
    assert meeting.ical_sequence == 1


# --- API -----------------------------------------------------------------------------------


def test_api_lists_series_meetings_actions_and_sips(world, client_as):
    found = make_meetings(world)
    make_meetings(world, world.beta, world.beta_southwind_contract, title="Beta hosting tactical")
    client = client_as(world.bob)
    series = client.get(reverse("api:meeting-series-list", args=["alpha"])).json()["results"]
    meetings = client.get(reverse("api:meeting-list", args=["alpha"])).json()["results"]
    actions = client.get(reverse("api:meeting-action-list", args=["alpha"])).json()["results"]
    sips = client.get(reverse("api:sip-list", args=["alpha"])).json()["results"]
    assert [s["title"] for s in series] == ["Alpha tactical"]
    assert [m["id"] for m in meetings] == [found.past.pk, found.upcoming.pk]
    assert [a["title"] for a in actions] == ["Extend desk hours"]
    assert [(s["title"], s["progress_sla"]["baseline"]) for s in sips] == [
        ("Desk reachability", 85.0)
    ]


def test_api_supplier_delivers_preparation_and_updates_its_action(world, client_as):
    found = make_meetings(world)
    with scopes_disabled():
        upcoming_item = services.agenda_item_add(
            meeting=found.upcoming, title="Avail", needs_preparation=True
        )
    client = client_as(world.bob)
    prepared = client.post(
        reverse("api:agenda-item-prepare", args=["alpha", upcoming_item.pk]),
        {"supplier_results": "Cause: storage; action: replaced"},
    )
    status = client.post(
        reverse("api:meeting-action-status", args=["alpha", found.action.pk]), {"status": "done"}
    )
    assert (prepared.status_code, prepared.json()["supplier_results"]) == (
        200,
        "Cause: storage; action: replaced",
    )
    assert "client_notes" not in prepared.json()
    assert (status.status_code, status.json()["status"]) == (200, "done")


def test_item_of_another_meeting_is_refused_for_an_action(world):
    found = make_meetings(world)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.action_create(
            meeting=found.upcoming,
            item=found.item,
            title="x",
            owner_side="client",
            owner_name="A",
            due_date=date(2026, 5, 1),
        )
    with scopes_disabled():
        assert AgendaItem.objects.filter(meeting=found.upcoming).count() == 0
