"""Exports where there is a table: each download holds the rows the page shows the same user,
with hand-checked values, as CSV and as XLSX."""

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from kto.models import StakeholderGroup
from tests.contracts.samples import contract_samples
from tests.kto.flags import make_flag
from tests.kto.helpers import make_survey, raw_answers, submit
from tests.meetings.helpers import make_meetings
from tests.simulations.helpers import make_chain


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def manager(client_as, world):
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_sip_export_lists_the_programmes_with_their_tracks(manager, world):
    make_meetings(world)
    url = reverse("meetings:sip_export", args=["alpha"])
    rows = rows_of(manager.get(url))
    assert rows[0][:2] == ["Programme", "Contract"]
    assert rows[1] == [
        "Desk reachability",
        "A-1",
        "alice@example.test",
        "bob@example.test",
        "85.0",
        "95.0",  # the sample report of January 2025 after the December 2024 baseline
        "95.0",
        "3.1",
        "",
        "3.8",
        "Active",
    ]
    assert len(rows) == 2
    # The page's filter applies: no programme is completed.
    assert len(rows_of(manager.get(url, {"status": "completed"}))) == 1
    assert xlsx_rows(manager.get(url, {"format": "xlsx"}))[1][0] == "Desk reachability"


def test_lesson_export_follows_the_category_filter(manager, world):
    make_chain(world.alpha, world.alpha_contract, run=False)
    url = reverse("simulations:lesson_export", args=["alpha"])
    header = ["Year", "Category", "Lesson", "Exercise", "Times learned"]
    assert rows_of(manager.get(url)) == [
        header,
        ["2025", "Capacity and availability", "Nobody answers", "Friday evening outage", "1"],
    ]
    assert rows_of(manager.get(url, {"category": "tooling"})) == [header]


def test_meeting_action_export(manager, world):
    meetings = make_meetings(world)
    url = reverse("meetings:action_export", args=["alpha", meetings.past.pk])
    assert rows_of(manager.get(url)) == [
        ["Action", "Owner side", "Owner", "Due", "Status", "Done"],
        ["Extend desk hours", "Supplier", "S. Manager", "2026-02-15", "Open", ""],
    ]


def test_sla_report_timeline_and_measurement_exports(manager, world):
    samples = contract_samples(world)
    timeline = rows_of(
        manager.get(reverse("contracts:report_export", args=["alpha", 1 * world.alpha_contract.pk]))
    )
    assert timeline == [
        ["Period", "Version", "Status", "Submitted", "Late", "Not met"],
        ["2025-01", "1", "Submitted", "", "no", "0"],
    ]
    report = samples["sla_report"]
    measurements = rows_of(
        manager.get(reverse("contracts:measurement_export", args=["alpha", report.pk]))
    )
    assert measurements[1][:6] == ["SAMPLE", "Sample level", "95.0000", "", "90.0000", "Met"]


def test_gap_matrix_export_hides_a_mean_below_the_anonymity_floor(manager, world):
    make_flag(world)  # responsiveness: a watermelon, n = 60
    make_flag(world, dimension="reliability", n=3, k=5)  # too few answers to show a mean
    url = reverse("kto_gap:matrix_export", args=["alpha"])
    rows = rows_of(manager.get(url, {"period": "2026-10-01"}))
    by_dimension = {row[3]: row for row in rows[1:]}
    assert len(rows) == 1 + 5  # one contract × five dimensions
    responsiveness = by_dimension["Responsiveness"]
    assert responsiveness[:6] == [
        "2026-10",
        "A-1",
        "Northwind",
        "Responsiveness",
        "Watermelon",
        "no",
    ]
    assert responsiveness[9:14] == ["60", "2.95", "2.72", "3.18", "3.5"]
    assert by_dimension["Reliability"][9:13] == ["3", "", "", ""]
    assert by_dimension["Assurance"][4:] == [""] * 11
    # The flag filter of the page: only rows with a watermelon somewhere.
    with scopes_disabled():
        from contracts.models import Contract

        Contract.objects.create(
            organisation=world.alpha, supplier=world.northwind, reference="A-2", title="Other"
        )
    filtered = rows_of(manager.get(url, {"period": "2026-10-01", "flag": "watermelon"}))
    assert {row[1] for row in filtered[1:]} == {"A-1"}


def test_kto_results_export_equals_the_page(manager, world):
    survey = make_survey(world.alpha, [world.alpha_contract], groups=[StakeholderGroup.END_USERS])
    for _n in range(6):
        submit(
            survey, world.alpha_contract, StakeholderGroup.END_USERS, raw_answers(survey, likert=4)
        )
    page = manager.get(reverse("kto:survey_results", args=["alpha", survey.pk]))
    shown = page.context["results"].contracts[0].groups[0]
    rows = rows_of(manager.get(reverse("kto:survey_results_export", args=["alpha", survey.pk])))
    header, lines = rows[0], rows[1:]
    assert header[:6] == [
        "Contract",
        "Group",
        "Respondents",
        "Response rate",
        "Reliability",
        "Reliability 95% CI low",
    ]
    end_users = next(line for line in lines if line[1] == "End users")
    assert end_users[:3] == ["A-1", "End users", "6"]
    reliability = header.index("Reliability")
    assert float(end_users[reliability]) == 4.0 == shown.perception["reliability"].mean
    # The whole organisation's row first, then the contract's group and its total.
    assert [line[:2] for line in lines] == [
        ["", "All contracts"],
        ["A-1", "End users"],
        ["A-1", "All groups"],
    ]


def test_exports_are_refused_to_another_organisation(client_as, world):
    make_meetings(world)
    response = client_as(world.dave).get(reverse("meetings:sip_export", args=["alpha"]))
    assert response.status_code == 404
