from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from contracts.models import Measurement, SLAReport
from contracts.services import (
    service_level_amend,
    sla_report_accept,
    sla_report_appeal,
    sla_report_dispute,
    sla_report_submit,
    sla_report_upload,
    sla_report_withdraw,
)
from governance.platform.access import tenant_scope
from tests.contracts.conftest import (
    AMS,
    GOOD_ROWS,
    MIXED_ROWS,
    csv_file,
    dutch_csv_file,
    in_window,
    xlsx_file,
)

MARCH = date(2025, 3, 1)


def upload(access, contract, content, *, name="report.csv", period=MARCH, now=None, **kw):
    with tenant_scope(access):
        return sla_report_upload(
            access=access,
            contract=contract,
            period_start=period,
            content=content,
            name=name,
            dry_run=kw.pop("dry_run", False),
            now=now or in_window(period),
            **kw,
        )


def states(report) -> dict[str, str]:
    with scopes_disabled():
        return {m.service_level.code: m.state for m in report.measurements.all()}


def counts() -> tuple[int, int]:
    with scopes_disabled():
        return SLAReport.objects.count(), Measurement.objects.count()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.csv", csv_file(MIXED_ROWS)),
        ("report.xlsx", xlsx_file(MIXED_ROWS)),
        ("rapportage.csv", dutch_csv_file(MIXED_ROWS)),
        ("report.xlsx", xlsx_file(MIXED_ROWS, numbers=False)),
    ],
    ids=["csv", "xlsx", "dutch-excel-csv", "xlsx-text-cells"],
)
def test_upload_stores_valid_file_with_states(sla, bob_access, name, content):
    result = upload(bob_access, sla.contract, content, name=name)
    assert (result.problems, result.created) == ([], True)
    assert states(result.report) == {"ANS30": "near_miss", "RES": "missed", "RESTORE": "met"}
    with scopes_disabled():
        values = {m.service_level.code: m.value for m in result.report.measurements.all()}
    assert values == {"ANS30": Decimal("77"), "RES": Decimal("90"), "RESTORE": Decimal("2")}
    assert (result.report.version, result.report.status, result.report.is_late) == (
        1,
        "submitted",
        False,
    )
    assert bytes(result.report.source_file) == content


def test_dry_run_stores_nothing(sla, bob_access):
    result = upload(bob_access, sla.contract, csv_file(GOOD_ROWS), dry_run=True)
    assert (result.ok, result.report, [r.state for r in result.rows]) == (
        True,
        None,
        ["met", "met", "met"],
    )
    assert counts() == (0, 0)


def test_resubmission_creates_version_two_and_keeps_version_one(sla, bob_access):
    first = upload(bob_access, sla.contract, csv_file(MIXED_ROWS)).report
    second = upload(bob_access, sla.contract, csv_file(GOOD_ROWS)).report
    with scopes_disabled():
        first.refresh_from_db()
        assert [
            (r.version, r.status, r.is_current) for r in SLAReport.objects.order_by("version")
        ] == [
            (1, "superseded", False),
            (2, "submitted", True),
        ]
    assert states(first) == {"ANS30": "near_miss", "RES": "missed", "RESTORE": "met"}
    assert states(second) == {"ANS30": "met", "RES": "met", "RESTORE": "met"}
    assert counts() == (2, 6)


def test_same_file_twice_creates_nothing(sla, bob_access):
    content = csv_file(GOOD_ROWS)
    first = upload(bob_access, sla.contract, content)
    again = upload(bob_access, sla.contract, content)
    assert (again.created, again.report.pk, again.problems) == (False, first.report.pk, [])
    assert counts() == (1, 3)


def test_correction_after_dispute_marks_the_old_version_corrected(sla, bob_access, alice_access):
    report = upload(bob_access, sla.contract, csv_file(MIXED_ROWS)).report
    with tenant_scope(alice_access):
        measurement = report.measurements.get(service_level=sla.resolved)
        sla_report_dispute(
            access=alice_access, report=report, reasons={measurement.pk: "Our count says 85"}
        )
    # Long after the late limit: a correction answers the dispute and is still taken.
    late = datetime(2025, 8, 1, 12, tzinfo=AMS)
    corrected = upload(bob_access, sla.contract, csv_file(GOOD_ROWS), now=late)
    assert corrected.problems == []
    with scopes_disabled():
        report.refresh_from_db()
        assert report.measurements.get(pk=measurement.pk).dispute_reason == "Our count says 85"
    assert (report.status, report.is_current) == ("corrected", False)
    assert (corrected.report.version, corrected.report.status) == (2, "submitted")


def test_accepted_report_cannot_be_replaced(sla, bob_access, alice_access):
    report = upload(bob_access, sla.contract, csv_file(GOOD_ROWS)).report
    with tenant_scope(alice_access):
        sla_report_accept(access=alice_access, report=report)
    result = upload(bob_access, sla.contract, csv_file(MIXED_ROWS))
    assert [(p.column, p.message) for p in result.problems] == [
        ("period", "The current version of this report is Accepted and cannot be replaced.")
    ]
    assert counts() == (1, 3)


def test_dispute_appeal_and_accept(sla, bob_access, alice_access):
    report = upload(bob_access, sla.contract, csv_file(MIXED_ROWS)).report
    with tenant_scope(alice_access):
        ids = {m.service_level.code: m.pk for m in report.measurements.all()}
        sla_report_dispute(access=alice_access, report=report, reasons={ids["ANS30"]: "Too high"})
    with tenant_scope(bob_access):
        sla_report_appeal(access=bob_access, report=report, reason="Telephony logs attached")
    assert (report.status, report.appeal_reason) == ("appealed", "Telephony logs attached")
    with tenant_scope(alice_access):
        sla_report_accept(access=alice_access, report=report)
    assert report.status == "accepted"


def test_appeal_rejected_withdraws_the_report(sla, bob_access, alice_access):
    report = upload(bob_access, sla.contract, csv_file(MIXED_ROWS)).report
    with tenant_scope(alice_access):
        pk = report.measurements.first().pk
        sla_report_dispute(access=alice_access, report=report, reasons={pk: "No"})
    with tenant_scope(bob_access):
        sla_report_appeal(access=bob_access, report=report, reason="It stands")
    with tenant_scope(alice_access):
        sla_report_withdraw(access=alice_access, report=report)
    assert report.status == "withdrawn"


def test_dispute_needs_a_reason(sla, bob_access, alice_access):
    report = upload(bob_access, sla.contract, csv_file(MIXED_ROWS)).report
    with tenant_scope(alice_access), pytest.raises(ValidationError):
        sla_report_dispute(access=alice_access, report=report, reasons={})
    assert report.status == "submitted"


def test_supplier_cannot_accept_and_manager_cannot_upload(sla, bob_access, alice_access):
    report = upload(bob_access, sla.contract, csv_file(GOOD_ROWS)).report
    with tenant_scope(bob_access), pytest.raises(PermissionDenied):
        sla_report_accept(access=bob_access, report=report)
    with pytest.raises(PermissionDenied):
        upload(alice_access, sla.contract, csv_file(MIXED_ROWS), period=date(2025, 4, 1))
    assert counts() == (1, 3)


def test_draft_then_submit_marks_late_after_the_window(sla, bob_access):
    report = upload(bob_access, sla.contract, csv_file(GOOD_ROWS), submit=False).report
    assert (report.status, report.submitted_at) == ("draft", None)
    with tenant_scope(bob_access):
        sla_report_submit(
            access=bob_access, report=report, now=datetime(2025, 4, 20, 9, tzinfo=AMS)
        )
    assert (report.status, report.is_late) == ("submitted", True)


def test_report_after_the_window_is_marked_late(sla, bob_access):
    result = upload(
        bob_access, sla.contract, csv_file(GOOD_ROWS), now=datetime(2025, 4, 15, 9, tzinfo=AMS)
    )
    assert (result.problems, result.report.is_late) == ([], True)


def test_amended_level_judges_each_period_by_the_level_in_force(sla, bob_access):
    with scopes_disabled():
        service_level_amend(level=sla.answered, valid_from=date(2025, 4, 1), target=Decimal("85"))
    rows = [["ANS30", "83", "", "", ""], ["RES", "96"], ["RESTORE", "3"]]
    rows_april = [
        ["ANS30", "83", "Drukte", "Wachten", "Bezetting"],
        ["RES", "96"],
        ["RESTORE", "3"],
    ]
    march = upload(bob_access, sla.contract, csv_file(rows)).report
    april = upload(bob_access, sla.contract, csv_file(rows_april), period=date(2025, 4, 1)).report
    assert (states(march)["ANS30"], states(april)["ANS30"]) == ("met", "near_miss")
    with scopes_disabled():
        targets = [
            m.service_level.target
            for r in (march, april)
            for m in r.measurements.all()
            if m.service_level.code == "ANS30"
        ]
    assert targets == [Decimal("80.0000"), Decimal("85.0000")]


def test_amended_level_keeps_dimension_mappings(sla):
    with scopes_disabled():
        new = service_level_amend(level=sla.answered, valid_from=date(2025, 4, 1), target=85)
        assert sorted((m.dimension, m.weight) for m in new.dimensions.all()) == [
            ("empathy", Decimal("0.40")),
            ("responsiveness", Decimal("0.60")),
        ]
        sla.answered.refresh_from_db()
    assert sla.answered.valid_to == date(2025, 3, 31)


def test_json_rows_are_validated_like_a_file(sla, bob_access):
    rows = [
        {"code": "ANS30", "value": 81},
        {"code": "RES", "value": "97,5"},
        {"code": "RESTORE", "value": 1},
    ]
    with tenant_scope(bob_access):
        result = sla_report_upload(
            access=bob_access,
            contract=sla.contract,
            period_start=MARCH,
            content=b"",
            name="rows.json",
            json_rows=rows,
            dry_run=False,
            now=in_window(MARCH),
        )
    assert [(p.row, p.column, p.value) for p in result.problems] == [(2, "value", "97,5")]
    assert counts() == (0, 0)


def test_report_window_not_open_yet_and_closed(sla, bob_access):
    early = upload(
        bob_access, sla.contract, csv_file(GOOD_ROWS), now=datetime(2025, 3, 20, 9, tzinfo=AMS)
    )
    closed = upload(
        bob_access, sla.contract, csv_file(GOOD_ROWS), now=datetime(2025, 6, 1, 9, tzinfo=AMS)
    )
    assert [p.message for p in early.problems] == [
        "The report window for this period opens on 2025-04-01."
    ]
    assert [p.message for p in closed.problems] == [
        "The report window for this period has closed (late reports until 2025-05-10)."
    ]
    assert counts() == (0, 0)


def test_period_outside_the_contract(sla, bob_access):
    result = upload(bob_access, sla.contract, csv_file(GOOD_ROWS), period=date(2023, 12, 1))
    assert [(p.column, p.message) for p in result.problems] == [
        ("period", "The period lies outside the contract.")
    ]


def test_times_are_judged_in_the_organisation_time_zone(sla, bob_access):
    # 31 March 2025 23:30 UTC is already 1 April in Amsterdam: the March window is open.
    utc_now = datetime.combine(date(2025, 3, 31), time(23, 30), tzinfo=UTC)
    result = upload(bob_access, sla.contract, csv_file(GOOD_ROWS), now=utc_now)
    assert result.problems == []


def test_accepting_publishes_the_event_after_commit(
    sla, bob_access, alice_access, django_capture_on_commit_callbacks
):
    from governance.platform import events

    received = []

    def handler(**payload):
        received.append(payload)

    events.subscribe(events.SLA_REPORT_ACCEPTED, handler)
    try:
        report = upload(bob_access, sla.contract, csv_file(GOOD_ROWS)).report
        with django_capture_on_commit_callbacks(execute=True), tenant_scope(alice_access):
            sla_report_accept(access=alice_access, report=report)
    finally:
        events._handlers[events.SLA_REPORT_ACCEPTED].remove(handler)
    assert received == [{"organisation_id": sla.contract.organisation_id, "period_start": MARCH}]
