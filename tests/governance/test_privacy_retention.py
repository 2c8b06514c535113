"""The nightly retention job: complainants' contact details and attachments go a set number of
months after closure, participants' addresses a set number of months after the survey closed;
data one minute (or one day) inside its period stays. The complaint and its figures stay."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from complaints import selectors as complaint_selectors
from complaints import services as complaint_services
from complaints.models import Attachment, Complaint, Status
from complaints.uploads import CheckedFile
from governance.platform import privacy
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import ErasureRecord, OutboxMessage, PrivacySettings, TaskRun
from governance.platform.tasks import task_privacy_retention, task_privacy_retention_for
from governance.roof.schedule import BEAT_SCHEDULE
from kto.models import Invitation, StakeholderGroup
from kto.tokens import new_salt
from tests.complaints.conftest import file_complaint
from tests.kto.helpers import make_survey

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
COMPLAINT_CUTOFF = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # 12 months (the default)
SURVEY_CUTOFF_DAY = date(2027, 3, 15)  # 3 months (the default)
MINUTE = timedelta(minutes=1)
PNG = CheckedFile("photo.png", "image/png", b"\x89PNG\r\n\x1a\n")


def _ended(world, email, *, to, at, attachments=()):
    """A complaint filed well before `at`, moved to `to` at `at`, with a mail to `email`
    written at `at` too."""
    received = at - timedelta(days=20)
    complaint = file_complaint(
        world.alpha,
        now=received,
        occurred_at=received,
        name=f"Name of {email}",
        email=email,
        phone="0612345678",
        consent_to_contact=True,
        attachments=list(attachments),
    )
    access = system_access(world.alpha)
    with tenant_scope(access):
        steps = {
            Status.CLOSED: [Status.RESOLVED, Status.CLOSED],
            Status.RESOLVED: [Status.RESOLVED],
            Status.REJECTED: [Status.REJECTED],
        }[to]
        for step in steps:
            complaint = complaint_services.complaint_transition(
                access=access, complaint=complaint, to=step, text="Afgehandeld.", now=at
            )
    with scopes_disabled():
        # The outbox stamps its own creation time: put the complainant's mails at `at`.
        OutboxMessage.objects.filter(to=[email]).update(created_at=at)
    return complaint


def _invitation(survey, email):
    with scopes_disabled():
        return Invitation.objects.create(
            organisation=survey.organisation,
            survey=survey,
            email=email,
            group=StakeholderGroup.END_USERS,
            contract=survey.contracts.first(),
            status=Invitation.Status.INVITED,
            salt=new_salt(),
            token_hash=new_salt() * 2,
            segment="Finance",
        )


@pytest.fixture
def aged(world):
    """Complaints and invitations on both sides of their limits on NOW."""
    complaints = {
        "closed_inside": _ended(
            world, "inside@example.test", to=Status.CLOSED, at=COMPLAINT_CUTOFF + MINUTE
        ),
        "closed_expired": _ended(
            world,
            "expired@example.test",
            to=Status.CLOSED,
            at=COMPLAINT_CUTOFF - MINUTE,
            attachments=[PNG],
        ),
        "resolved_expired": _ended(
            world, "resolved@example.test", to=Status.RESOLVED, at=COMPLAINT_CUTOFF - MINUTE
        ),
        "rejected_expired": _ended(
            world, "rejected@example.test", to=Status.REJECTED, at=COMPLAINT_CUTOFF - MINUTE
        ),
    }
    # Received long ago but still open: nothing has ended, nothing goes.
    complaints["open_old"] = file_complaint(
        world.alpha,
        now=COMPLAINT_CUTOFF - timedelta(days=400),
        occurred_at=COMPLAINT_CUTOFF - timedelta(days=400),
        email="open@example.test",
        attachments=[PNG],
    )
    closed_expired = make_survey(world.alpha, [world.alpha_contract], title="Expired")
    closed_inside = make_survey(world.alpha, [world.alpha_contract], title="Inside")
    early = make_survey(world.alpha, [world.alpha_contract], title="Closed early")
    with scopes_disabled():
        closed_expired.closes_on = SURVEY_CUTOFF_DAY - timedelta(days=1)
        closed_inside.closes_on = SURVEY_CUTOFF_DAY
        early.closes_on, early.closed_on = date(2027, 12, 31), SURVEY_CUTOFF_DAY - timedelta(1)
        for survey in (closed_expired, closed_inside, early):
            survey.save(update_fields=["closes_on", "closed_on"])
    invitations = {
        "expired": _invitation(closed_expired, "p1@example.test"),
        "expired_2": _invitation(closed_expired, "p2@example.test"),
        "early": _invitation(early, "p3@example.test"),
        "inside": _invitation(closed_inside, "p4@example.test"),
    }
    return complaints, invitations


def _reload(objects):
    with scopes_disabled():
        return {key: type(obj).objects.get(pk=obj.pk) for key, obj in objects.items()}


def test_retention_takes_the_person_out_of_what_expired_only(world, aged):
    complaints, invitations = aged
    access = system_access(world.alpha)
    with tenant_scope(access):
        figures_before = complaint_selectors.verdict_summary(access=access)
        counted_before = Complaint.objects.filter(organisation=world.alpha).count()
        counts = privacy.retention_run(organisation=world.alpha, now=NOW)
        figures_after = complaint_selectors.verdict_summary(access=access)
        counted_after = Complaint.objects.filter(organisation=world.alpha).count()
    # Three complaints ended before the cut-off; one attachment among them; the two mails to
    # each of those three (received, resolved or rejected) written before it; three
    # invitations (two to the survey that closed the day before, one closed early).
    assert counts == {
        "complaints": 3,
        "complaint_attachments": 1,
        "outbox_messages": 6,
        "survey_invitations": 3,
    }
    complaints = _reload(complaints)
    contact = {
        key: (c.name, c.email, c.phone, c.consent_to_contact) for key, c in complaints.items()
    }
    assert contact == {
        "closed_inside": (
            "Name of inside@example.test",
            "inside@example.test",
            "0612345678",
            True,
        ),
        "closed_expired": ("", "", "", False),
        "resolved_expired": ("", "", "", False),
        "rejected_expired": ("", "", "", False),
        "open_old": ("", "open@example.test", "", False),
    }
    # The complaint itself stays: reference, status, category, description.
    assert complaints["closed_expired"].status == Status.CLOSED
    assert complaints["closed_expired"].description == "De servicedesk nam niet op."
    assert (counted_before, counted_after, figures_before) == (5, 5, figures_after)
    with scopes_disabled():
        attachments = sorted(
            Attachment.objects.filter(organisation=world.alpha).values_list(
                "complaint_id", flat=True
            )
        )
        outbox = {
            address: OutboxMessage.objects.filter(to__icontains=address).count()
            for address in ("inside@", "expired@", "resolved@", "rejected@", "open@")
        }
    assert attachments == [complaints["open_old"].pk]
    assert outbox == {"inside@": 2, "expired@": 0, "resolved@": 0, "rejected@": 0, "open@": 1}
    invitations = _reload(invitations)
    emails = {key: i.email for key, i in invitations.items()}
    assert emails["inside"] == "p4@example.test"
    assert all(
        emails[key].startswith("erased-") and emails[key].endswith("@erased.invalid")
        for key in ("expired", "expired_2", "early")
    )
    assert (invitations["expired"].segment, invitations["inside"].segment) == ("", "Finance")
    with scopes_disabled():
        record = ErasureRecord.objects.get()
    assert (record.reason, record.requested_by, record.counts) == ("retention", None, counts)


def test_retention_follows_the_organisations_settings(world, aged):
    complaints, invitations = aged
    access = system_access(world.alpha)
    with tenant_scope(access):
        privacy.privacy_settings_update(
            access=access, complaint_contact_months=24, participant_email_months=1
        )
        counts = privacy.retention_run(organisation=world.alpha, now=NOW)
    # Nothing of the complaints is two years old; every survey closed more than a month ago.
    assert counts == {"survey_invitations": 4}
    assert _reload(complaints)["closed_expired"].email == "expired@example.test"


def test_a_second_run_finds_nothing_and_the_next_day_the_next_ones(world, aged):
    with tenant_scope(system_access(world.alpha)):
        privacy.retention_run(organisation=world.alpha, now=NOW)
        again = privacy.retention_run(organisation=world.alpha, now=NOW)
        # A day later the complaint closed a minute inside the limit has expired too.
        next_day = privacy.retention_run(organisation=world.alpha, now=NOW + timedelta(days=1))
    with scopes_disabled():
        records = ErasureRecord.objects.count()
    assert (again, records) == ({}, 2)
    assert next_day == {"complaints": 1, "outbox_messages": 2, "survey_invitations": 1}


def test_invalid_settings_are_refused_and_change_nothing(world):
    access = system_access(world.alpha)
    with tenant_scope(access), pytest.raises(ValidationError) as refused:
        privacy.privacy_settings_update(access=access, complaint_contact_months=0)
    assert "complaint_contact_months" in refused.value.message_dict
    with scopes_disabled():
        assert PrivacySettings.objects.count() == 0


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert privacy.months_before(NOW, 12) == COMPLAINT_CUTOFF
    assert privacy.months_before(datetime(2027, 3, 31, tzinfo=UTC), 1) == datetime(
        2027, 2, 28, tzinfo=UTC
    )
    assert privacy.months_before(datetime(2027, 1, 10, tzinfo=UTC), 3) == datetime(
        2026, 10, 10, tzinfo=UTC
    )


def test_the_nightly_job_is_scheduled_fans_out_and_records_runs(world, aged):
    assert BEAT_SCHEDULE["privacy-retention"]["task"] == task_privacy_retention.name
    with mock.patch.object(task_privacy_retention_for, "apply_async") as fan_out:
        organisations = task_privacy_retention.apply().get()
    assert organisations == 2
    assert sorted(c.kwargs["kwargs"]["organisation_id"] for c in fan_out.call_args_list) == [
        world.alpha.pk,
        world.beta.pk,
    ]
    with mock.patch("governance.platform.privacy.timezone.now", return_value=NOW):
        counts = task_privacy_retention_for.apply(kwargs={"organisation_id": world.alpha.pk}).get()
    with scopes_disabled():
        run = TaskRun.objects.get(name=task_privacy_retention_for.name)
    assert counts["complaints"] == 3
    assert (run.status, run.organisation_id) == ("succeeded", world.alpha.pk)
