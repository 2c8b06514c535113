import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import Contract, Measurement, SLAReport, add_months
from contracts.services import contract_create, sla_report_upload
from governance.platform.access import access_for, tenant_scope
from tests.contracts.conftest import GOOD_ROWS, MIXED_ROWS, csv_file, in_window, last_month


def url(name, **kwargs):
    return reverse(f"contracts:{name}", kwargs={"org_slug": "alpha", **kwargs})


def counts():
    with scopes_disabled():
        return SLAReport.objects.count(), Measurement.objects.count()


def stored_report(sla, access, rows=MIXED_ROWS, period=None):
    period = period or last_month()
    with tenant_scope(access):
        return sla_report_upload(
            access=access,
            contract=sla.contract,
            period_start=period,
            content=csv_file(rows),
            name="r.csv",
            dry_run=False,
            now=in_window(period),
        ).report


def test_upload_preview_then_confirm_stores_the_report(sla, world, client_as):
    client = client_as(world.bob)
    period = f"{last_month():%Y-%m}"
    preview = client.post(
        url("report_upload", pk=sla.contract.pk),
        {"period": period, "file": SimpleUploadedFile("r.csv", csv_file(MIXED_ROWS))},
    )
    result = preview.context["result"]
    assert ([r.state for r in result.rows], result.problems, counts()) == (
        ["near_miss", "missed", "met"],
        [],
        (0, 0),
    )
    token = preview.context["token"]
    response = client.post(url("report_upload_confirm", pk=sla.contract.pk), {"token": token})
    with scopes_disabled():
        report = SLAReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("report_detail", pk=report.pk)
    assert (report.version, report.status, report.submitted_by, counts()) == (
        1,
        "submitted",
        world.bob,
        (1, 3),
    )
    # The token is used up: confirming again stores nothing.
    client.post(url("report_upload_confirm", pk=sla.contract.pk), {"token": token})
    assert counts() == (1, 3)


def test_confirm_with_a_forged_token_stores_nothing(sla, world, client_as):
    client = client_as(world.bob)
    client.post(
        url("report_upload", pk=sla.contract.pk),
        {
            "period": f"{last_month():%Y-%m}",
            "file": SimpleUploadedFile("r.csv", csv_file(GOOD_ROWS)),
        },
    )
    response = client.post(url("report_upload_confirm", pk=sla.contract.pk), {"token": "guess"})
    assert (response.status_code, counts()) == (302, (0, 0))


def test_viewer_and_manager_cannot_upload(sla, world, client_as):
    for actor in (world.victor, world.alice):
        client = client_as(actor)
        response = client.post(
            url("report_upload", pk=sla.contract.pk),
            {
                "period": f"{last_month():%Y-%m}",
                "file": SimpleUploadedFile("r.csv", csv_file(GOOD_ROWS)),
            },
        )
        assert response.status_code == 403, actor.username
    assert counts() == (0, 0)


def test_upload_to_another_organisations_contract_is_404(sla, world, client_as):
    client = client_as(world.bob)
    forged = reverse(
        "contracts:report_upload",
        kwargs={"org_slug": "alpha", "pk": world.beta_northwind_contract.pk},
    )
    response = client.post(
        forged,
        {
            "period": f"{last_month():%Y-%m}",
            "file": SimpleUploadedFile("r.csv", csv_file(GOOD_ROWS)),
        },
    )
    assert (response.status_code, counts()) == (404, (0, 0))


def test_manager_disputes_with_reasons_per_measurement(sla, world, client_as, bob_access):
    report = stored_report(sla, bob_access)
    with scopes_disabled():
        ids = {m.service_level.code: m.pk for m in report.measurements.all()}
    client = client_as(world.alice)
    empty = client.post(url("report_dispute", pk=report.pk), {})
    assert (empty.status_code, empty.context["error"]) == (
        400,
        "Give a reason for at least one disputed measurement.",
    )
    response = client.post(url("report_dispute", pk=report.pk), {f"reason-{ids['RES']}": "85"})
    assert response.status_code == 302
    with scopes_disabled():
        report.refresh_from_db()
        reasons = {m.service_level.code: m.dispute_reason for m in report.measurements.all()}
    assert (report.status, reasons) == ("disputed", {"ANS30": "", "RES": "85", "RESTORE": ""})


def test_supplier_appeals_and_manager_accepts(sla, world, client_as, bob_access):
    report = stored_report(sla, bob_access)
    with scopes_disabled():
        report.status = "disputed"
        report.save()
    client_as(world.bob).post(url("report_appeal", pk=report.pk), {"reason": "Zie logbestand"})
    with scopes_disabled():
        report.refresh_from_db()
    assert (report.status, report.appeal_reason) == ("appealed", "Zie logbestand")
    client_as(world.alice).post(url("report_accept", pk=report.pk))
    with scopes_disabled():
        report.refresh_from_db()
    assert (report.status, report.reviewed_by) == ("accepted", world.alice)


def test_viewer_cannot_accept_or_dispute(sla, world, client_as, bob_access):
    report = stored_report(sla, bob_access)
    client = client_as(world.victor)
    assert client.post(url("report_accept", pk=report.pk)).status_code == 403
    assert client.post(url("report_dispute", pk=report.pk), {}).status_code == 403
    with scopes_disabled():
        report.refresh_from_db()
    assert report.status == "submitted"


def test_report_detail_shows_states_and_explanations(sla, world, client_as, bob_access):
    report = stored_report(sla, bob_access)
    response = client_as(world.alice).get(url("report_detail", pk=report.pk))
    body = response.content.decode()
    assert [m.state for m in response.context["measurements"]] == ["near_miss", "missed", "met"]
    assert "Piek na storing" in body and 'data-testid="accept"' in body


def test_source_file_is_returned_byte_for_byte(sla, world, client_as, bob_access):
    report = stored_report(sla, bob_access)
    response = client_as(world.alice).get(url("report_source", pk=report.pk))
    assert response.content == csv_file(MIXED_ROWS)


def test_level_chart_plots_values_against_the_target(sla, world, client_as, bob_access):
    stored_report(sla, bob_access)
    response = client_as(world.alice).get(url("level_chart", pk=sla.answered.pk))
    assert [row["state"] for row in response.context["history"]] == ["near_miss"]
    assert "<svg" in response.context["chart"]


def test_contract_detail_shows_heatmap_and_on_time_rate(sla, world, client_as, bob_access):
    stored_report(sla, bob_access)
    response = client_as(world.alice).get(url("contract_detail", pk=sla.contract.pk))
    assert "<svg" in response.context["heatmap"]
    assert response.context["timeline"][0].missed == 2


def test_template_lists_the_contract_codes_in_both_formats(sla, world, client_as):
    client = client_as(world.bob)
    period = f"{last_month():%Y-%m}"
    text = client.get(
        url("report_template", pk=sla.contract.pk), {"format": "csv", "period": period}
    )
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert rows == [
        ["code", "value", "cause", "impact", "corrective_action", "name", "unit", "target"],
        ["ANS30", "", "", "", "", "Answered within 30 s", "%", "80"],
        ["RES", "", "", "", "", "Incidents resolved in time", "%", "95"],
        ["RESTORE", "", "", "", "", "Restore time", "h", "4"],
    ]
    xlsx = client.get(
        url("report_template", pk=sla.contract.pk), {"format": "xlsx", "period": period}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
        "code",
        "ANS30",
        "RES",
        "RESTORE",
    ]


def test_export_escapes_formulas(world, client_as):
    with scopes_disabled():
        world.alpha_contract.title = '=HYPERLINK("http://evil")'
        world.alpha_contract.save()
    client = client_as(world.alice)
    text = client.get(url("contract_export"), {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:3] == ["A-1", '\'=HYPERLINK("http://evil")', "Northwind"]
    xlsx = client.get(url("contract_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["B2"].value == '\'=HYPERLINK("http://evil")'
    assert sheet["B2"].data_type == "s"


def test_export_follows_the_filters(world, client_as):
    with scopes_disabled():
        Contract.objects.create(
            organisation=world.alpha, supplier=world.southwind, reference="A-2", title="Hosting"
        )
    text = client_as(world.alice).get(url("contract_export"), {"supplier": world.southwind.pk})
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["A-2"]


def test_contract_list_filters_by_status(world, client_as):
    with scopes_disabled():
        Contract.objects.create(
            organisation=world.alpha,
            supplier=world.southwind,
            reference="A-2",
            title="Hosting",
            status="active",
        )
    response = client_as(world.alice).get(url("contract_list"), {"status": "active"})
    assert [c.reference for c in response.context["contracts"]] == ["A-2"]


def add_two_contracts(world):
    with tenant_scope(access_for(world.alice, world.alpha)):
        for n in range(2, 4):
            contract_create(
                organisation=world.alpha, supplier=world.northwind, reference=f"A-{n}", title="x"
            )


def test_contract_list_query_count_does_not_grow(world, client_as, django_assert_num_queries):
    client = client_as(world.alice)
    # Two of them read the suppliers' reports on time (contracts and their reports).
    with django_assert_num_queries(11):
        client.get(url("contract_list"))
    add_two_contracts(world)
    with django_assert_num_queries(11):
        client.get(url("contract_list"))


def test_contract_export_query_count_does_not_grow(world, client_as, django_assert_num_queries):
    client = client_as(world.alice)
    with django_assert_num_queries(6):
        client.get(url("contract_export"), {"format": "xlsx"})
    add_two_contracts(world)
    with django_assert_num_queries(6):
        client.get(url("contract_export"), {"format": "xlsx"})


def test_home_shows_reports_awaiting_review_and_targets_not_met(sla, world, client_as, bob_access):
    stored_report(sla, bob_access)
    response = client_as(world.alice).get(
        reverse("organisation_home", kwargs={"org_slug": "alpha"})
    )
    sla_summary = response.context["sla"]
    assert (
        len(sla_summary["awaiting_review"]),
        [m.service_level.code for m in sla_summary["not_met"]],
    ) == (
        1,
        ["ANS30", "RES"],
    )


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():
        contract = Contract.objects.get(reference="ZR-2024-001")
        report = SLAReport.objects.filter(contract=contract).first()
    return contract, report


def test_cloudkern_gets_404_on_noordlichts_contracts_and_reports(demo, client):
    from django.contrib.auth import get_user_model

    contract, report = demo
    client.force_login(get_user_model().objects.get(username="supplier@cloudkern.example"))
    pages = [
        reverse("contracts:contract_detail", kwargs={"org_slug": "zuidrand", "pk": contract.pk}),
        reverse("contracts:report_detail", kwargs={"org_slug": "zuidrand", "pk": report.pk}),
        reverse("contracts:report_source", kwargs={"org_slug": "zuidrand", "pk": report.pk}),
        reverse("contracts:report_upload", kwargs={"org_slug": "zuidrand", "pk": contract.pk}),
        reverse("api:contract-detail", kwargs={"org_slug": "zuidrand", "pk": contract.pk}),
        reverse("api:slareport-detail", kwargs={"org_slug": "zuidrand", "pk": report.pk}),
    ]
    assert [client.get(page).status_code for page in pages] == [404] * len(pages)
    listed = client.get(reverse("api:slareport-list", kwargs={"org_slug": "zuidrand"})).json()
    with scopes_disabled():
        own = Contract.objects.get(reference="ZR-2025-004").pk
    assert {row["contract"] for row in listed["results"]} == {own}


def test_demo_data_has_two_years_a_dispute_and_a_late_report(demo):
    contract, _report = demo
    with scopes_disabled():
        reports = SLAReport.objects.filter(contract=contract)
        # Every month from the start (January 2024) to two months ago; last month is due now.
        first, last = reports.order_by("period_start")[0], reports.order_by("-period_start")[0]
        assert (first.period_start, last.period_start) == (
            date(2024, 1, 1),
            add_months(date.today().replace(day=1), -2),
        )
        assert reports.count() >= 24
        assert reports.filter(status="disputed").count() == 1
        assert reports.filter(is_late=True).count() == 1
        missed = Measurement.objects.filter(report__contract=contract).exclude(state="met")
        assert missed.count() > 0
        assert missed.filter(deviation_cause="").count() == 0
