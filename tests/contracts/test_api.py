import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from contracts.models import Measurement, SLAReport
from tests.conftest import api_token_for
from tests.contracts.conftest import MIXED_ROWS, csv_file, last_month

JSON_ROWS = [
    {
        "code": "ANS30",
        "value": "77",
        "cause": "Piek",
        "impact": "Wachten",
        "corrective_action": "X",
    },
    {"code": "RES", "value": 96},
    {"code": "RESTORE", "value": 3.5},
]


def api(name, **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": "alpha", **kwargs})


def counts():
    with scopes_disabled():
        return SLAReport.objects.count(), Measurement.objects.count()


@pytest.fixture
def bob_api(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world.bob)}")
    return client


def post_rows(client, sla, rows=JSON_ROWS, **extra):
    return client.post(
        api("slareport-list"),
        {"contract": sla.contract.pk, "period": f"{last_month():%Y-%m}", "rows": rows, **extra},
        format="json",
    )


def test_json_dry_run_validates_and_stores_nothing(sla, bob_api):
    response = post_rows(bob_api, sla, dry_run=True)
    body = response.json()
    assert response.status_code == 200
    assert (body["dry_run"], body["created"], body["problems"], body["report"]) == (
        True,
        False,
        [],
        None,
    )
    assert [(r["code"], r["state"]) for r in body["rows"]] == [
        ("ANS30", "near_miss"),
        ("RES", "met"),
        ("RESTORE", "met"),
    ]
    assert counts() == (0, 0)


def test_json_upload_creates_and_the_same_rows_again_create_nothing(sla, bob_api):
    first = post_rows(bob_api, sla)
    again = post_rows(bob_api, sla)
    assert (first.status_code, first.json()["report"]["version"]) == (201, 1)
    assert [m["state"] for m in first.json()["report"]["measurements"]] == [
        "near_miss",
        "met",
        "met",
    ]
    assert (again.status_code, again.json()["created"], again.json()["report"]["id"]) == (
        200,
        False,
        first.json()["report"]["id"],
    )
    assert counts() == (1, 3)


def test_file_upload_by_api(sla, bob_api):
    response = bob_api.post(
        api("slareport-list"),
        {
            "contract": sla.contract.pk,
            "period": f"{last_month():%Y-%m}",
            "file": SimpleUploadedFile("r.csv", csv_file(MIXED_ROWS)),
        },
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["report"]["source_name"] == "r.csv"


def test_json_row_errors_are_listed(sla, bob_api):
    rows = [{"code": "ANS30", "value": "x"}, {"code": "NOPE", "value": 1}, {"value": 3}]
    response = post_rows(bob_api, sla, rows=rows)
    assert response.status_code == 400
    assert [(p["row"], p["column"], p["value"]) for p in response.json()["problems"]] == [
        (1, "value", "x"),
        (2, "code", "NOPE"),
        (3, "code", ""),
        (None, "code", "RES"),
        (None, "code", "RESTORE"),
    ]
    assert counts() == (0, 0)


def test_forged_contract_of_another_organisation_is_refused(sla, world, bob_api):
    response = bob_api.post(
        api("slareport-list"),
        {
            "contract": world.beta_northwind_contract.pk,
            "period": f"{last_month():%Y-%m}",
            "rows": JSON_ROWS,
        },
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["contract"])
    assert counts() == (0, 0)


def test_another_suppliers_contract_is_refused(sla, world):
    from contracts.models import Contract

    with scopes_disabled():
        other = Contract.objects.create(
            organisation=world.alpha, supplier=world.southwind, reference="A-9", title="x"
        )
    client = APIClient()
    client.force_login(world.bob)
    response = client.post(
        api("slareport-list"),
        {"contract": other.pk, "period": f"{last_month():%Y-%m}", "rows": JSON_ROWS},
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["contract"])


def test_viewer_and_manager_cannot_upload_by_api(sla, world):
    for actor in (world.victor, world.alice):
        client = APIClient()
        client.force_login(actor)
        assert post_rows(client, sla).status_code == 403, actor.username
    assert counts() == (0, 0)


def test_review_actions_by_api(sla, world, bob_api):
    report = post_rows(bob_api, sla).json()["report"]
    manager = APIClient()
    manager.force_login(world.alice)
    measurement = report["measurements"][0]["id"]
    assert bob_api.post(api("slareport-accept", pk=report["id"])).status_code == 403
    disputed = manager.post(
        api("slareport-dispute", pk=report["id"]),
        {"reasons": [{"measurement": measurement, "reason": "Telefooncentrale zegt 70"}]},
        format="json",
    )
    assert (disputed.status_code, disputed.json()["status"]) == (200, "disputed")
    assert disputed.json()["measurements"][0]["dispute_reason"] == "Telefooncentrale zegt 70"
    appealed = bob_api.post(
        api("slareport-appeal", pk=report["id"]), {"reason": "Logs bijgevoegd"}, format="json"
    )
    assert (appealed.status_code, appealed.json()["status"]) == (200, "appealed")
    accepted = manager.post(api("slareport-accept", pk=report["id"]))
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    again = manager.post(api("slareport-accept", pk=report["id"]))
    assert again.status_code == 400


def test_dispute_of_a_foreign_measurement_is_refused(sla, world, bob_api):
    report = post_rows(bob_api, sla).json()["report"]
    manager = APIClient()
    manager.force_login(world.alice)
    response = manager.post(
        api("slareport-dispute", pk=report["id"]),
        {"reasons": [{"measurement": 999999, "reason": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert SLAReport.objects.get().status == "submitted"


def test_viewer_cannot_review_by_api(sla, world, bob_api):
    report = post_rows(bob_api, sla).json()["report"]
    viewer = APIClient()
    viewer.force_login(world.victor)
    assert viewer.post(api("slareport-accept", pk=report["id"])).status_code == 403


def test_lists_and_filters(sla, world, bob_api):
    post_rows(bob_api, sla)
    client = APIClient()
    client.force_login(world.alice)
    levels = client.get(api("servicelevel-list"), {"contract": sla.contract.pk}).json()
    assert [(lv["code"], lv["dimensions"]) for lv in levels["results"]][0] == (
        "ANS30",
        [
            {"dimension": "empathy", "weight": "0.40"},
            {"dimension": "responsiveness", "weight": "0.60"},
        ],
    )
    missed = client.get(api("measurement-list"), {"state": "near_miss"}).json()
    assert [m["code"] for m in missed["results"]] == ["ANS30"]
    reports = client.get(api("slareport-list"), {"status": "submitted"}).json()
    assert len(reports["results"]) == 1
    services = client.get(api("service-list")).json()
    assert [s["name"] for s in services["results"]] == ["Servicedesk"]


@pytest.mark.parametrize(
    ("name", "queries"), [("slareport-list", 6), ("measurement-list", 6), ("servicelevel-list", 7)]
)
def test_api_list_query_count_does_not_grow(
    name, queries, sla, world, bob_api, django_assert_num_queries
):
    post_rows(bob_api, sla)
    client = APIClient()
    client.force_login(world.alice)
    with django_assert_num_queries(queries):
        client.get(api(name))
    for value in (90, 91):
        post_rows(bob_api, sla, rows=[{"code": "ANS30", "value": value}, *JSON_ROWS[1:]])
    with scopes_disabled():
        from contracts.models import ServiceLevel

        ServiceLevel.objects.create(
            organisation=world.alpha,
            contract=sla.contract,
            code="EXTRA",
            name="Extra",
            metric_kind="count",
            direction="lower",
            target=1,
            valid_from="2030-01-01",
        )
    with django_assert_num_queries(queries):
        client.get(api(name))


def test_schema_documents_the_contract_endpoints(db, client):
    response = client.get(reverse("api_schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    assert [
        p
        for p in (
            "/api/v1/o/{org_slug}/sla-reports/",
            "/api/v1/o/{org_slug}/sla-reports/{id}/accept/",
            "/api/v1/o/{org_slug}/sla-reports/{id}/dispute/",
            "/api/v1/o/{org_slug}/sla-reports/{id}/appeal/",
            "/api/v1/o/{org_slug}/measurements/",
            "/api/v1/o/{org_slug}/service-levels/",
            "/api/v1/o/{org_slug}/services/",
        )
        if p not in paths
    ] == []
