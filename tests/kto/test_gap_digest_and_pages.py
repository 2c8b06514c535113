"""The digest, the report PDF, the pages and the API of the gap analysis."""

from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform.models import OutboxMessage
from governance.platform.outbox import outbox_relay
from kto.gaps.digest import digest_due_key, gap_digest_send
from kto.gaps.models import GapAnalysisRun, GapDigestSchedule, GapFlag, GapReport
from kto.gaps.tasks import task_render_gap_report, task_run_gap_analysis, task_send_gap_digest
from tests.kto.test_gap_engine import GREEN, NOVEMBER, OCTOBER, RED, UNHAPPY, figures, run_gap
from tests.pdf_text import pdf_text

__all__ = ["figures"]
CANARY = "Canary-Beta-7f3a"


@pytest.fixture
def flagged(world, figures):
    """Alpha: a confirmed watermelon; Beta: a both-red on a contract titled with a canary."""
    for period in (OCTOBER, NOVEMBER):
        figures[(world.alpha_contract.pk, period)] = (
            {"responsiveness": GREEN},
            {"responsiveness": UNHAPPY},
        )
        figures[(world.beta_northwind_contract.pk, period)] = (
            {"reliability": RED},
            {"reliability": UNHAPPY},
        )
    with scopes_disabled():
        world.beta_northwind_contract.title = CANARY
        world.beta_northwind_contract.save()
    for org in (world.alpha, world.beta):
        run_gap(org, OCTOBER)
    runs = {org.slug: run_gap(org, NOVEMBER) for org in (world.alpha, world.beta)}
    return runs


def test_digest_goes_once_to_the_organisations_managers(world, flagged):
    gap_digest_send(organisation=world.alpha, period_start=NOVEMBER, schedule_key="monthly")
    gap_digest_send(organisation=world.alpha, period_start=NOVEMBER, schedule_key="monthly")
    [message] = OutboxMessage.objects.all()
    assert message.to == ["alice@example.test"]
    # Alpha's default language is Dutch.
    assert "A-1" in message.body_text and "Watermeloen" in message.body_text
    assert CANARY not in message.body_text and CANARY not in message.body_html
    [attachment] = message.attachments.all()
    assert bytes(attachment.content).startswith(b"%PDF-")
    assert CANARY.encode() not in bytes(attachment.content)


def test_digest_task_twice_and_relay_twice_sends_one_mail(world, flagged):
    for _ in range(2):
        task_send_gap_digest.apply(
            kwargs={
                "organisation_id": world.alpha.pk,
                "period_start": NOVEMBER.isoformat(),
                "schedule_key": "monthly",
            }
        )
        outbox_relay()
    assert [m.to for m in mail.outbox] == [["alice@example.test"]]
    assert mail.outbox[0].attachments[0].mimetype == "application/pdf"


def test_suppliers_get_their_own_contracts_only(world, flagged):
    with scopes_disabled():
        GapDigestSchedule.objects.create(organisation=world.beta, include_suppliers=True)
    gap_digest_send(organisation=world.beta, period_start=NOVEMBER, schedule_key="monthly")
    by_recipient = {tuple(m.to): m for m in OutboxMessage.objects.all()}
    assert sorted(by_recipient) == [
        ("bob@example.test",),
        ("charlie@example.test",),
        ("dave@example.test",),
    ]
    assert "B-1" in by_recipient[("bob@example.test",)].body_text
    assert "B-1" not in by_recipient[("dave@example.test",)].body_text


@pytest.mark.parametrize(
    ("frequency", "day", "expected"),
    [
        ("monthly", date(2026, 12, 12), "monthly"),
        ("monthly", date(2026, 12, 13), None),
        ("weekly", date(2026, 12, 7), "weekly-2026-W50"),
        ("weekly", date(2026, 12, 8), None),
    ],
)
def test_digest_schedule(world, frequency, day, expected):
    schedule = GapDigestSchedule(organisation=world.alpha, frequency=frequency, weekday=0)
    assert digest_due_key(schedule=schedule, today=day) == expected


def test_report_pdf_has_pages_and_no_other_tenant(world, flagged, tmp_path):
    task_render_gap_report.apply(
        kwargs={"organisation_id": world.alpha.pk, "run_id": flagged["alpha"].pk}
    )
    with scopes_disabled():
        report = GapReport.objects.get()
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF-") and report.pages >= 1
    assert CANARY.encode() not in pdf
    text = pdf_text(pdf)
    assert "A-1" in text and CANARY not in text


def test_report_task_delivered_twice_renders_one_report(world, flagged):
    kwargs = {"organisation_id": world.alpha.pk, "run_id": flagged["alpha"].pk}
    first = task_render_gap_report.apply(kwargs=kwargs).get()
    second = task_render_gap_report.apply(kwargs=kwargs).get()
    with scopes_disabled():
        assert list(GapReport.objects.values_list("pk", flat=True)) == [first]
    assert second == first


def test_a_run_whose_worker_kept_dying_is_marked_failed(world):
    with scopes_disabled():
        run = GapAnalysisRun.objects.create(
            organisation=world.alpha,
            period_start=NOVEMBER,
            period_end=date(2026, 11, 30),
            trigger=GapAnalysisRun.Trigger.NIGHTLY,
            status=GapAnalysisRun.Status.RUNNING,
        )
        task_run_gap_analysis.on_abandoned(organisation_id=world.alpha.pk, run_id=run.pk)
        run.refresh_from_db()
    assert (run.status, run.error) == (
        "failed",
        "The worker running it was lost repeatedly; start the run again.",
    )


def test_matrix_page_shows_flags_and_hides_the_other_tenant(world, flagged, client_as):
    response = client_as(world.alice).get(reverse("kto_gap:matrix", kwargs={"org_slug": "alpha"}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "flag-watermelon" in body and CANARY not in body
    assert [row["contract"].reference for row in response.context["rows"]] == ["A-1"]


def test_flag_page_gives_the_reason_and_figures(world, flagged, client_as):
    with scopes_disabled():
        flag = GapFlag.objects.get(
            contract=world.alpha_contract, dimension="responsiveness", period_start=NOVEMBER
        )
    client = client_as(world.alice)
    response = client.get(
        reverse("kto_gap:flag", kwargs={"org_slug": "alpha", "pk": flag.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["reason"] == flag.reason_en
    body = response.content.decode()
    assert "SD-01" in body
    # The evidence: p of this cell alone and q over Alpha's month (one judged cell: q = p).
    assert flag.p_value < 0.0001 and flag.q_value == flag.p_value
    assert "p &lt; 0.0001" in body and "q &lt; 0.0001" in body
    assert "too far below to be chance" in flag.reason_en


def test_manager_starts_a_run_viewer_may_not(world, client_as, django_capture_on_commit_callbacks):
    url = reverse("kto_gap:run_start", kwargs={"org_slug": "alpha"})
    assert client_as(world.victor).post(url, {"period": "2026-11-01"}).status_code == 403
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as(world.alice).post(url, {"period": "2026-11-15"})
    with scopes_disabled():
        run = GapAnalysisRun.objects.get()
    assert (run.period_start, run.trigger, len(callbacks)) == (NOVEMBER, "manual", 1)
    assert response["Location"] == reverse(
        "kto_gap:run_detail", kwargs={"org_slug": "alpha", "pk": run.pk}
    )


def test_a_run_started_while_the_broker_is_down_says_so_instead_of_failing(
    world, client_as, django_capture_on_commit_callbacks
):
    url = reverse("kto_gap:run_start", kwargs={"org_slug": "alpha"})
    with (
        mock.patch.object(task_run_gap_analysis, "apply_async", side_effect=OSError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_as(world.alice).post(url, {"period": "2026-11-15"})
    with scopes_disabled():
        run = GapAnalysisRun.objects.get()
    assert response.status_code == 302
    assert (run.status, run.error) == (
        "failed",
        "The task queue was unreachable; start the run again.",
    )


def test_run_start_with_a_bad_period_stores_nothing(world, client_as):
    url = reverse("kto_gap:run_start", kwargs={"org_slug": "alpha"})
    client_as(world.alice).post(url, {"period": "november"})
    with scopes_disabled():
        assert GapAnalysisRun.objects.count() == 0


def test_supplier_sees_its_own_flags_only_in_the_api(world, flagged, client_as):
    client = client_as(world.bob)
    rows = client.get(reverse("api:gap-flag-list", kwargs={"org_slug": "beta"})).json()["results"]
    assert {r["contract_reference"] for r in rows} == {"B-1"}
    assert client.get(reverse("api:gap-run-list", kwargs={"org_slug": "beta"})).status_code == 404


def test_api_filters_flags(world, flagged, client_as):
    client = client_as(world.alice)
    url = reverse("api:gap-flag-list", kwargs={"org_slug": "alpha"})
    rows = client.get(url, {"flag": "watermelon", "confirmed": "true"}).json()["results"]
    assert [(r["dimension"], r["period_start"]) for r in rows] == [("responsiveness", "2026-11-01")]
    assert 0 < rows[0]["p_value"] < 1e-5 and rows[0]["q_value"] == rows[0]["p_value"]


def test_matrix_page_queries_do_not_grow_with_contracts(world, figures, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contracts.models import Contract

    client = client_as(world.alice)
    url = reverse("kto_gap:matrix", kwargs={"org_slug": "alpha"})

    def queries_with(contracts) -> int:
        for contract in contracts:
            for period in (OCTOBER, NOVEMBER):
                figures[(contract.pk, period)] = (
                    {"responsiveness": GREEN},
                    {"responsiveness": UNHAPPY},
                )
        run_gap(world.alpha, OCTOBER)
        run_gap(world.alpha, NOVEMBER)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context["rows"]) == len(contracts)
        assert response.content.decode().count("flag-watermelon") >= len(contracts)
        return len(queries)

    one = queries_with([world.alpha_contract])
    with scopes_disabled():
        more = [
            Contract.objects.create(
                organisation=world.alpha,
                supplier=world.northwind,
                reference=f"A-{number}",
                title=f"Alpha {number}",
            )
            for number in (2, 3)
        ]
    assert queries_with([world.alpha_contract, *more]) == one
