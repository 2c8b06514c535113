"""Optimistic concurrency: two managers load the same record, the first saves, the second's stale
save is refused (412 in the API, a message naming the other's change in the browser) and the
record keeps the first's values; a fresh version passes."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled
from simple_history.models import HistoricalRecords

from complaints.forms import AssignForm, TransitionForm
from contracts import services as contract_services
from contracts.forms import (
    ContractForm,
    ExpectationForm,
    InformationNeedForm,
    ServiceForm,
    hours_formset,
)
from governance.platform.concurrency import version_of
from governance.platform.models import Membership, Role
from meetings.forms import MeetingForm, SeriesForm, SIPForm
from tests.audits.helpers import make_setup
from tests.complaints.helpers import route_samples as complaint_samples
from tests.conftest import api_token_for, make_user
from tests.meetings.helpers import make_meetings


@pytest.fixture
def anna(world):
    """A second contract manager of Alpha."""
    with scopes_disabled():
        user = make_user("anna")
        user.first_name, user.last_name = "Anna", "Berg"
        user.save()
        Membership.objects.create(user=user, organisation=world.alpha, role=Role.CONTRACT_MANAGER)
    return user


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def shown_version(response) -> str:
    found = re.search(rb'name="version" value="([^"]*)"', response.content)
    assert found is not None, "the page carries no version"
    return found.group(1).decode()


def fresh(record):
    with scopes_disabled():
        return type(record)._base_manager.get(pk=record.pk)


def as_posted(form) -> dict:
    """The data a browser posts for `form` as shown, unchanged."""
    data = {}
    with translation.override("en"):
        for bound in form:
            value = bound.value()
            if bound.name == "version" or value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
                continue
            if isinstance(value, (list, tuple, QuerySet)):
                data[bound.html_name] = [getattr(v, "pk", v) for v in value]
                continue
            value = getattr(value, "pk", value)
            data[bound.html_name] = bound.field.widget.format_value(value) or ""
    return data


# --- one contract, every step checked by hand --------------------------------------------


def test_stale_contract_edit_is_refused_with_the_other_change_and_keeps_the_first(world, anna):
    contract = world.alpha_contract
    url = reverse("contracts:contract_edit", args=["alpha", contract.pk])
    alice, other = browser(world.alice), browser(anna)
    alice_version = shown_version(alice.get(url))
    anna_version = shown_version(other.get(url))
    assert alice_version == anna_version == version_of(contract)
    with scopes_disabled():
        base = as_posted(ContractForm(instance=contract, organisation=world.alpha))

    first = other.post(url, {**base, "title": "Anna's desk", "version": anna_version})
    assert first.status_code == 302
    assert fresh(contract).title == "Anna's desk"

    second = alice.post(url, {**base, "title": "Alice's desk", "version": alice_version})
    assert second.status_code == 400
    text = second.content.decode()
    assert "Someone else saved this record after you opened it" in text
    assert "Title: Anna Berg changed it to “Anna&#x27;s desk”" in text
    assert "you entered “Alice&#x27;s desk”" in text
    assert fresh(contract).title == "Anna's desk"
    # The refused form now carries the current version: saving again is deliberate.
    assert shown_version(second) == version_of(contract) != alice_version

    again = alice.post(url, {**base, "title": "Alice's desk", "version": shown_version(second)})
    assert again.status_code == 302
    assert fresh(contract).title == "Alice's desk"


def test_a_form_without_version_is_let_through(world):
    contract = world.alpha_contract
    with scopes_disabled():
        base = as_posted(ContractForm(instance=contract, organisation=world.alpha))
    url = reverse("contracts:contract_edit", args=["alpha", contract.pk])
    assert browser(world.alice).post(url, {**base, "title": "Unversioned"}).status_code == 302
    assert fresh(contract).title == "Unversioned"


def test_version_moves_with_each_save_and_is_the_newest_trail_row(world):
    contract = world.alpha_contract
    with scopes_disabled():
        before = version_of(contract)
        contract_services.contract_update(contract=contract, title="Moved")
        after = version_of(contract)
        newest = contract.history.order_by("-history_id").first().history_id
    assert after == str(newest)
    assert int(after) > int(before)


# --- every record type's browser form ------------------------------------------------------


def _other_change(record, user, **values):
    """Someone else's save of `record` (as `user`, so the trail names them)."""

    class Request:
        pass

    request = Request()
    request.user = user
    HistoricalRecords.context.request = request
    try:
        with scopes_disabled():
            obj = fresh(record)
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
    finally:
        del HistoricalRecords.context.request


def _contract_cases(world):
    with scopes_disabled():
        contract = world.alpha_contract
        service = contract_services.service_create(
            contract=contract, name="Desk", description="", criticality="high", hours=[]
        )
        expectation = contract_services.expectation_create(
            contract=contract, statement="Calls answered", measured_by="Phone log", owner="Alice"
        )
        need = contract_services.information_need_create(
            contract=contract,
            what="Capacity plan",
            format="PDF",
            frequency="monthly",
            delivered_by="supplier",
            recipient="Alice",
            due_days=5,
        )
        return [
            (
                "contracts:contract_edit",
                contract,
                ContractForm(instance=contract, organisation=world.alpha),
                "title",
            ),
            (
                "contracts:service_edit",
                service,
                ServiceForm(instance=service, contract=contract),
                "name",
            ),
            (
                "contracts:expectation_edit",
                expectation,
                ExpectationForm(instance=expectation),
                "statement",
            ),
            ("contracts:information_need_edit", need, InformationNeedForm(instance=need), "what"),
        ]


def _meeting_cases(world):
    found = make_meetings(world)
    with scopes_disabled():
        from governance.platform.access import system_access

        access = system_access(world.alpha)
        return [
            (
                "meetings:series_edit",
                found.series,
                SeriesForm(instance=found.series, access=access),
                "title",
            ),
            (
                "meetings:meeting_edit",
                found.upcoming,
                MeetingForm(instance=found.upcoming),
                "location",
            ),
            ("meetings:sip_edit", found.sip, SIPForm(instance=found.sip, access=access), "title"),
        ]


@pytest.mark.parametrize("kind", ["contracts", "meetings"])
def test_stale_edit_page_is_refused_for_each_record_type(world, anna, kind):
    cases = _contract_cases(world) if kind == "contracts" else _meeting_cases(world)
    alice = browser(world.alice)
    for url_name, record, form, field in cases:
        url = reverse(url_name, args=["alpha", record.pk])
        seen = shown_version(alice.get(url))
        assert seen == version_of(record), url_name
        data = as_posted(form)
        if url_name == "contracts:service_edit":
            with scopes_disabled():
                hours = hours_formset(service=record)
                data.update(as_posted(hours.management_form))
                for row in hours:
                    data.update(as_posted(row))
        _other_change(record, anna, **{field: "Anna's value"})

        refused = alice.post(url, {**data, field: "Alice's value", "version": seen})
        assert refused.status_code in (200, 400), url_name
        assert "Anna Berg changed it to “Anna&#x27;s value”" in refused.content.decode(), url_name
        assert getattr(fresh(record), field) == "Anna's value", url_name

        passed = alice.post(
            url, {**data, field: "Alice's value", "version": shown_version(refused)}
        )
        assert passed.status_code == 302, url_name
        assert getattr(fresh(record), field) == "Alice's value", url_name


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_stale_finding_priority_root_cause_and_action_status_are_refused(world, anna):
    setup = make_setup(world)
    finding, action = setup.finding, setup.action
    alice = browser(world.alice)
    page = alice.get(reverse("audits:finding_detail", args=["alpha", finding.pk])).content
    versions = re.findall(rb'name="version" value="(\d+)"', page)
    # The priority form, the root cause form (when the manager may respond) and each action.
    assert set(versions) >= {version_of(finding).encode(), version_of(action).encode()}

    seen = version_of(finding)
    _other_change(finding, anna, client_priority=4)
    url = reverse("audits:finding_priority", args=["alpha", finding.pk])
    response = alice.post(url, {"priority": "2", "note": "", "version": seen})
    lines = _messages(response)
    assert lines[0].startswith("Someone else saved this record")
    assert any(line.startswith("Client's priority: Anna Berg changed it to “4”") for line in lines)
    assert fresh(finding).client_priority == 4
    alice.post(url, {"priority": "2", "note": "", "version": version_of(finding)})
    assert fresh(finding).client_priority == 2

    seen = version_of(action)
    _other_change(action, anna, description="Retrain twice")
    url = reverse("audits:action_update", args=["alpha", action.pk])
    response = alice.post(url, {"status": "in_progress", "version": seen})
    assert any("Anna Berg changed it to “Retrain twice”" in line for line in _messages(response))
    assert fresh(action).status == "open"
    alice.post(url, {"status": "in_progress", "version": version_of(action)})
    assert fresh(action).status == "in_progress"


def test_stale_minutes_are_refused(world, anna):
    found = make_meetings(world)
    item = found.item
    alice = browser(world.alice)
    page = alice.get(reverse("meetings:meeting_detail", args=["alpha", found.past.pk])).content
    assert f'name="version" value="{version_of(item)}"'.encode() in page
    seen = version_of(item)
    _other_change(item, anna, minutes="Anna's minutes")
    url = reverse("meetings:item_record", args=["alpha", item.pk])
    response = alice.post(url, {"minutes": "Alice's minutes", "outcome": "", "version": seen})
    assert any(
        "Anna Berg changed it to “Anna's minutes”" in line
        and "you entered “Alice's minutes”" in line
        for line in _messages(response)
    )
    assert fresh(item).minutes == "Anna's minutes"
    alice.post(url, {"minutes": "Alice's minutes", "outcome": "", "version": version_of(item)})
    assert fresh(item).minutes == "Alice's minutes"


def test_stale_complaint_assignment_is_refused(world, anna):
    complaint = complaint_samples(world)["complaint"]
    alice = browser(world.alice)
    page = alice.get(reverse("complaints:complaint_detail", args=["alpha", complaint.pk])).content
    assert page.count(f'name="version" value="{version_of(complaint)}"'.encode()) == 2
    seen = version_of(complaint)
    _other_change(complaint, anna, assigned_supplier=None, assigned_user=anna)
    url = reverse("complaints:complaint_assign", args=["alpha", complaint.pk])
    response = alice.post(url, {"assignee": f"supplier:{world.northwind.pk}", "version": seen})
    assert any("Anna Berg changed it to “Anna Berg”" in line for line in _messages(response))
    assert fresh(complaint).assigned_user_id == anna.pk
    # The transition form carries the same check.
    assert TransitionForm.__mro__[1].__name__ == "VersionedFormMixin"
    assert AssignForm.__mro__[1].__name__ == "VersionedFormMixin"


def test_two_saves_of_one_version_cannot_both_pass(world):
    """The check and the write share a transaction under a row lock: with the first save
    stored, a second form carrying the same version is stale."""
    contract = world.alpha_contract
    seen = version_of(contract)
    with scopes_disabled():
        base = as_posted(ContractForm(instance=contract, organisation=world.alpha))
    url = reverse("contracts:contract_edit", args=["alpha", contract.pk])
    alice = browser(world.alice)
    assert alice.post(url, {**base, "title": "First", "version": seen}).status_code == 302
    assert alice.post(url, {**base, "title": "Second", "version": seen}).status_code == 400
    assert fresh(contract).title == "First"


def test_the_version_check_refuses_to_run_outside_a_transaction(world, monkeypatch):
    from types import SimpleNamespace

    from governance.platform import concurrency

    outside = SimpleNamespace(in_atomic_block=False)
    monkeypatch.setattr(concurrency, "transaction", SimpleNamespace(get_connection=lambda: outside))
    with pytest.raises(RuntimeError):
        concurrency.locked_version(world.alpha_contract)


# --- API -------------------------------------------------------------------------------------


def api(user, org="alpha") -> Client:
    token = api_token_for(user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")


def test_api_detail_carries_the_version_as_etag(world, anna):
    setup = make_setup(world)
    url = f"/api/v1/o/alpha/audit-findings/{setup.finding.pk}/"
    response = api(world.alice).get(url)
    assert response.status_code == 200
    assert response["ETag"] == f'"{version_of(setup.finding)}"'


def test_api_stale_if_match_gets_412_and_the_record_keeps_the_first_change(world, anna):
    setup = make_setup(world)
    finding = setup.finding
    url = f"/api/v1/o/alpha/audit-findings/{finding.pk}/priority/"
    alice, other = api(world.alice), api(anna)
    etag = alice.get(f"/api/v1/o/alpha/audit-findings/{finding.pk}/")["ETag"]
    assert other.get(f"/api/v1/o/alpha/audit-findings/{finding.pk}/")["ETag"] == etag

    first = other.post(
        url, {"client_priority": 4}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    assert first["ETag"] == f'"{version_of(finding)}"' != etag

    second = alice.post(
        url, {"client_priority": 2}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412
    body = second.json()
    assert body["current_version"] == version_of(finding)
    assert body["changed_fields"] == ["client_priority", "priority_set_at", "priority_set_by"]
    assert second["ETag"] == f'"{version_of(finding)}"'
    assert fresh(finding).client_priority == 4

    third = alice.post(
        url, {"client_priority": 2}, content_type="application/json", HTTP_IF_MATCH=first["ETag"]
    )
    assert third.status_code == 200
    assert fresh(finding).client_priority == 2


def test_api_patch_honours_if_match_and_missing_header_is_allowed(world, anna):
    found = make_meetings(world)
    sip = found.sip
    url = f"/api/v1/o/alpha/sips/{sip.pk}/"
    alice = api(world.alice)
    etag = alice.get(url)["ETag"]
    _other_change(sip, anna, title="Anna's programme")
    stale = alice.patch(
        url, {"title": "Alice's"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert fresh(sip).title == "Anna's programme"
    # Weak or listed tags and "*" match; no header at all is let through (older integrations).
    current = f'"{version_of(sip)}"'
    listed = alice.patch(
        url, {"title": "Listed"}, content_type="application/json", HTTP_IF_MATCH=f'"1", W/{current}'
    )
    assert listed.status_code == 200
    starred = alice.patch(
        url, {"title": "Star"}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert starred.status_code == 200
    bare = alice.patch(url, {"title": "Bare"}, content_type="application/json")
    assert bare.status_code == 200
    assert fresh(sip).title == "Bare"


def test_schema_declares_if_match_etag_and_412(world):
    from governance.platform.api import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/o/{org_slug}/audit-findings/{id}/priority/"]["post"]
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["If-Match"]
    assert "412" in operation["responses"]
    assert "ETag" in operation["responses"]["200"]["headers"]
    listing = schema["paths"]["/api/v1/o/{org_slug}/audit-findings/"]["get"]
    assert "headers" not in listing["responses"]["200"]
