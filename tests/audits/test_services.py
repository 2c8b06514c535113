from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from audits import services
from audits.models import Audit, CorrectiveAction, Finding, Result
from governance.platform.models import OutboxMessage
from governance.platform.workdays import is_working_day
from tests.audits.helpers import PDF_BYTES, TODAY, make_setup, manager, supplier, viewer


@pytest.fixture
def setup(world):
    return make_setup(world)


def test_closing_a_finding_without_effectiveness_check_is_refused(world, setup):
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.finding_close(access=supplier(world), finding=setup.finding)
    assert error.value.messages == [
        "A finding closes only after an effectiveness check: record who checked, when, "
        "the verdict and the evidence first."
    ]
    with scopes_disabled():
        assert Finding.objects.get(pk=setup.finding.pk).status == Finding.Status.OPEN


def test_joint_action_needs_an_owner_on_both_sides(world, setup):
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.action_create(
            access=manager(world),
            finding=setup.finding,
            description="Revise the escalation matrix together",
            owner_side="joint",
            supplier_owner=world.bob,
            due_date=TODAY,
        )
    assert error.value.message_dict == {
        "owner_side": [
            "A joint action needs an owner on both sides: one at the supplier and one at the "
            "client."
        ]
    }
    with scopes_disabled():
        action = services.action_create(
            access=manager(world),
            finding=setup.finding,
            description="Revise the escalation matrix together",
            owner_side="joint",
            supplier_owner=world.bob,
            client_owner=world.alice,
            due_date=TODAY,
        )
        assert (action.supplier_owner, action.client_owner) == (world.bob, world.alice)


def test_action_owner_must_be_on_the_named_side(world, setup):
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.action_create(
            access=manager(world),
            finding=setup.finding,
            description="x",
            owner_side="client",
            client_owner=world.bob,
            due_date=TODAY,
        )
    assert list(error.value.message_dict) == ["client_owner"]


def test_effective_check_closes_the_finding_after_the_actions(world, setup):
    with scopes_disabled():
        with pytest.raises(ValidationError) as error:
            services.effectiveness_check_record(
                access=supplier(world), finding=setup.finding, verdict="effective", evidence="ok"
            )
        assert error.value.messages == [
            "1 corrective action(s) are not finished yet; check effectiveness after."
        ]
        services.action_update(access=supplier(world), action=setup.action, status="done")
        check = services.effectiveness_check_record(
            access=supplier(world),
            finding=setup.finding,
            verdict="not_effective",
            evidence="Still late in week 2",
        )
        assert Finding.objects.get(pk=setup.finding.pk).status == Finding.Status.OPEN
        with pytest.raises(ValidationError):
            services.finding_close(access=supplier(world), finding=setup.finding)
        check = services.effectiveness_check_record(
            access=supplier(world),
            finding=setup.finding,
            verdict="effective",
            evidence="20 tickets sampled",
        )
        finding = Finding.objects.get(pk=setup.finding.pk)
        assert (finding.status, check.checked_by) == (Finding.Status.CLOSED, world.bob)


def test_priority_is_the_managers_call(world, setup):
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            services.finding_set_priority(access=supplier(world), finding=setup.finding, priority=4)
        with pytest.raises(PermissionDenied):
            services.finding_set_priority(access=viewer(world), finding=setup.finding, priority=4)
        services.finding_set_priority(access=manager(world), finding=setup.finding, priority=4)
        assert Finding.objects.get(pk=setup.finding.pk).client_priority == 4
        with pytest.raises(ValidationError) as error:
            services.finding_set_priority(access=manager(world), finding=setup.finding, priority=6)
        assert list(error.value.message_dict) == ["client_priority"]


def test_viewer_and_supplier_limits_on_recording(world, setup):
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            services.audit_create(
                access=viewer(world),
                contract=world.alpha_contract,
                title="x",
                planned_date=TODAY,
            )
        with pytest.raises(PermissionDenied):
            services.audit_create(
                access=supplier(world),
                contract=world.alpha_contract,
                title="x",
                planned_date=TODAY,
                audit_type=Audit.Type.CLIENT_LED,
            )


def test_audit_status_rules(world, setup):
    audit = setup.audit
    with scopes_disabled():
        with pytest.raises(ValidationError) as error:
            services.audit_transition(access=supplier(world), audit=audit, status="closed")
        assert error.value.message_dict == {
            "status": ["An audit that is in progress cannot become closed."]
        }
        open_items = audit.checklist.filter(result="").count()
        with pytest.raises(ValidationError) as error:
            services.audit_transition(access=supplier(world), audit=audit, status="reported")
        assert error.value.message_dict["status"][0].startswith(f"{open_items} checklist item(s)")
        for item in audit.checklist.filter(result=""):
            services.checklist_item_record(access=supplier(world), item=item, result="conform")
        audit = services.audit_transition(access=supplier(world), audit=audit, status="reported")
        with pytest.raises(PermissionDenied):
            services.audit_transition(access=supplier(world), audit=audit, status="closed")
        with pytest.raises(ValidationError) as error:
            services.audit_transition(access=manager(world), audit=audit, status="closed")
        assert "1 nonconformity(ies) are still open" in error.value.message_dict["status"][0]


def test_programme_plans_audits_on_working_days(world):
    with scopes_disabled():
        programme = services.programme_create(
            access=manager(world), contract=world.alpha_contract, year=2027, recurrence="quarterly"
        )
        dates = list(
            programme.audits.order_by("planned_date").values_list("planned_date", flat=True)
        )
    assert [d.month for d in dates] == [2, 5, 8, 11]
    assert all(is_working_day(d) for d in dates)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.programme_create(access=manager(world), contract=world.alpha_contract, year=2027)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"Just text, named report.pdf", "The file is not a PDF document."),
        (b"%PDF-1.4 truncated without end marker", "The file is not a PDF document."),
        (b"%PDF-1.4\n" + b"0" * (10 * 2**20) + b"\n%%EOF", "The file is larger than 10 MB."),
    ],
)
def test_uploaded_report_must_really_be_a_pdf(world, setup, content, message):
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.supplier_report_upload(
            access=supplier(world), audit=setup.audit, name="report.pdf", content=content
        )
    assert error.value.message_dict == {"file": [message]}
    with scopes_disabled():
        assert setup.audit.supplier_reports.count() == 1


def test_only_the_supplier_uploads_its_report(world, setup):
    with scopes_disabled(), pytest.raises(PermissionDenied):
        services.supplier_report_upload(
            access=manager(world), audit=setup.audit, name="r.pdf", content=PDF_BYTES
        )


def test_reminders_go_to_the_owners_once_a_day(world, setup):
    with scopes_disabled():
        CorrectiveAction.objects.filter(pk=setup.action.pk).update(due_date=date(2026, 11, 10))
        sent = services.action_reminders_send(organisation=world.alpha, today=TODAY)
        again = services.action_reminders_send(organisation=world.alpha, today=TODAY)
        message = OutboxMessage.objects.get()
    assert (sent, again) == (1, 0)
    assert message.to == ["bob@example.test"]
    assert message.subject == "Corrigerende maatregel over tijd: Escalation not followed"


def test_result_other_than_conform_needs_evidence(world, setup):
    with scopes_disabled():
        item = setup.audit.checklist.exclude(pk=setup.item.pk).first()
    with scopes_disabled(), pytest.raises(ValidationError) as error:
        services.checklist_item_record(access=supplier(world), item=item, result=Result.MINOR)
    assert list(error.value.message_dict) == ["evidence"]


def test_reminder_horizon_counts_working_days(world, setup):
    with scopes_disabled():
        CorrectiveAction.objects.filter(pk=setup.action.pk).update(
            due_date=TODAY + timedelta(days=10)
        )
        assert services.action_reminders_send(organisation=world.alpha, today=TODAY) == 0


def test_next_years_programme_recurs_with_the_same_plan(world):
    with scopes_disabled():
        programme = services.programme_create(
            access=manager(world),
            contract=world.alpha_contract,
            year=2026,
            recurrence="half_yearly",
            level="staff",
            clauses=["7.2", "8.5"],
            notes="Service desk first",
            audit_type=Audit.Type.SHARED_REPORT,
        )
        following = services.programme_next_year(access=manager(world), programme=programme)
        audits = list(following.audits.order_by("planned_date"))
        copied = (following.year, following.recurrence, following.level, following.clauses)
        assert following.notes == "Service desk first"
    assert copied == (2027, "half_yearly", "staff", ["7.2", "8.5"])
    assert [(a.planned_date.month, a.audit_type, a.level) for a in audits] == [
        (3, "shared_report", "staff"),
        (9, "shared_report", "staff"),
    ]
    assert all(is_working_day(a.planned_date) for a in audits)
    with scopes_disabled():
        with pytest.raises(ValidationError) as error:
            services.programme_next_year(access=manager(world), programme=programme)
        assert error.value.message_dict == {
            "year": ["This contract already has a programme for that year."]
        }
        with pytest.raises(PermissionDenied):
            services.programme_next_year(access=viewer(world), programme=following)
