"""The terms in the browser: contracts, services and their window, service levels and their
amendments, expectations, information needs and deliveries."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import (
    Contract,
    Expectation,
    InformationDelivery,
    InformationNeed,
    Service,
    ServiceHours,
    ServiceLevel,
    ServiceLevelDimension,
)
from contracts.services import (
    information_need_create,
    service_level_create,
    sla_report_upload,
)
from governance.platform.access import tenant_scope
from tests.contracts.conftest import GOOD_ROWS, csv_file, in_window


def url(name, **kwargs):
    return reverse(f"contracts:{name}", kwargs={"org_slug": "alpha", **kwargs})


def rows(model, **lookup):
    with scopes_disabled():
        return model.objects.filter(**lookup).count()


def terms(**changes) -> dict:
    data = {
        "reference": "A-7",
        "title": "Werkplekbeheer",
        "description": "",
        "status": "active",
        "start_date": "2025-01-01",
        "end_date": "2027-12-31",
        "notice_period_months": "6",
        "renewal": "tacit",
        "renewal_term_months": "12",
        "value": "1250000.00",
        "currency": "EUR",
        "report_window_opens_day": "1",
        "report_window_closes_day": "10",
        "late_reports_until_day": "40",
    }
    return {**data, **changes}


def window(*intervals, spare=0) -> dict:
    data = {"hours-TOTAL_FORMS": str(len(intervals) + spare), "hours-INITIAL_FORMS": "0"}
    for n, (weekday, opens, closes) in enumerate(intervals):
        data |= {
            f"hours-{n}-weekday": str(weekday),
            f"hours-{n}-opens": opens,
            f"hours-{n}-closes": closes,
        }
    for n in range(len(intervals), len(intervals) + spare):
        data[f"hours-{n}-weekday"] = "0"
    return data


def level_data(**changes) -> dict:
    data = {
        "code": "CHG",
        "name": "Changes succeeded",
        "metric_kind": "percentage",
        "unit": "%",
        "direction": "higher",
        "target": "95",
        "breach_threshold": "90",
        "period": "monthly",
        "valid_from": "2025-01-01",
        "weight_reliability": "0.7",
        "weight_assurance": "0.3",
    }
    return {**data, **changes}


def need_data(**changes) -> dict:
    data = {
        "what": "Capaciteitsrapport",
        "format": "PDF",
        "frequency": "quarterly",
        "delivered_by": "supplier",
        "recipient": "Tactisch overleg",
        "due_days": "15",
    }
    return {**data, **changes}


@pytest.fixture
def need(world):
    with scopes_disabled():
        return information_need_create(
            contract=world.alpha_contract,
            what="Maandrapport",
            format="PDF",
            delivered_by="supplier",
            recipient="Contractmanager",
            due_days=10,
        )


# --- contracts -----------------------------------------------------------------------------


def test_manager_registers_a_contract_with_its_terms(world, client_as):
    client = client_as(world.alice)
    assert list(client.get(url("contract_create")).context["form"].fields["supplier"].queryset) == [
        world.northwind
    ]
    response = client.post(url("contract_create"), {**terms(), "supplier": world.northwind.pk})
    with scopes_disabled():
        contract = Contract.objects.get(reference="A-7")
    assert response["Location"] == url("contract_detail", pk=contract.pk)
    assert (
        contract.organisation,
        contract.supplier,
        contract.renewal,
        contract.notice_period_months,
        contract.value,
        contract.next_notice_deadline(date(2026, 1, 1)),
    ) == (world.alpha, world.northwind, "tacit", 6, Decimal("1250000.00"), date(2027, 6, 30))


def test_contract_form_offers_no_supplier_of_another_organisation(world, client_as):
    response = client_as(world.alice).post(
        url("contract_create"), {**terms(), "supplier": world.southwind.pk}
    )
    assert (response.status_code, list(response.context["form"].errors)) == (400, ["supplier"])
    assert rows(Contract, organisation=world.alpha) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": "2024-12-31"}, "end_date"),
        ({"reference": "A-1"}, "reference"),
        ({"notice_period_months": "-1"}, "notice_period_months"),
        ({"report_window_closes_day": "50"}, "late_reports_until_day"),
        ({"renewal": "sometimes"}, "renewal"),
    ],
)
def test_bad_terms_name_the_field_and_store_nothing(world, client_as, changes, field):
    response = client_as(world.alice).post(
        url("contract_create"), {**terms(**changes), "supplier": world.northwind.pk}
    )
    assert (response.status_code, list(response.context["form"].errors)) == (400, [field])
    assert rows(Contract, organisation=world.alpha) == 1


def test_manager_edits_the_terms_but_not_the_supplier(world, client_as):
    contract = world.alpha_contract
    response = client_as(world.alice).post(
        url("contract_edit", pk=contract.pk),
        {**terms(reference="A-1", renewal="explicit"), "supplier": world.southwind.pk},
    )
    assert response.status_code == 302
    with scopes_disabled():
        contract.refresh_from_db()
    assert (contract.title, contract.renewal, contract.end_date, contract.supplier) == (
        "Werkplekbeheer",
        "explicit",
        date(2027, 12, 31),
        world.northwind,
    )


def test_rejected_edit_changes_nothing(world, client_as):
    contract = world.alpha_contract
    response = client_as(world.alice).post(
        url("contract_edit", pk=contract.pk), terms(reference="A-1", end_date="2020-01-01")
    )
    with scopes_disabled():
        contract.refresh_from_db()
    assert (response.status_code, contract.title, contract.end_date) == (400, "Alpha desk", None)
    assert "The end date lies before the start date." in response.content.decode()


# --- services and their window -------------------------------------------------------------


def test_manager_adds_a_service_with_its_weekly_window(world, client_as):
    contract = world.alpha_contract
    client = client_as(world.alice)
    form = client.get(url("service_create", pk=contract.pk)).context["hours"]
    # A row per weekday, then spare rows for split days.
    assert [row.initial["weekday"] for row in form.forms] == [0, 1, 2, 3, 4, 5, 6, 0, 0, 0]
    data = {
        "name": "Servicedesk",
        "criticality": "high",
        **window((0, "08:00", "12:00"), (0, "13:00", "17:00"), (5, "09:00", "13:00"), spare=2),
    }
    response = client.post(url("service_create", pk=contract.pk), data)
    assert response["Location"] == url("contract_detail", pk=contract.pk)
    with scopes_disabled():
        service = Service.objects.get(contract=contract)
        hours = [(h.weekday, h.opens, h.closes) for h in service.opening_hours.all()]
    assert (service.criticality, service.open_on_holidays, hours) == (
        "high",
        False,
        [(0, time(8), time(12)), (0, time(13), time(17)), (5, time(9), time(13))],
    )


def test_bad_window_shows_every_problem_and_stores_nothing(world, client_as):
    contract = world.alpha_contract
    data = {
        "name": "Servicedesk",
        "criticality": "medium",
        **window((0, "17:00", "08:00"), (1, "08:00", "12:00"), (1, "11:00", "13:00")),
    }
    response = client_as(world.alice).post(url("service_create", pk=contract.pk), data)
    assert response.status_code == 400
    assert response.context["window_errors"] == [
        "Monday 17:00–08:00: Closing time must be after opening time.",
        "Tuesday 11:00–13:00 overlaps Tuesday 08:00–12:00.",
    ]
    assert "Tuesday 11:00–13:00 overlaps Tuesday 08:00–12:00." in response.content.decode()
    assert (rows(Service), rows(ServiceHours)) == (0, 0)


def test_window_row_with_one_time_is_refused(world, client_as):
    data = {"name": "Servicedesk", "criticality": "medium", **window((2, "08:00", ""))}
    response = client_as(world.alice).post(url("service_create", pk=world.alpha_contract.pk), data)
    assert response.status_code == 400
    assert response.context["hours"].forms[0].non_field_errors() == [
        "Give both the opening and the closing time."
    ]
    assert rows(Service) == 0


def test_duplicate_service_name_names_the_field(sla, world, client_as):
    data = {"name": "Servicedesk", "criticality": "medium", **window()}
    response = client_as(world.alice).post(url("service_create", pk=sla.contract.pk), data)
    assert (response.status_code, response.context["form"].errors) == (
        400,
        {"name": ["The contract already has a service with this name."]},
    )
    assert rows(Service) == 1


def _desk_open_monday(client, contract) -> Service:
    """The service "Desk", open on Mondays 8:00–17:00, created through the page."""
    client.post(
        url("service_create", pk=contract.pk),
        {"name": "Desk", "criticality": "low", **window((0, "08:00", "17:00"))},
    )
    with scopes_disabled():
        return Service.objects.get(contract=contract)


def _reloaded_hours(service) -> list[tuple]:
    """The service read again from the database, and its window as (weekday, opens, closes)."""
    with scopes_disabled():
        service.refresh_from_db()
        return [(h.weekday, h.opens, h.closes) for h in service.opening_hours.all()]


def test_editing_a_service_replaces_its_window(world, client_as):
    contract = world.alpha_contract
    client = client_as(world.alice)
    service = _desk_open_monday(client, contract)
    form = client.get(url("service_edit", pk=service.pk)).context["hours"]
    assert (form.forms[0].initial, len(form.forms)) == (
        {"weekday": 0, "opens": time(8), "closes": time(17)},
        10,
    )
    response = client.post(
        url("service_edit", pk=service.pk),
        {
            "name": "Desk",
            "criticality": "low",
            "open_on_holidays": "on",
            **window((4, "07:00", "19:00")),
        },
    )
    assert response.status_code == 302
    hours = _reloaded_hours(service)
    assert (service.open_on_holidays, hours) == (True, [(4, time(7), time(19))])


def test_rejected_service_edit_keeps_the_old_window(world, client_as):
    contract = world.alpha_contract
    client = client_as(world.alice)
    service = _desk_open_monday(client, contract)
    response = client.post(
        url("service_edit", pk=service.pk),
        {"name": "", "criticality": "low", **window((4, "19:00", "07:00"))},
    )
    assert response.status_code == 400
    hours = _reloaded_hours(service)
    assert (service.name, hours) == ("Desk", [(0, time(8), time(17))])


# --- service levels ------------------------------------------------------------------------


def test_manager_adds_a_service_level_with_dimensions(sla, world, client_as):
    with scopes_disabled():
        desk = Service.objects.get(contract=sla.contract)
    response = client_as(world.alice).post(
        url("service_level_create", pk=sla.contract.pk), {**level_data(), "service": desk.pk}
    )
    assert response.status_code == 302
    with scopes_disabled():
        level = ServiceLevel.objects.get(contract=sla.contract, code="CHG")
        mappings = sorted((m.dimension, m.weight) for m in level.dimensions.all())
    assert (level.service, level.target, level.breach_threshold, level.valid_to, mappings) == (
        desk,
        Decimal("95"),
        Decimal("90"),
        None,
        [("assurance", Decimal("0.30")), ("reliability", Decimal("0.70"))],
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"target": "120"}, {"target": ["A percentage must lie between 0 and 100."]}),
        (
            {"breach_threshold": "97"},
            {"breach_threshold": ["The breach threshold must be on the worse side of the target."]},
        ),
        (
            {"code": "ANS30"},
            {"code": ["This code is already agreed in the contract; amend that level instead."]},
        ),
        (
            {"weight_empathy": "1.5"},
            {"weight_empathy": ["Ensure this value is less than or equal to 1."]},
        ),
        ({"target": "veel"}, {"target": ["Enter a number."]}),
    ],
)
def test_bad_service_level_names_the_field_and_stores_nothing(
    sla, world, client_as, changes, errors
):
    before = (rows(ServiceLevel), rows(ServiceLevelDimension))
    response = client_as(world.alice).post(
        url("service_level_create", pk=sla.contract.pk), level_data(**changes)
    )
    assert (response.status_code, response.context["form"].errors) == (400, errors)
    assert (rows(ServiceLevel), rows(ServiceLevelDimension)) == before


def upload(sla, access, period, value):
    explanation = ["Drukte", "Wachten", "Bezetting"]
    with tenant_scope(access):
        return sla_report_upload(
            access=access,
            contract=sla.contract,
            period_start=period,
            content=csv_file([["ANS30", value, *explanation], *GOOD_ROWS[1:]]),
            name="r.csv",
            dry_run=False,
            now=in_window(period),
        )


def ans30_state(report) -> tuple[str, Decimal]:
    with scopes_disabled():
        m = report.measurements.select_related("service_level").get(service_level__code="ANS30")
    return m.state, m.service_level.target


def test_amendment_judges_earlier_periods_by_the_old_target_and_later_by_the_new(
    sla, world, client_as, bob_access
):
    client = client_as(world.alice)
    page = client.get(url("service_level_amend", pk=sla.answered.pk))
    assert page.context["form"].initial["target"] == Decimal("80")
    response = client.post(
        url("service_level_amend", pk=sla.answered.pk),
        {
            "valid_from": "2025-04-01",
            "name": "Answered within 30 s",
            "unit": "%",
            "target": "85",
            "breach_threshold": "75",
            "period": "monthly",
        },
    )
    assert response.status_code == 302
    march = upload(sla, bob_access, date(2025, 3, 1), "83").report
    april = upload(sla, bob_access, date(2025, 4, 1), "83").report
    assert (ans30_state(march), ans30_state(april)) == (
        ("met", Decimal("80.0000")),
        ("near_miss", Decimal("85.0000")),
    )
    # The form shows the history: the old version closed the day before, the new one open.
    history = client.get(url("service_level_amend", pk=sla.answered.pk)).context["versions"]
    assert [(v.valid_from, v.valid_to, v.target) for v in history] == [
        (date(2024, 1, 1), date(2025, 3, 31), Decimal("80.0000")),
        (date(2025, 4, 1), None, Decimal("85.0000")),
    ]


def test_amendment_in_dutch_takes_a_decimal_comma(sla, world, client_as):
    client = client_as(world.alice)
    client.cookies["django_language"] = "nl"
    page = client.get(url("service_level_amend", pk=sla.answered.pk), HTTP_ACCEPT_LANGUAGE="nl")
    assert 'value="80"' in page.content.decode()
    response = client.post(
        url("service_level_amend", pk=sla.answered.pk),
        {"valid_from": "2025-04-01", "name": "x", "target": "82,5", "period": "monthly"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 302
    with scopes_disabled():
        amended = ServiceLevel.objects.get(code="ANS30", valid_to=None)
    assert (amended.target, amended.breach_threshold) == (Decimal("82.5"), None)


def test_amendment_over_a_reported_period_is_refused(sla, world, client_as, bob_access):
    upload(sla, bob_access, date(2025, 3, 1), "83")
    response = client_as(world.alice).post(
        url("service_level_amend", pk=sla.answered.pk),
        {"valid_from": "2025-03-01", "name": "x", "target": "85", "period": "monthly"},
    )
    assert (response.status_code, response.context["form"].errors) == (
        400,
        {
            "valid_from": [
                "The report for 2025-03 was judged by this version; an amendment starts after "
                "the last reported period."
            ]
        },
    )
    with scopes_disabled():
        sla.answered.refresh_from_db()
    assert (rows(ServiceLevel, code="ANS30"), sla.answered.valid_to) == (1, None)
    assert [v.valid_to for v in response.context["versions"]] == [None]


def test_an_ended_version_cannot_be_amended(sla, world, client_as):
    client = client_as(world.alice)
    amend = {"valid_from": "2025-04-01", "name": "x", "target": "85", "period": "monthly"}
    assert client.post(url("service_level_amend", pk=sla.answered.pk), amend).status_code == 302
    response = client.post(
        url("service_level_amend", pk=sla.answered.pk), {**amend, "valid_from": "2025-06-01"}
    )
    assert (response.status_code, response.context["form"].non_field_errors()) == (
        400,
        ["This version has ended; amend the version in force."],
    )
    assert rows(ServiceLevel, code="ANS30") == 2


# --- expectations, information needs, deliveries -------------------------------------------


def test_manager_records_and_edits_an_expectation(world, client_as):
    contract = world.alpha_contract
    client = client_as(world.alice)
    expectation = {"statement": "Bereikbaar tot 20 uur", "measured_by": "KTO", "owner": "CIO"}
    assert client.post(url("expectation_create", pk=contract.pk), expectation).status_code == 302
    with scopes_disabled():
        stored = Expectation.objects.get(contract=contract)
    response = client.post(
        url("expectation_edit", pk=stored.pk), {**expectation, "owner": "Servicemanager"}
    )
    with scopes_disabled():
        stored.refresh_from_db()
    assert (response.status_code, stored.organisation, stored.owner) == (
        302,
        world.alpha,
        "Servicemanager",
    )


def test_bad_expectation_stores_nothing(world, client_as):
    response = client_as(world.alice).post(
        url("expectation_create", pk=world.alpha_contract.pk),
        {"statement": "", "measured_by": "KTO", "owner": "CIO"},
    )
    assert (response.status_code, list(response.context["form"].errors)) == (400, ["statement"])
    assert rows(Expectation) == 0


def test_manager_records_and_edits_an_information_need(world, client_as):
    contract = world.alpha_contract
    client = client_as(world.alice)
    assert (
        client.post(url("information_need_create", pk=contract.pk), need_data()).status_code == 302
    )
    with scopes_disabled():
        stored = InformationNeed.objects.get(contract=contract)
    client.post(url("information_need_edit", pk=stored.pk), need_data(due_days="20"))
    with scopes_disabled():
        stored.refresh_from_db()
    assert (stored.frequency, stored.delivered_by, stored.due_days) == ("quarterly", "supplier", 20)


def test_bad_information_need_stores_nothing(world, client_as):
    response = client_as(world.alice).post(
        url("information_need_create", pk=world.alpha_contract.pk),
        need_data(due_days="500", frequency="daily"),
    )
    assert (response.status_code, sorted(response.context["form"].errors)) == (
        400,
        ["due_days", "frequency"],
    )
    assert rows(InformationNeed) == 0


def delivery(need):
    with scopes_disabled():
        return InformationDelivery.objects.get(need=need)


def test_manager_records_a_late_delivery(world, client_as, need):
    client = client_as(world.alice)
    response = client.post(
        url("delivery_record", pk=need.pk), {"period": "2025-03", "delivered_on": "2025-04-14"}
    )
    assert response.status_code == 302
    recorded = delivery(need)
    assert (recorded.period_start, recorded.period_end, recorded.due_date, recorded.on_time) == (
        date(2025, 3, 1),
        date(2025, 3, 31),
        date(2025, 4, 10),
        False,
    )
    page = client.get(response["Location"])
    assert "Maandrapport for 2025-03 is recorded: delivered late." in page.content.decode()
    # The manager corrects the date: now on time.
    client.post(
        url("delivery_record", pk=need.pk), {"period": "2025-03", "delivered_on": "2025-04-09"}
    )
    assert (rows(InformationDelivery), delivery(need).on_time) == (1, True)


def test_quarterly_delivery_covers_the_quarter(world, client_as):
    with scopes_disabled():
        quarterly = information_need_create(
            contract=world.alpha_contract,
            what="Trendrapport",
            format="PDF",
            frequency="quarterly",
            recipient="Tactisch overleg",
            due_days=15,
        )
    client_as(world.alice).post(
        url("delivery_record", pk=quarterly.pk), {"period": "2025-05", "delivered_on": "2025-07-10"}
    )
    recorded = delivery(quarterly)
    assert (recorded.period_start, recorded.due_date, recorded.on_time) == (
        date(2025, 4, 1),
        date(2025, 7, 15),
        True,
    )


def test_supplier_records_its_own_delivery_once(world, client_as, need):
    client = client_as(world.bob)
    on_time = {"period": "2025-03", "delivered_on": "2025-04-08"}
    assert client.post(url("delivery_record", pk=need.pk), on_time).status_code == 302
    assert delivery(need).on_time is True
    response = client.post(
        url("delivery_record", pk=need.pk), {"period": "2025-03", "delivered_on": "2025-04-01"}
    )
    assert (response.status_code, response.context["form"].errors) == (
        400,
        {
            "delivered_on": [
                "This delivery is recorded as made on 2025-04-08; only the contract manager can "
                "change that."
            ]
        },
    )
    assert delivery(need).delivered_on == date(2025, 4, 8)


def test_supplier_cannot_record_what_the_client_delivers(world, client_as, need):
    with scopes_disabled():
        need.delivered_by = "client"
        need.save()
    response = client_as(world.bob).post(
        url("delivery_record", pk=need.pk), {"period": "2025-03", "delivered_on": "2025-04-08"}
    )
    assert (response.status_code, rows(InformationDelivery)) == (403, 0)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"period": "2025-03", "delivered_on": str(date.today() + timedelta(days=1))},
            "delivered_on",
        ),
        ({"period": "maart", "delivered_on": "2025-04-08"}, "period"),
        ({"period": "2025-03", "delivered_on": "8 april"}, "delivered_on"),
    ],
)
def test_bad_delivery_stores_nothing(world, client_as, need, data, field):
    response = client_as(world.alice).post(url("delivery_record", pk=need.pk), data)
    assert (response.status_code, list(response.context["form"].errors)) == (400, [field])
    assert rows(InformationDelivery) == 0


def test_delivery_for_a_period_outside_the_contract_is_refused(world, client_as, need):
    with scopes_disabled():
        world.alpha_contract.start_date = date(2025, 1, 1)
        world.alpha_contract.save()
    response = client_as(world.alice).post(
        url("delivery_record", pk=need.pk), {"period": "2024-12", "delivered_on": "2025-01-05"}
    )
    assert (response.status_code, response.context["form"].errors) == (
        400,
        {"period": ["The period lies outside the contract."]},
    )


# --- who may write -------------------------------------------------------------------------


def write_routes(sla, need) -> list[str]:
    with scopes_disabled():
        service = Service.objects.get(contract=sla.contract)
        expectation = Expectation.objects.create(
            organisation=sla.contract.organisation,
            contract=sla.contract,
            statement="s",
            measured_by="m",
            owner="o",
        )
    pk = sla.contract.pk
    return [
        url("contract_create"),
        url("contract_edit", pk=pk),
        url("service_create", pk=pk),
        url("service_edit", pk=service.pk),
        url("service_level_create", pk=pk),
        url("service_level_amend", pk=sla.answered.pk),
        url("expectation_create", pk=pk),
        url("expectation_edit", pk=expectation.pk),
        url("information_need_create", pk=pk),
        url("information_need_edit", pk=need.pk),
        url("delivery_record", pk=need.pk),
    ]


def snapshot():
    return [
        rows(model)
        for model in (Contract, Service, ServiceHours, ServiceLevel, Expectation, InformationNeed)
    ] + [rows(InformationDelivery)]


def test_viewer_gets_403_on_every_write(sla, world, client_as, need):
    client = client_as(world.victor)
    routes = write_routes(sla, need)
    before = snapshot()
    assert [client.get(route).status_code for route in routes] == [403] * len(routes)
    assert [client.post(route, {"name": "x"}).status_code for route in routes] == [403] * len(
        routes
    )
    assert snapshot() == before


def test_supplier_gets_403_on_the_terms_of_its_own_contract(sla, world, client_as, need):
    client = client_as(world.bob)
    routes = write_routes(sla, need)[:-1]  # it records the deliveries it makes (above)
    assert [client.post(route, {"name": "x"}).status_code for route in routes] == [403] * len(
        routes
    )


def test_supplier_of_another_contract_gets_404(sla, world, client_as, need):
    with scopes_disabled():
        # Southwind now works for Alpha too, under a contract of its own.
        Contract.objects.create(
            organisation=world.alpha, supplier=world.southwind, reference="A-2", title="Hosting"
        )
    client = client_as(world.dave)
    routes = write_routes(sla, need)[1:]  # every route that names an object of A-1
    before = snapshot()
    assert [client.post(route, {"name": "x"}).status_code for route in routes] == [404] * len(
        routes
    )
    assert snapshot() == before


def test_manager_of_another_organisation_gets_404(sla, world, client_as, need):
    client = client_as(world.charlie)
    routes = write_routes(sla, need)
    assert [client.get(route).status_code for route in routes] == [404] * len(routes)


# --- the contract pages link the forms -----------------------------------------------------


def test_contract_pages_link_the_forms_for_managers_only(sla, world, client_as, need):
    manager = client_as(world.alice).get(url("contract_detail", pk=sla.contract.pk))
    body = manager.content.decode()
    for link in (
        url("contract_edit", pk=sla.contract.pk),
        url("service_create", pk=sla.contract.pk),
        url("service_level_create", pk=sla.contract.pk),
        url("service_level_amend", pk=sla.answered.pk),
        url("expectation_create", pk=sla.contract.pk),
        url("information_need_create", pk=sla.contract.pk),
        url("information_need_edit", pk=need.pk),
        url("delivery_record", pk=need.pk),
    ):
        assert f'href="{link}"' in body, link
    assert (
        url("contract_create") in client_as(world.alice).get(url("contract_list")).content.decode()
    )
    viewer = client_as(world.victor).get(url("contract_detail", pk=sla.contract.pk))
    assert "/edit/" not in viewer.content.decode() and "/delivery/" not in viewer.content.decode()
    supplier = client_as(world.bob).get(url("contract_detail", pk=sla.contract.pk)).content.decode()
    assert ("/edit/" in supplier, url("delivery_record", pk=need.pk) in supplier) == (False, True)


def add_levels(contract, codes):
    with scopes_disabled():
        for code in codes:
            service_level_create(
                contract=contract,
                code=code,
                name=code,
                metric_kind="percentage",
                direction="higher",
                target=Decimal("90"),
                valid_from=date(2024, 1, 1),
                dimensions={"reliability": Decimal("1")},
            )


def test_contract_detail_query_count_does_not_grow_with_levels(
    world, client_as, django_assert_num_queries
):
    contract = world.alpha_contract
    client = client_as(world.alice)
    add_levels(contract, ["L1"])
    # 22: fifteen for the page, seven for its History section (the contract's rows and those
    # of its expectations, information needs, services and levels, with the names they cite).
    with django_assert_num_queries(22):
        client.get(url("contract_detail", pk=contract.pk))
    add_levels(contract, ["L2", "L3"])
    with django_assert_num_queries(22):
        client.get(url("contract_detail", pk=contract.pk))
