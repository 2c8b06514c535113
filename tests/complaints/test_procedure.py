"""The procedure: deadlines in working days in the organisation's time zone, transitions,
overdue flags and reminders."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django_scopes import scopes_disabled

from complaints import selectors, services
from complaints.models import ComplaintEvent, Status
from governance.platform.access import access_for, system_access, tenant_scope
from governance.platform.models import OutboxMessage
from tests.complaints.conftest import AMSTERDAM, file_complaint


@pytest.mark.parametrize(
    ("received", "acknowledge_by", "resolve_by"),
    [
        # King's Day: Monday 27 April 2026.
        (datetime(2026, 4, 24, 10, 0, tzinfo=AMSTERDAM), date(2026, 4, 29), date(2026, 5, 11)),
        # Good Friday 3 April and Easter Monday 6 April 2026.
        (datetime(2026, 4, 2, 16, 0, tzinfo=AMSTERDAM), date(2026, 4, 8), date(2026, 4, 20)),
        # Christmas (Thursday 25, Friday 26 December 2025) and New Year's Day 2026.
        (datetime(2025, 12, 23, 9, 0, tzinfo=AMSTERDAM), date(2025, 12, 29), date(2026, 1, 9)),
        # 22:30 UTC on Thursday is already Friday in Amsterdam: counted from Friday.
        (datetime(2026, 4, 23, 22, 30, tzinfo=UTC), date(2026, 4, 29), date(2026, 5, 11)),
        # Received on a Saturday: the count starts on Monday.
        (datetime(2026, 3, 7, 12, 0, tzinfo=AMSTERDAM), date(2026, 3, 10), date(2026, 3, 20)),
    ],
)
def test_deadlines_count_working_days_in_amsterdam(world, received, acknowledge_by, resolve_by):
    complaint = file_complaint(world.alpha, now=received)
    assert (complaint.acknowledge_due, complaint.resolve_due) == (acknowledge_by, resolve_by)


def test_deadlines_follow_the_organisations_settings(world):
    with tenant_scope(system_access(world.alpha)):
        services.complaint_settings_update(
            access=system_access(world.alpha), acknowledge_days=1, resolve_days=5
        )
    complaint = file_complaint(world.alpha, now=datetime(2026, 4, 24, 10, tzinfo=AMSTERDAM))
    assert (complaint.acknowledge_due, complaint.resolve_due) == (
        date(2026, 4, 28),
        date(2026, 5, 4),
    )


def test_overdue_is_flagged_the_day_after_the_deadline(world):
    complaint = file_complaint(world.alpha, now=datetime(2026, 4, 24, 10, tzinfo=AMSTERDAM))
    access = system_access(world.alpha)
    with tenant_scope(access):
        on_deadline = selectors.overdue_complaints(access=access, today=date(2026, 4, 29))
        after = selectors.overdue_complaints(access=access, today=date(2026, 4, 30))
    assert on_deadline == []
    assert [c.reference for c in after] == [complaint.reference]
    assert complaint.overdue_step(date(2026, 4, 30)) == "acknowledge"
    assert complaint.overdue_step(date(2026, 5, 12)) == "acknowledge"


def test_reminder_goes_once_per_overdue_step(world):
    complaint = file_complaint(world.alpha, now=datetime(2026, 4, 24, 10, tzinfo=AMSTERDAM))
    with tenant_scope(system_access(world.alpha)):
        services.complaint_assign(
            access=system_access(world.alpha), complaint=complaint, supplier=world.northwind
        )
        late = datetime(2026, 4, 30, 9, tzinfo=AMSTERDAM)
        first = services.complaint_reminders_send(organisation=world.alpha, now=late)
        again = services.complaint_reminders_send(organisation=world.alpha, now=late)
        services.complaint_transition(
            access=system_access(world.alpha), complaint=complaint, to=Status.ACKNOWLEDGED, now=late
        )
        resolve_late = datetime(2026, 5, 12, 9, tzinfo=AMSTERDAM)
        second = services.complaint_reminders_send(organisation=world.alpha, now=resolve_late)
    with scopes_disabled():
        reminders = list(
            ComplaintEvent.objects.filter(kind="reminder").values_list("text", flat=True)
        )
        mails = list(OutboxMessage.objects.values_list("to", flat=True))
    assert (first, again, second) == (1, 0, 1)
    assert reminders == ["acknowledge", "resolve"]
    assert mails == [["bob@example.test"], ["bob@example.test"]]


def test_acknowledgement_on_time_is_recorded(world):
    complaint = file_complaint(world.alpha, now=datetime(2026, 4, 24, 10, tzinfo=AMSTERDAM))
    access = system_access(world.alpha)
    with tenant_scope(access):
        complaint = services.complaint_transition(
            access=access,
            complaint=complaint,
            to=Status.ACKNOWLEDGED,
            now=datetime(2026, 4, 29, 17, tzinfo=AMSTERDAM),
        )
        complaint = services.complaint_transition(
            access=access,
            complaint=complaint,
            to=Status.RESOLVED,
            text="Opgelost.",
            now=datetime(2026, 5, 12, 9, tzinfo=AMSTERDAM),
        )
    assert (complaint.acknowledged_on_time, complaint.resolved_on_time) == (True, False)


def test_the_procedure_refuses_skipped_steps_and_needs_reasons(world):
    complaint = file_complaint(world.alpha)
    access = system_access(world.alpha)
    with tenant_scope(access), translation.override("en"):
        with pytest.raises(ValidationError) as closing:
            services.complaint_transition(access=access, complaint=complaint, to=Status.CLOSED)
        with pytest.raises(ValidationError) as rejecting:
            services.complaint_transition(access=access, complaint=complaint, to=Status.REJECTED)
        rejected = services.complaint_transition(
            access=access,
            complaint=complaint,
            to=Status.REJECTED,
            text="Geen klacht maar een vraag.",
        )
        reopened = services.complaint_transition(
            access=access, complaint=rejected, to=Status.REOPENED, text="Toch een klacht."
        )
        statuses = list(complaint.events.values_list("to_status", flat=True))
    assert closing.value.messages == ["A complaint that is Received cannot become Closed."]
    assert rejecting.value.message_dict == {"text": ["Say why this is not a complaint."]}
    assert rejected.rejection_reason == "Geen klacht maar een vraag."
    assert reopened.status == Status.REOPENED
    assert statuses == ["received", "rejected", "reopened"]


def test_viewer_cannot_move_a_complaint(world):
    complaint = file_complaint(world.alpha)
    access = access_for(world.victor, world.alpha)
    with tenant_scope(access), pytest.raises(PermissionDenied):
        services.complaint_transition(access=access, complaint=complaint, to=Status.ACKNOWLEDGED)
