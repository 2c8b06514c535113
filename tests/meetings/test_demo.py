"""The meetings demo as the issue asks for it: one series per tier for a demo contract, a past
meeting with minutes and open actions, an upcoming one with a generated agenda and one missing
pre-read, and a SIP with measured progress."""

import io

from django.core.management import call_command
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from governance.platform.access import system_access
from meetings import selectors
from meetings.models import SIP, ActionItem, Meeting, MeetingSeries, Source
from meetings.preparation import series_timeliness


def test_demo_tells_the_whole_meeting_story(db):
    call_command("seed_demo", stdout=io.StringIO())
    translation.activate("en")
    with scopes_disabled():
        series = MeetingSeries.objects.filter(contract__reference="ZR-2024-001")
        tactical = series.get(tier="tactical")
        past = tactical.meetings.get(status=Meeting.Status.APPROVED)
        upcoming = tactical.meetings.get(status=Meeting.Status.PLANNED)
        minutes = [i.minutes for i in past.items.exclude(minutes="")]
        actions = sorted(past.actions.values_list("status", flat=True))
        items = list(upcoming.items.all())
        missing = selectors.missing_preparation(items=items)
        sip = SIP.objects.get(contract__reference="ZR-2024-001")
        progress = selectors.sip_progress(sip=sip, access=system_access(sip.organisation))
        carried = upcoming.items.filter(source=Source.CARRIED_ACTION).count()
        open_actions = ActionItem.objects.filter(series=tactical, status="open").count()
        joint = past.actions.get(owner_side="joint")
        timeliness = series_timeliness(series=tactical, today=timezone.localdate())
    assert sorted(series.values_list("tier", flat=True)) == ["operational", "strategic", "tactical"]
    assert len(minutes) >= 1 and past.minutes_approved_at is not None
    assert actions == ["done", "open", "open"]
    assert joint.owner_label == "Marieke de Vries (client) and Noor Smit (supplier)"
    # The held meeting's pre-reads: the supplier's first came two days late, the rest in time.
    supplier, client = timeliness["supplier"], timeliness["client"]
    assert (supplier.late, supplier.missing, supplier.on_time) == (1, 0, supplier.due - 1)
    assert client.on_time == client.due > 0
    assert upcoming.agenda_generated_at is not None
    assert {i.source for i in items} >= {Source.TEMPLATE, Source.SIMULATION, Source.SIP}
    assert [(m["item"].source, m["missing"]) for m in missing] == [
        (missing[0]["item"].source, ["supplier"])
    ]
    assert (carried, open_actions) == (2, 2)
    assert progress.sla.current is not None and progress.perception.current is not None
