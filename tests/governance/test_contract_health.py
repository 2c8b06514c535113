"""The contract health page and the organisation home's contract rows (issue 20, items 1 and 2):
exact figures on constructed data, and query counts that do not grow with contracts."""

import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from audits.models import Audit, CorrectiveAction, Finding, Result
from complaints.models import Category, Complaint, Status, Verdict
from contracts.models import Contract, Measurement, Service, ServiceLevel, SLAReport
from governance.platform.access import access_for, system_access, tenant_scope
from governance.platform.models import TaskRun
from governance.roof.health import contract_health, contract_health_many, health_periods
from governance.roof.health_charts import health_charts, row_sparklines
from governance.roof.health_pdf import contract_summary_render
from governance.roof.models import ContractSummaryPDF
from governance.roof.tasks import task_render_contract_summary
from kto.gaps.models import GapFlag
from kto.gaps.rules import Flag
from meetings.models import SIP, AgendaItem, Meeting, MeetingSeries, SIPMilestone, Tier
from tests.pdf_text import keep_pdf, pdf_text

TODAY = date(2026, 12, 7)
# Meetings are looked for from now on: dated relative to the moment the test runs.
SOON = timezone.now().replace(microsecond=0) + timedelta(days=20)


def at(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _report(contract, start, end, status=SLAReport.Status.SUBMITTED, version=1):
    return SLAReport.objects.create(
        organisation=contract.organisation,
        contract=contract,
        period_start=start,
        period_end=end,
        version=version,
        status=status,
        source_name="r.csv",
        source_file=b"x",
        checksum="0" * 64,
    )


def _measure(report, level, value, state):
    Measurement.objects.create(
        organisation=report.organisation,
        report=report,
        service_level=level,
        value=Decimal(value),
        state=state,
        deviation_cause="c",
        deviation_impact="i",
        deviation_action="a",
    )


def _flag(contract, dimension, start, end, flag, mean, low=None, high=None, n=60):
    GapFlag.objects.create(
        organisation=contract.organisation,
        contract=contract,
        dimension=dimension,
        period_start=start,
        period_end=end,
        flag=flag,
        sla_state="green",
        perception_state="below",
        n=n,
        mean=mean,
        ci_low=low,
        ci_high=high,
        target=3.5,
        delta=0.1,
        k=5,
        first_period_start=start,
        reason_en="r",
        reason_nl="r",
    )


def _complaint(contract, service, received, status, ack_due, resolve_due, resolved_for_me=None):
    complaint = Complaint.objects.create(
        organisation=contract.organisation,
        reference=f"K-{secrets.token_hex(4)}",
        token=secrets.token_urlsafe(24),
        service=service,
        category=Category.objects.get_or_create(
            organisation=contract.organisation, name_nl="Storing", name_en="Outage"
        )[0],
        description="It broke",
        occurred_at=received,
        channel="phone",
        impact="low",
        status=status,
        received_at=received,
        acknowledge_due=ack_due,
        resolve_due=resolve_due,
    )
    if resolved_for_me is not None:
        Verdict.objects.create(
            organisation=contract.organisation,
            complaint=complaint,
            resolved_for_me=resolved_for_me,
            handling_score=3,
            kept_informed=3,
            given_at=received,
        )


def build(contract, user) -> None:
    """One contract's twelve months, every block with figures computed by hand in the tests:

    SLA (periods Dec 2025 – Nov 2026): A met (Sep), near miss (Oct), missed (Nov); B met (Sep,
    Oct). A draft report (Aug) and a report before the window (Nov 2025) do not count.
    Perception: reliability watermelon 2.95 [2.72–3.18] in Oct, insufficient data in Nov;
    responsiveness aligned 3.65 in Oct.
    Complaints: two in Oct, one in Nov, one in June 2025 (outside); one overdue (not
    acknowledged in time), one in progress, one closed not resolved for the complainant.
    Findings: one major and two minor open, an observation closed; one action overdue, one due
    later, one overdue but done.
    Meetings (days from SOON): tactical on day 10 and 40 (the first counts), one cancelled on
    day 1; an operational one on day 50; the tactical meeting's item lacks the client's pre-read.
    One SIP with one of two milestones done."""
    org = contract.organisation
    with scopes_disabled():
        contract.start_date = date(2024, 7, 1)
        contract.end_date = date(2027, 6, 30)
        contract.notice_period_months = 3
        contract.renewal = Contract.Renewal.TACIT
        contract.save()
        service = Service.objects.create(organisation=org, contract=contract, name="Desk")
        level_a, level_b = (
            ServiceLevel.objects.create(
                organisation=org,
                contract=contract,
                service=service,
                code=code,
                name=f"Level {code}",
                metric_kind="percentage",
                direction="higher",
                target=Decimal("90"),
                valid_from=date(2024, 1, 1),
            )
            for code in ("A", "B")
        )
        sep = _report(contract, date(2026, 9, 1), date(2026, 9, 30))
        oct_ = _report(contract, date(2026, 10, 1), date(2026, 10, 31))
        nov = _report(contract, date(2026, 11, 1), date(2026, 11, 30))
        aug = _report(contract, date(2026, 8, 1), date(2026, 8, 31), SLAReport.Status.DRAFT)
        old = _report(contract, date(2025, 11, 1), date(2025, 11, 30))
        _measure(sep, level_a, "95", "met")
        _measure(oct_, level_a, "89.5", "near_miss")
        _measure(nov, level_a, "70", "missed")
        _measure(sep, level_b, "91", "met")
        _measure(oct_, level_b, "92", "met")
        _measure(aug, level_b, "10", "missed")
        _measure(old, level_b, "10", "missed")

        october = (date(2026, 10, 1), date(2026, 10, 31))
        november = (date(2026, 11, 1), date(2026, 11, 30))
        for dimension, (start, end), flag, *figures in [
            ("reliability", october, Flag.WATERMELON, 2.95, 2.72, 3.18),
            ("reliability", november, Flag.INSUFFICIENT_DATA, None),
            ("responsiveness", october, Flag.ALIGNED, 3.65, 3.5, 3.8),
        ]:
            _flag(contract, dimension, start, end, flag, *figures)

        for received, status, ack_due, resolve_due, resolved_for_me in [
            (at(2026, 10, 3), Status.RECEIVED, date(2026, 10, 5), date(2027, 1, 30), None),
            (at(2026, 10, 20), Status.IN_PROGRESS, date(2026, 10, 22), date(2027, 1, 30), None),
            (at(2026, 11, 2), Status.CLOSED, date(2026, 11, 4), date(2026, 11, 30), False),
            (at(2025, 6, 2), Status.CLOSED, date(2025, 6, 4), date(2025, 6, 30), True),
        ]:
            _complaint(contract, service, received, status, ack_due, resolve_due, resolved_for_me)

        audit = Audit.objects.create(
            organisation=org, contract=contract, title="Audit", planned_date=date(2026, 6, 1)
        )
        findings = [
            Finding.objects.create(
                organisation=org, audit=audit, title=f"F{n}", grade=grade, status=status
            )
            for n, (grade, status) in enumerate(
                [
                    (Result.MAJOR, Finding.Status.OPEN),
                    (Result.MINOR, Finding.Status.OPEN),
                    (Result.MINOR, Finding.Status.OPEN),
                    (Result.OBSERVATION, Finding.Status.CLOSED),
                ]
            )
        ]
        for due, status in [
            (date(2026, 11, 1), CorrectiveAction.Status.OPEN),
            (date(2027, 1, 1), CorrectiveAction.Status.OPEN),
            (date(2026, 11, 1), CorrectiveAction.Status.DONE),
        ]:
            CorrectiveAction.objects.create(
                organisation=org,
                finding=findings[0],
                description="Fix",
                owner_side="supplier",
                due_date=due,
                status=status,
            )

        tactical, operational = (
            MeetingSeries.objects.create(
                organisation=org, contract=contract, tier=tier, title=title, cadence_months=months
            )
            for tier, title, months in (
                (Tier.TACTICAL, "Tactical", 3),
                (Tier.OPERATIONAL, "Operational", 1),
            )
        )

        def meeting(series, day, **extra):
            return Meeting.objects.create(
                organisation=org,
                series=series,
                starts_at=SOON + timedelta(days=day),
                ends_at=SOON + timedelta(days=day, hours=1),
                **extra,
            )

        meeting(tactical, 1, status=Meeting.Status.CANCELLED)
        first = meeting(tactical, 10)
        meeting(tactical, 40)
        meeting(operational, 50)
        AgendaItem.objects.create(
            organisation=org,
            meeting=first,
            title="Desk availability",
            source="manual",
            needs_preparation=True,
            supplier_results="Our analysis",
            prep_due=(SOON + timedelta(days=5)).date(),
        )
        AgendaItem.objects.create(organisation=org, meeting=first, title="AOB", source="manual")

        sip = SIP.objects.create(
            organisation=org,
            contract=contract,
            title="Reach the desk",
            goal="Reach it",
            client_owner=user,
            supplier_owner=user,
            service_level=level_a,
            sla_baseline=Decimal("85"),
            sla_target=Decimal("95"),
            dimension="responsiveness",
            perception_baseline=Decimal("3.1"),
            perception_target=Decimal("3.8"),
            baseline_period=date(2026, 8, 1),
            status=SIP.Status.ACTIVE,
        )
        SIPMilestone.objects.create(
            organisation=org, sip=sip, title="Shift", due_date=date(2026, 9, 1), done=True
        )
        SIPMilestone.objects.create(
            organisation=org, sip=sip, title="Tool", due_date=date(2027, 1, 1)
        )


def _health(world, contract=None):
    access = system_access(world.alpha)
    with tenant_scope(access), translation.override("en"):
        return contract_health(
            access=access, contract=contract or world.alpha_contract, today=TODAY
        )


def test_health_periods_are_the_last_twelve_complete_months():
    periods = health_periods(TODAY)
    assert periods[0] == date(2025, 12, 1)
    assert periods[-1] == date(2026, 11, 1)
    assert len(periods) == 12


def test_sla_attainment_per_level_and_month(world):
    build(world.alpha_contract, world.alice)
    health = _health(world)
    rows = {row.code: (row.met, row.near_miss, row.missed) for row in health.levels}
    assert rows == {"A": (1, 1, 1), "B": (2, 0, 0)}
    assert health.state_totals == {"met": 3, "near_miss": 1, "missed": 1}
    # Sep: 2 of 2 met, Oct: 1 of 2, Nov: 0 of 1; the other months have no counting report.
    assert health.attainment == [None] * 9 + [100.0, 50.0, 0.0]


def test_perception_flags_and_interval(world):
    build(world.alpha_contract, world.alice)
    health = _health(world)
    reliability, responsiveness = health.perception
    assert reliability.dimension == "reliability"
    october = date(2026, 10, 1)
    cell = reliability.cells[october]
    assert (cell.flag, cell.mean, cell.low, cell.high, cell.n) == (
        Flag.WATERMELON,
        2.95,
        2.72,
        3.18,
        60,
    )
    # The newest month with a figure, not the newest month (insufficient data in November).
    assert reliability.latest[0] == october
    assert health.latest_flag_period == october
    with translation.override("en"):
        open_flags = [(label, c.flag) for label, c in health.open_flags]
    assert open_flags == [("Reliability", Flag.WATERMELON)]
    # October: (2.95 + 3.65) / 2.
    assert health.perception_trend == [None] * 10 + [3.3, None]
    assert responsiveness.latest[1].mean == 3.65


def test_complaints_findings_meetings_sips_and_notice(world):
    build(world.alpha_contract, world.alice)
    health = _health(world)
    assert health.complaints_by_month == {date(2026, 10, 1): 2, date(2026, 11, 1): 1}
    assert health.complaint_volume == 3
    assert health.complaints_open == 2
    assert health.complaints_overdue == 1
    assert health.closed_not_resolved == 1
    assert health.findings_by_grade == {Result.MINOR: 2, Result.MAJOR: 1}
    assert health.findings_open == 3
    assert health.actions_overdue == 1
    assert [(m.tier, m.meeting.starts_at) for m in health.meetings] == [
        (Tier.OPERATIONAL, SOON + timedelta(days=50)),
        (Tier.TACTICAL, SOON + timedelta(days=10)),
    ]
    assert health.next_meeting.meeting.starts_at == SOON + timedelta(days=10)
    tactical = health.meetings[1]
    assert [(m["item"].title, m["missing"]) for m in tactical.missing] == [
        ("Desk availability", ["client"])
    ]
    [(sip, progress, done, total)] = health.sips
    assert (sip.title, done, total) == ("Reach the desk", 1, 2)
    # Level A after the August baseline: Sep 95, Oct 89.5, Nov 70 — the latest is current.
    assert progress.sla.current == 70.0
    # End 30 June 2027, three months' notice: 30 March 2027 (a Tuesday), 113 days away.
    assert health.notice_deadline == date(2027, 3, 30)
    assert health.notice_days == 113
    assert health.term_end == date(2027, 6, 30)


def test_supplier_sees_only_complaints_assigned_to_it(world):
    build(world.alpha_contract, world.alice)
    access = access_for(world.bob, world.alpha)
    with tenant_scope(access):
        health = contract_health(access=access, contract=world.alpha_contract, today=TODAY)
    # None of the complaints is assigned to Northwind.
    assert (health.complaint_volume, health.complaints_open) == (0, 0)
    assert health.findings_open == 3


def test_charts_have_legends_and_sparklines_name_the_last_value(world):
    build(world.alpha_contract, world.alice)
    health = _health(world)
    with translation.override("en"):
        charts = health_charts(health)
        sparks = row_sparklines(health)
    assert "Near miss" in charts["sla"] and "no figure" in charts["sla"]
    assert "Watermelon" in charts["perception"]
    assert charts["complaints"].count("<rect") == 12
    assert "Major NC" in charts["findings"]
    assert "Service levels met (%): 0.0" in sparks["sla"]
    assert "Perception (mean): 3.3" in sparks["perception"]


def test_health_page_shows_every_block(world, client_as):
    build(world.alpha_contract, world.alice)
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("contract_health", kwargs={"org_slug": "alpha", "pk": world.alpha_contract.pk})
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for block in ("terms", "sla", "perception", "complaints", "audits", "meetings", "sips"):
        assert f'data-testid="health-{block}"' in html
    assert 'data-testid="complaint-overdue">1<' in html
    assert 'data-testid="closed-not-resolved">1<' in html
    assert "client&#x27;s pre-read missing" in html or "client's pre-read missing" in html
    assert "Over the 12 months: 3 met, 1 near misses, 1 missed." in html


def test_summary_pdf_is_requested_in_the_request_and_rendered_by_the_task(
    world, client_as, django_capture_on_commit_callbacks
):
    build(world.alpha_contract, world.alice)
    client = client_as(world.alice)
    kwargs = {"org_slug": "alpha", "pk": world.alpha_contract.pk}
    download = reverse("contract_summary_download", kwargs=kwargs)
    assert client.get(download).status_code == 404
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("contract_summary_request", kwargs=kwargs))
    with scopes_disabled():
        assert (response.status_code, len(callbacks), ContractSummaryPDF.objects.count()) == (
            302,
            1,
            0,
        )
    summary_id = task_render_contract_summary(
        organisation_id=world.alpha.pk, contract_id=world.alpha_contract.pk, language="en"
    )
    with scopes_disabled():
        summary = ContractSummaryPDF.objects.get(pk=summary_id)
        run = TaskRun.objects.get(name=task_render_contract_summary.name)
    assert (summary.pages, run.status) == (1, TaskRun.Status.SUCCEEDED)
    response = client.get(download)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content == bytes(summary.pdf)
    keep_pdf(bytes(summary.pdf), "contract-on-a-page")


def test_summary_pdf_render_lists_the_figures(world):
    build(world.alpha_contract, world.alice)
    with scopes_disabled(), tenant_scope(system_access(world.alpha)):
        summary = contract_summary_render(contract=world.alpha_contract, language="en")
    text = " ".join(pdf_text(bytes(summary.pdf)).split())
    assert summary.pages == 1
    assert "3 met, 1 near misses, 1 missed" in text
    assert "Closed, not resolved for the complainant: 1" in text, text


def test_supplier_may_not_have_the_summary_pdf(world, client_as):
    client = client_as(world.bob)
    kwargs = {"org_slug": "alpha", "pk": world.alpha_contract.pk}
    assert client.post(reverse("contract_summary_request", kwargs=kwargs)).status_code == 403
    assert client.get(reverse("contract_health", kwargs=kwargs)).status_code == 200


def _contracts(world, count) -> list[Contract]:
    with scopes_disabled():
        contracts = [world.alpha_contract] + [
            Contract.objects.create(
                organisation=world.alpha,
                supplier=world.northwind,
                reference=f"H-{n}",
                title=f"Health {n}",
            )
            for n in range(count - 1)
        ]
    for contract in contracts:
        build(contract, world.alice)
    return contracts


# Every block is a fixed number of queries for all contracts: SLA 1, perception 1, complaints
# 2, findings 2, meetings 2, SIPs 3 (with milestones and links) + their progress (SLA 1,
# perception 2 with this data).
HEALTH_QUERIES = 14


@pytest.mark.parametrize("count", [1, 3])
def test_health_queries_do_not_grow_with_contracts(world, count):
    contracts = _contracts(world, count)
    access = system_access(world.alpha)
    with tenant_scope(access), CaptureQueriesContext(connection) as queries:
        health = contract_health_many(access=access, contracts=contracts, today=TODAY)
    assert [h.findings_open for h in health.values()] == [3] * count
    assert len(queries) == HEALTH_QUERIES


PAGE_QUERIES = 22


@pytest.mark.parametrize("count", [1, 3])
def test_health_page_queries_do_not_grow_with_contracts(world, client_as, count):
    _contracts(world, count)
    client = client_as(world.alice)
    url = reverse("contract_health", kwargs={"org_slug": "alpha", "pk": world.alpha_contract.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) == PAGE_QUERIES


HOME_QUERIES = 31


@pytest.mark.parametrize("count", [1, 3])
def test_home_rows_queries_do_not_grow_with_contracts(world, client_as, count):
    contracts = _contracts(world, count)
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("organisation_home", kwargs={"org_slug": "alpha"})
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(queries) == HOME_QUERIES
    html = response.content.decode()
    for contract in contracts:
        assert f'data-testid="contract-row-{contract.pk}"' in html
    # Organisation-wide: 2 open complaints per contract, 1 overdue; 3 open findings.
    assert f'data-testid="complaints-open">{2 * count}<' in html
    assert f'data-testid="findings-open">{3 * count}<' in html
    row = html.split(f'data-testid="contract-row-{contracts[0].pk}"')[1].split("</tr>")[0]
    assert 'data-testid="row-flags">1<' in row
    assert 'data-testid="row-findings">3<' in row
    assert 'data-testid="row-complaints">2<' in row
