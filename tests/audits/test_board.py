"""The findings board, its export and the ranking API: the number of queries must not grow with
the number of findings (with the real impact sources registered, not a stub), the export is the
ranking as a spreadsheet, and checklist items can be added through the API."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from audits import services
from audits.models import Audit, ChecklistItem, Result
from contracts import services as contract_services
from governance.platform import impact
from tests.audits.helpers import TODAY, make_setup, manager, supplier

# Queries of the board and the ranking API, with the real impact sources registered.
BOARD_QUERIES = 14
RANKING_API_QUERIES = 11


def _findings(world, count):
    """`count` open findings over five audits, about the service desk alone or the desk and
    hosting together (two distinct sets of affected services, whatever the count)."""
    with scopes_disabled():
        desk = contract_services.service_create(contract=world.alpha_contract, name="Desk")
        hosting = contract_services.service_create(contract=world.alpha_contract, name="Hosting")
        audits = []
        for n in range(5):
            audit = services.audit_create(
                access=supplier(world),
                contract=world.alpha_contract,
                title=f"Audit {n}",
                planned_date=TODAY - timedelta(days=n),
            )
            audits.append(
                services.audit_transition(access=supplier(world), audit=audit, status="in_progress")
            )
        for n in range(count):
            finding = services.finding_create(
                access=supplier(world),
                audit=audits[n % 5],
                title=f"Finding {n}",
                description="d",
                grade=[Result.MAJOR, Result.MINOR, Result.OBSERVATION][n % 3],
                services=[desk] if n % 2 else [desk, hosting],
            )
            services.action_create(
                access=supplier(world),
                finding=finding,
                description="a",
                owner_side="supplier",
                supplier_owner=world.bob,
                due_date=TODAY,
            )
            if n % 4 == 0:
                services.finding_set_priority(
                    access=manager(world), finding=finding, priority=1 + n % 5
                )


def test_the_real_impact_sources_are_registered():
    """The query counts below include what complaints and the KTO gap analysis cost."""
    assert sorted(source.__module__ for source in impact._sources) == [
        "complaints.selectors",
        "kto.gaps.handlers",
    ]


@pytest.mark.parametrize("count", [2, 12])
def test_board_queries_do_not_grow_with_findings(
    world, client_as, django_assert_num_queries, count
):
    _findings(world, count)
    client = client_as(world.alice)
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse("audits:finding_board", args=["alpha"]))
    assert len(response.context["ranked"]) == count
    with django_assert_num_queries(11):
        response = client.get(reverse("audits:finding_export", args=["alpha"]), {"format": "csv"})
    assert response.content.decode("utf-8-sig").count("\n") == count + 1
    with django_assert_num_queries(RANKING_API_QUERIES):
        response = client.get(reverse("api:audit-finding-ranking", kwargs={"org_slug": "alpha"}))
    assert len(response.json()) == count


@pytest.mark.parametrize("count", [2, 12])
def test_audit_page_queries_do_not_grow_with_findings(
    world, client_as, django_assert_num_queries, count
):
    _findings(world, count * 5)  # `count` findings on each of the five audits
    with scopes_disabled():
        audit = Audit.objects.get(title="Audit 0")
    client = client_as(world.alice)
    # 27: twenty-one for the page, six for its History section (the audit's rows with the sets
    # of services and observers they keep, and the checklist's).
    with django_assert_num_queries(27):
        response = client.get(reverse("audits:audit_detail", args=["alpha", audit.pk]))
    assert len(response.context["ranked"]) == count


@pytest.fixture
def ranked_world(world, monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])
    setup = make_setup(world)
    with scopes_disabled():
        second = services.finding_create(
            access=supplier(world),
            audit=setup.audit,
            title="=HYPERLINK(evil)",
            description="d",
            grade=Result.MINOR,
            services=[setup.desk, setup.hosting],
        )
        services.finding_set_priority(access=manager(world), finding=second, priority=4)
        # A strength is no bottleneck and is left out.
        services.finding_create(
            access=supplier(world), audit=setup.audit, title="S", description="d", grade="strength"
        )
    return setup, second


def test_export_csv_is_the_ranking_with_formulas_escaped(world, client_as, ranked_world):
    setup, _second = ranked_world
    response = client_as(world.victor).get(
        reverse("audits:finding_export", args=["alpha"]),
        {"format": "csv"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["Content-Disposition"] == 'attachment; filename="audit-findings.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "Rank",
            "Contract",
            "Audit",
            "Finding",
            "Grade",
            "ISO 9001 clause",
            "Affected services",
            "Client's priority",
            "End-user impact (%)",
            "Score (%)",
            "Open actions",
        ],
        [
            "1",
            "A-1",
            "Operational audit Q4",
            "'=HYPERLINK(evil)",
            "Minor nonconformity",
            "",
            "Hosting, Servicedesk",
            "4",
            "",
            "80",
            "0",
        ],
        [
            "2",
            "A-1",
            "Operational audit Q4",
            "Escalation not followed",
            "Major nonconformity",
            "8.5",
            "Servicedesk",
            "",
            "",
            "",
            "1",
        ],
    ]


def test_export_xlsx_and_filters(world, client_as, ranked_world):
    response = client_as(world.bob).get(
        reverse("audits:finding_export", args=["alpha"]),
        {"format": "xlsx", "grade": "major_nc"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[0], row[3], row[6]) for row in values] == [
        (1, "Escalation not followed", "Servicedesk")
    ]


def test_export_of_another_organisation_or_supplier_is_404(world, client_as, ranked_world):
    url = reverse("audits:finding_export", args=["alpha"])
    assert client_as(world.charlie).get(url).status_code == 404
    assert client_as(world.dave).get(url).status_code == 404
    assert client_as(world.alice).get(url, {"format": "pdf"}).status_code == 404


# --- checklist items through the API -------------------------------------------------------


def test_auditor_adds_own_checklist_question_through_the_api(world, client_as, ranked_world):
    setup, _second = ranked_world
    url = reverse("api:audit-checklist-item-list", kwargs={"org_slug": "alpha"})
    payload = {"audit": setup.audit.pk, "question": "Is the on-call rota known?", "clause": "7.3"}
    response = client_as(world.bob).post(url, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source"], body["level"], body["clause"], body["result"]) == (
        "own",
        "both",
        "7.3",
        "",
    )
    assert client_as(world.victor).post(url, payload).status_code == 403
    assert client_as(world.charlie).post(url, payload).status_code == 404
    assert client_as(world.dave).post(url, payload).status_code == 404
    with scopes_disabled():
        assert ChecklistItem.objects.filter(question="Is the on-call rota known?").count() == 1


def test_checklist_question_refused_on_reported_audit_or_foreign_audit(
    world, client_as, ranked_world
):
    setup, _second = ranked_world
    beta = make_setup(world, world.beta, world.beta_northwind_contract, prefix="Beta desk ")
    url = reverse("api:audit-checklist-item-list", kwargs={"org_slug": "alpha"})
    response = client_as(world.bob).post(url, {"audit": beta.audit.pk, "question": "x"})
    assert (response.status_code, list(response.json())) == (400, ["audit"])
    with scopes_disabled():
        for item in setup.audit.checklist.filter(result=""):
            services.checklist_item_record(access=supplier(world), item=item, result="conform")
        services.audit_transition(access=supplier(world), audit=setup.audit, status="reported")
    response = client_as(world.alice).post(
        url, {"audit": setup.audit.pk, "question": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": ["The checklist of a reported audit can no longer change."]
    }


def _findings_over_sets(world, sets):
    """Six open findings whose affected services form `sets` distinct sets (of five services)."""
    with scopes_disabled():
        catalogue = [
            contract_services.service_create(contract=world.alpha_contract, name=f"Service {n}")
            for n in range(5)
        ]
        audit = services.audit_create(
            access=supplier(world),
            contract=world.alpha_contract,
            title="Audit",
            planned_date=TODAY,
        )
        audit = services.audit_transition(access=supplier(world), audit=audit, status="in_progress")
        combinations = [catalogue[:1], catalogue[1:3], catalogue[2:5], catalogue[3:4], catalogue]
        for n in range(6):
            services.finding_create(
                access=supplier(world),
                audit=audit,
                title=f"Finding {n}",
                description="d",
                grade=Result.MINOR,
                services=combinations[n % sets],
            )


@pytest.mark.parametrize("sets", [1, 5])
def test_board_queries_do_not_grow_with_distinct_service_sets(
    world, client_as, django_assert_num_queries, sets
):
    """Every impact source is asked once for all sets of affected services."""
    _findings_over_sets(world, sets)
    client = client_as(world.alice)
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse("audits:finding_board", args=["alpha"]))
    ranked = response.context["ranked"]
    assert len({tuple(s.pk for s in r.services) for r in ranked}) == sets
    with django_assert_num_queries(RANKING_API_QUERIES):
        response = client.get(reverse("api:audit-finding-ranking", kwargs={"org_slug": "alpha"}))
    assert len(response.json()) == 6
