"""Writes of the contract register through the API: contracts, services with their weekly
window, service levels and amendments, expectations and information needs.

alice (contract manager of Alpha) writes; victor (viewer) and bob (Northwind's user) are
refused with 403; charlie (manager of Beta) meets 404; ids of Beta's records are a 400 naming
the field. Every write leaves one history row per record it changes, by alice."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from contracts import services
from contracts.models import (
    Contract,
    Expectation,
    InformationNeed,
    Service,
    ServiceHours,
    ServiceLevel,
    ServiceLevelDimension,
)
from tests.conftest import api_token_for


def url(name, org="alpha", **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": org, **kwargs})


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def alice(world):
    return client_for(world.alice)


@pytest.fixture
def outsiders(world):
    """(client, status) of everyone who may not write Alpha's register."""
    return [
        (client_for(world.victor), 403),
        (client_for(world.bob), 403),
        (client_for(world.charlie), 404),
    ]


def trail(model, pk) -> list[tuple[str, str]]:
    """The record's history rows, oldest first: (type, username; None for the fixtures)."""
    with scopes_disabled():
        rows = model.history.filter(id=pk).order_by("history_id")
        return [(row.history_type, getattr(row.history_user, "username", None)) for row in rows]


def count(model) -> int:
    with scopes_disabled():
        return model.objects.count()


@pytest.fixture
def desk(world):
    """Service "Desk" of A-1, open Monday 08:00–17:00."""
    with scopes_disabled():
        return services.service_create(
            contract=world.alpha_contract, name="Desk", hours=[(0, time(8), time(17))]
        )


@pytest.fixture
def level(world, desk):
    """ANS30 of A-1 from 2025-01-01: 80 %, higher is better, mapped to responsiveness."""
    with scopes_disabled():
        return services.service_level_create(
            contract=world.alpha_contract,
            service=desk,
            code="ANS30",
            name="Answered in 30 s",
            metric_kind="percentage",
            direction="higher",
            target=Decimal("80"),
            valid_from=date(2025, 1, 1),
            dimensions={"responsiveness": Decimal("0.60")},
        )


# --- contracts -----------------------------------------------------------------------------

NEW_CONTRACT = {
    "reference": "A-2",
    "title": "Hosting",
    "status": "active",
    "start_date": "2025-01-01",
    "end_date": "2099-12-31",
    "notice_period_months": 6,
    "renewal": "tacit",
    "renewal_term_months": 24,
    "value": "125000.00",
}


def test_contract_create_stores_the_terms_with_one_history_row(world, alice):
    response = alice.post(
        url("contract-list"), {**NEW_CONTRACT, "supplier": world.northwind.pk}, format="json"
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["reference"], body["supplier"], body["notice_period_months"]) == (
        "A-2",
        "Northwind",
        6,
    )
    # 2099-12-31 less six months is Tuesday 2099-06-30, a working day.
    assert body["next_notice_deadline"] == "2099-06-30"
    with scopes_disabled():
        contract = Contract.objects.get(pk=body["id"])
    assert (contract.organisation, contract.renewal_term_months, contract.value) == (
        world.alpha,
        24,
        Decimal("125000.00"),
    )
    assert trail(Contract, contract.pk) == [("+", "alice")]


def test_contract_update_changes_notice_and_renewal(world, alice):
    pk = world.alpha_contract.pk
    response = alice.patch(
        url("contract-detail", pk=pk),
        {"notice_period_months": 2, "renewal": "explicit", "end_date": "2099-12-31"},
        format="json",
    )
    assert response.status_code == 200
    # Explicit renewal: decide by 2099-10-31 (a Saturday), so the Friday before.
    assert response.json()["next_notice_deadline"] == "2099-10-30"
    with scopes_disabled():
        contract = Contract.objects.get(pk=pk)
    assert (contract.notice_period_months, contract.renewal, contract.title) == (
        2,
        "explicit",
        "Alpha desk",
    )
    assert trail(Contract, pk) == [("+", None), ("~", "alice")]


def test_contract_put_replaces_the_terms(world, alice):
    pk = world.alpha_contract.pk
    response = alice.put(url("contract-detail", pk=pk), NEW_CONTRACT, format="json")
    assert response.status_code == 200
    with scopes_disabled():
        contract = Contract.objects.get(pk=pk)
    assert (contract.reference, contract.title, contract.supplier) == (
        "A-2",
        "Hosting",
        world.northwind,
    )
    assert trail(Contract, pk) == [("+", None), ("~", "alice")]


def test_contract_with_an_end_before_its_start_is_refused_naming_the_field(world, alice):
    pk = world.alpha_contract.pk
    response = alice.patch(
        url("contract-detail", pk=pk),
        {"start_date": "2026-01-01", "end_date": "2025-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date lies before the start date."]}
    with scopes_disabled():
        assert Contract.objects.get(pk=pk).start_date is None
    assert trail(Contract, pk) == [("+", None)]


def test_contract_reference_taken_is_refused_by_the_service(world, alice):
    response = alice.post(
        url("contract-list"),
        {**NEW_CONTRACT, "reference": "A-1", "supplier": world.northwind.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "reference": ["The organisation already has a contract with this reference."]
    }
    assert count(Contract) == 3


def test_contract_with_a_supplier_the_organisation_does_not_work_with_is_400(world, alice):
    # Southwind serves Beta only.
    response = alice.post(
        url("contract-list"), {**NEW_CONTRACT, "supplier": world.southwind.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["supplier"]
    assert count(Contract) == 3


def test_contract_writes_refused_to_viewer_supplier_and_other_tenant(world, outsiders):
    pk = world.alpha_contract.pk
    data = {**NEW_CONTRACT, "supplier": world.northwind.pk}
    for client, status in outsiders:
        assert client.post(url("contract-list"), data, format="json").status_code == status
        patch = client.patch(url("contract-detail", pk=pk), {"title": "X"}, format="json")
        assert patch.status_code == status
    # Beta's manager under Beta's own address, with Alpha's contract: 404 as well.
    charlie = client_for(world.charlie)
    response = charlie.patch(url("contract-detail", "beta", pk=pk), {"title": "X"}, format="json")
    assert response.status_code == 404
    assert count(Contract) == 3
    assert trail(Contract, pk) == [("+", None)]


# --- services ------------------------------------------------------------------------------

SPLIT_MONDAY = [
    {"weekday": 0, "opens": "13:00", "closes": "17:00"},
    {"weekday": 0, "opens": "08:00", "closes": "12:00"},
    {"weekday": 1, "opens": "08:00", "closes": "17:00"},
]


def test_service_create_stores_the_weekly_window(world, alice):
    response = alice.post(
        url("service-list"),
        {
            "contract": world.alpha_contract.pk,
            "name": "Servicedesk",
            "criticality": "high",
            "opening_hours": SPLIT_MONDAY,
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["name"], body["criticality"], body["open_on_holidays"]) == (
        "Servicedesk",
        "high",
        False,
    )
    assert body["opening_hours"] == [
        {"weekday": 0, "opens": "08:00:00", "closes": "12:00:00"},
        {"weekday": 0, "opens": "13:00:00", "closes": "17:00:00"},
        {"weekday": 1, "opens": "08:00:00", "closes": "17:00:00"},
    ]
    assert trail(Service, body["id"]) == [("+", "alice")]
    with scopes_disabled():
        hours = ServiceHours.objects.filter(service_id=body["id"])
        hours = list(hours.values_list("pk", flat=True))
    assert [trail(ServiceHours, pk) for pk in hours] == [[("+", "alice")]] * 3


def test_service_update_without_hours_keeps_the_window(desk, alice):
    response = alice.patch(
        url("service-detail", pk=desk.pk), {"open_on_holidays": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["opening_hours"] == [
        {"weekday": 0, "opens": "08:00:00", "closes": "17:00:00"}
    ]
    assert trail(Service, desk.pk) == [("+", None), ("~", "alice")]
    assert count(ServiceHours) == 1


def test_service_update_replaces_the_window(desk, alice):
    with scopes_disabled():
        old = desk.opening_hours.get()
    response = alice.patch(
        url("service-detail", pk=desk.pk), {"opening_hours": SPLIT_MONDAY[:2]}, format="json"
    )
    assert response.status_code == 200
    assert [h["opens"] for h in response.json()["opening_hours"]] == ["08:00:00", "13:00:00"]
    assert trail(ServiceHours, old.pk) == [("+", None), ("-", "alice")]
    assert count(ServiceHours) == 2


def test_service_with_overlapping_hours_is_refused_and_nothing_is_stored(world, alice):
    response = alice.post(
        url("service-list"),
        {
            "contract": world.alpha_contract.pk,
            "name": "Servicedesk",
            "opening_hours": [
                {"weekday": 2, "opens": "08:00", "closes": "12:00"},
                {"weekday": 2, "opens": "11:00", "closes": "17:00"},
                {"weekday": 3, "opens": "17:00", "closes": "08:00"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "opening_hours": [
            "Wednesday 11:00–17:00 overlaps Wednesday 08:00–12:00.",
            "Thursday 17:00–08:00: Closing time must be after opening time.",
        ]
    }
    assert (count(Service), count(ServiceHours)) == (0, 0)


def test_service_name_taken_in_the_contract_is_refused(desk, alice):
    response = alice.post(
        url("service-list"), {"contract": desk.contract_id, "name": "Desk"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"name": ["The contract already has a service with this name."]}
    assert count(Service) == 1


def test_service_for_another_tenants_contract_is_400(world, alice):
    response = alice.post(
        url("service-list"),
        {"contract": world.beta_northwind_contract.pk, "name": "Servicedesk"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["contract"]
    assert count(Service) == 0


def test_service_writes_refused_to_viewer_supplier_and_other_tenant(world, desk, outsiders):
    for client, status in outsiders:
        create = client.post(
            url("service-list"), {"contract": world.alpha_contract.pk, "name": "X"}, format="json"
        )
        patch = client.patch(url("service-detail", pk=desk.pk), {"name": "X"}, format="json")
        assert (create.status_code, patch.status_code) == (status, status)
    with scopes_disabled():
        assert list(Service.objects.values_list("name", flat=True)) == ["Desk"]
    assert trail(Service, desk.pk) == [("+", None)]


# --- service levels and amendments ---------------------------------------------------------

NEW_LEVEL = {
    "code": "RES",
    "name": "Resolved in time",
    "metric_kind": "percentage",
    "direction": "higher",
    "target": "95",
    "breach_threshold": "90",
    "period": "monthly",
    "valid_from": "2025-01-01",
    "dimensions": [
        {"dimension": "reliability", "weight": "0.70"},
        {"dimension": "assurance", "weight": "0.30"},
    ],
}


def test_service_level_create_stores_the_level_and_its_dimensions(world, desk, alice):
    response = alice.post(
        url("servicelevel-list"),
        {**NEW_LEVEL, "contract": world.alpha_contract.pk, "service": desk.pk},
        format="json",
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["code"], body["target"], body["breach_threshold"], body["valid_to"]) == (
        "RES",
        "95.0000",
        "90.0000",
        None,
    )
    assert body["dimensions"] == [
        {"dimension": "assurance", "weight": "0.30"},
        {"dimension": "reliability", "weight": "0.70"},
    ]
    assert trail(ServiceLevel, body["id"]) == [("+", "alice")]
    with scopes_disabled():
        mappings = ServiceLevelDimension.objects.filter(service_level_id=body["id"])
        assert [trail(ServiceLevelDimension, m.pk) for m in mappings] == [[("+", "alice")]] * 2


def test_service_level_target_out_of_range_is_refused_naming_the_field(world, alice):
    response = alice.post(
        url("servicelevel-list"),
        {**NEW_LEVEL, "contract": world.alpha_contract.pk, "target": "120"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"target": ["A percentage must lie between 0 and 100."]}
    assert (count(ServiceLevel), count(ServiceLevelDimension)) == (0, 0)


def test_service_level_code_already_agreed_is_an_amendment(world, level, alice):
    response = alice.post(
        url("servicelevel-list"),
        {**NEW_LEVEL, "contract": world.alpha_contract.pk, "code": "ANS30"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": ["This code is already agreed in the contract; amend that level instead."]
    }
    assert count(ServiceLevel) == 1


def test_service_level_with_foreign_ids_is_400(world, alice):
    with scopes_disabled():
        beta_service = services.service_create(
            contract=world.beta_northwind_contract, name="Beta desk"
        )
        other = Contract.objects.create(
            organisation=world.alpha, supplier=world.northwind, reference="A-9", title="Other"
        )
        other_service = services.service_create(contract=other, name="Other desk")
    contract = world.alpha_contract.pk
    cases = [
        ({"contract": world.beta_northwind_contract.pk}, "contract"),
        ({"contract": contract, "service": beta_service.pk}, "service"),
    ]
    for extra, field in cases:
        response = alice.post(url("servicelevel-list"), {**NEW_LEVEL, **extra}, format="json")
        assert (response.status_code, list(response.json())) == (400, [field])
    # A service of another contract of Alpha: the model says so.
    response = alice.post(
        url("servicelevel-list"),
        {**NEW_LEVEL, "contract": contract, "service": other_service.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"service": ["The service belongs to another contract."]}
    assert count(ServiceLevel) == 0


def test_amend_ends_the_version_and_adds_the_next(level, alice):
    response = alice.post(
        url("servicelevel-amend", pk=level.pk),
        {"valid_from": "2026-01-01", "target": "85"},
        format="json",
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["code"], body["target"], body["valid_from"], body["valid_to"]) == (
        "ANS30",
        "85.0000",
        "2026-01-01",
        None,
    )
    assert (body["name"], body["service"]) == ("Answered in 30 s", level.service_id)
    assert body["dimensions"] == [{"dimension": "responsiveness", "weight": "0.60"}]
    with scopes_disabled():
        level.refresh_from_db()
    assert (level.valid_to, level.target) == (date(2025, 12, 31), Decimal("80.0000"))
    assert trail(ServiceLevel, level.pk) == [("+", None), ("~", "alice")]
    assert trail(ServiceLevel, body["id"]) == [("+", "alice")]


def test_amend_refusals_name_the_field_and_store_nothing(level, alice):
    early = alice.post(
        url("servicelevel-amend", pk=level.pk), {"valid_from": "2024-12-01"}, format="json"
    )
    assert early.status_code == 400
    assert early.json() == {"valid_from": ["An amendment must start after the version."]}
    missing = alice.post(url("servicelevel-amend", pk=level.pk), {"target": "85"}, format="json")
    assert (missing.status_code, list(missing.json())) == (400, ["valid_from"])
    first = alice.post(
        url("servicelevel-amend", pk=level.pk), {"valid_from": "2026-01-01"}, format="json"
    )
    assert first.status_code == 201
    ended = alice.post(
        url("servicelevel-amend", pk=level.pk), {"valid_from": "2026-06-01"}, format="json"
    )
    assert ended.status_code == 400
    assert ended.json() == {
        "non_field_errors": ["This version has ended; amend the version in force."]
    }
    assert count(ServiceLevel) == 2


def test_an_agreed_level_is_not_changed_in_place(level, alice):
    response = alice.patch(url("servicelevel-detail", pk=level.pk), {"target": "1"}, format="json")
    assert response.status_code == 405
    assert trail(ServiceLevel, level.pk) == [("+", None)]


def test_service_level_writes_refused_to_viewer_supplier_and_other_tenant(world, level, outsiders):
    data = {**NEW_LEVEL, "contract": world.alpha_contract.pk}
    amendment = {"valid_from": "2026-01-01"}
    for client, status in outsiders:
        create = client.post(url("servicelevel-list"), data, format="json")
        amend = client.post(url("servicelevel-amend", pk=level.pk), amendment, format="json")
        assert (create.status_code, amend.status_code) == (status, status)
    assert count(ServiceLevel) == 1
    assert trail(ServiceLevel, level.pk) == [("+", None)]


# --- expectations and information needs ----------------------------------------------------

EXPECTATION = {"statement": "Calls answered fast", "measured_by": "ANS30", "owner": "Inge"}
NEED = {
    "what": "Capacity plan",
    "format": "PDF",
    "frequency": "quarterly",
    "delivered_by": "supplier",
    "recipient": "Contract manager",
    "due_days": 15,
}


@pytest.mark.parametrize(
    ("kind", "model", "data", "change"),
    [
        ("expectation", Expectation, EXPECTATION, {"owner": "Karel"}),
        ("information-need", InformationNeed, NEED, {"due_days": 20}),
    ],
)
def test_create_and_update_leave_one_history_row_each(world, alice, kind, model, data, change):
    created = alice.post(
        url(f"{kind}-list"), {**data, "contract": world.alpha_contract.pk}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json() == {"id": pk, "contract": world.alpha_contract.pk, **data}
    changed = alice.patch(url(f"{kind}-detail", pk=pk), change, format="json")
    assert changed.status_code == 200
    assert changed.json() == {"id": pk, "contract": world.alpha_contract.pk, **data, **change}
    with scopes_disabled():
        stored = model.objects.get(pk=pk)
    assert {name: getattr(stored, name) for name in data} == {**data, **change}
    assert trail(model, pk) == [("+", "alice"), ("~", "alice")]


@pytest.mark.parametrize(
    ("kind", "model", "data", "bad", "field", "message"),
    [
        (
            "expectation",
            Expectation,
            EXPECTATION,
            {"statement": ""},
            "statement",
            "This field may not be blank.",
        ),
        (
            "information-need",
            InformationNeed,
            NEED,
            {"due_days": 121},
            "due_days",
            "Ensure this value is less than or equal to 120.",
        ),
        (
            "information-need",
            InformationNeed,
            NEED,
            {"frequency": "weekly"},
            "frequency",
            '"weekly" is not a valid choice.',
        ),
    ],
)
def test_invalid_input_names_the_field(world, alice, kind, model, data, bad, field, message):
    response = alice.post(
        url(f"{kind}-list"), {**data, **bad, "contract": world.alpha_contract.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert count(model) == 0


@pytest.mark.parametrize(
    ("kind", "model", "data"),
    [("expectation", Expectation, EXPECTATION), ("information-need", InformationNeed, NEED)],
)
def test_foreign_contract_is_400_and_outsiders_are_refused(
    world, alice, outsiders, kind, model, data
):
    forged = alice.post(
        url(f"{kind}-list"), {**data, "contract": world.beta_northwind_contract.pk}, format="json"
    )
    assert (forged.status_code, list(forged.json())) == (400, ["contract"])
    with scopes_disabled():
        if model is Expectation:
            record = services.expectation_create(contract=world.alpha_contract, **data)
        else:
            record = services.information_need_create(contract=world.alpha_contract, **data)
    for client, status in outsiders:
        create = client.post(
            url(f"{kind}-list"), {**data, "contract": world.alpha_contract.pk}, format="json"
        )
        patch = client.patch(url(f"{kind}-detail", pk=record.pk), {"what": "X"}, format="json")
        assert (create.status_code, patch.status_code) == (status, status)
    assert count(model) == 1
    assert trail(model, record.pk) == [("+", None)]


def test_supplier_reads_the_expectations_of_its_contracts_only(world):
    with scopes_disabled():
        own = services.expectation_create(contract=world.alpha_contract, **EXPECTATION)
        services.expectation_create(contract=world.beta_northwind_contract, **EXPECTATION)
    response = client_for(world.bob).get(url("expectation-list"))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own.pk]
