"""The meetings API: series, meetings, agenda items, outcomes, actions, SIPs and milestones are
written with the same rules as the pages; forged ids of another organisation are a 400 and
nothing is stored; a supplier reads its contracts' meetings and writes only its pre-reads and
its own actions; SIP progress is measured for a whole page at once."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from contracts.models import Service, ServiceLevel
from governance.platform.access import system_access
from governance.platform.models import OutboxMessage
from kto.models import ItemRole, Rollup, StakeholderGroup
from meetings import services
from meetings.models import (
    SIP,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingSeries,
    SIPMilestone,
    Source,
    default_template,
)
from tests.contracts.samples import contract_samples
from tests.kto.helpers import make_survey
from tests.meetings.helpers import make_meetings
from tests.meetings.test_agenda import make_level, make_report


def url(name, *args, org="alpha"):
    return reverse(f"api:{name}", args=[org, *args])


def post(client, name, data, *args):
    return client.post(url(name, *args), data, content_type="application/json")


def patch(client, name, data, *args):
    return client.patch(url(name, *args), data, content_type="application/json")


def counts() -> tuple[int, ...]:
    with scopes_disabled():
        return tuple(
            model.objects.count()
            for model in (MeetingSeries, Meeting, AgendaItem, ActionItem, SIP, SIPMilestone)
        )


def sip_payload(world, level, **overrides) -> dict:
    payload = {
        "contract": world.alpha_contract.pk,
        "title": "Reachability",
        "goal": "Reach the desk within 30 seconds",
        "client_owner": world.alice.pk,
        "supplier_owner": world.bob.pk,
        "service_level": level.pk,
        "sla_baseline": "85",
        "sla_target": "95",
        "dimension": "responsiveness",
        "perception_baseline": "3.10",
        "perception_target": "3.80",
        "baseline_period": "2026-06-01",
    }
    return payload | overrides


@pytest.fixture
def beta(world):
    """Beta's own meeting data, Beta's service level and a SIP on it: ids to forge."""
    found = make_meetings(
        world, world.beta, world.beta_southwind_contract, title="Beta hosting tactical"
    )
    with scopes_disabled():
        service = Service.objects.create(
            organisation=world.beta, contract=world.beta_southwind_contract, name="Beta hosting"
        )
        level = ServiceLevel.objects.create(
            organisation=world.beta,
            contract=world.beta_southwind_contract,
            service=service,
            code="HOST",
            name="Hosting",
            metric_kind="percentage",
            direction="higher",
            target=Decimal("99"),
            valid_from=date(2024, 1, 1),
        )
        sip = services.sip_create(
            access=system_access(world.beta),
            **(
                sip_payload(world, level)
                | {
                    "contract": world.beta_southwind_contract,
                    "client_owner": world.charlie,
                    "supplier_owner": world.dave,
                    "service_level": level,
                    "baseline_period": date(2026, 6, 1),
                }
            ),
        )
    found.level = level
    found.sip = sip
    return found


# --- series --------------------------------------------------------------------------------


def test_manager_creates_a_series_with_roles_and_the_tiers_standard_agenda(world, client_as):
    response = post(
        client_as(world.alice),
        "meeting-series-list",
        {
            "contract": world.alpha_contract.pk,
            "tier": "tactical",
            "title": "Tactical A-1",
            "chair": world.alice.pk,
            "required_roles": [
                {"side": "client", "role": "Contract manager"},
                {"side": "supplier", "role": "Service manager"},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["tier"], body["cadence_months"], body["chair"], body["preparation_days"]) == (
        "tactical",
        3,
        world.alice.pk,
        3,
    )
    with scopes_disabled():
        series = MeetingSeries.objects.get(pk=body["id"])
        expected = default_template("tactical")
    # Stored in the organisation's language (Dutch by default).
    assert body["agenda_template"] == series.agenda_template
    assert len(series.agenda_template) == len(expected)
    assert body["required_roles"] == [
        {"side": "client", "role": "Contract manager"},
        {"side": "supplier", "role": "Service manager"},
    ]


def test_manager_updates_a_series_and_replaces_its_roles(world, client_as):
    found = make_meetings(world)
    response = patch(
        client_as(world.alice),
        "meeting-series-detail",
        {
            "title": "Renamed",
            "agenda_template": ["Opening", "Gap flags", "Closing"],
            "escalate_after": 3,
            "cadence_months": None,
            "required_roles": [{"side": "client", "role": "Information manager"}],
        },
        found.series.pk,
    )
    assert response.status_code == 200, response.json()
    with scopes_disabled():
        found.series.refresh_from_db()
        roles = list(found.series.required_roles.values_list("side", "role"))
    assert (
        found.series.title,
        found.series.agenda_template,
        found.series.escalate_after,
        found.series.cadence_months,
        found.series.contract_id,
    ) == ("Renamed", ["Opening", "Gap flags", "Closing"], 3, 3, world.alpha_contract.pk)
    assert roles == [("client", "Information manager")]


def test_series_rules_of_the_form_hold_in_the_api(world, client_as):
    client = client_as(world.alice)
    before = counts()
    duplicate = post(
        client,
        "meeting-series-list",
        {
            "tier": "operational",
            "title": "Ops",
            "required_roles": [
                {"side": "client", "role": "Manager"},
                {"side": "client", "role": "Manager"},
            ],
        },
    )
    bad = post(
        client,
        "meeting-series-list",
        {"tier": "weekly", "title": "", "cadence_months": 30, "required_roles": [{"side": "x"}]},
    )
    assert (duplicate.status_code, bad.status_code) == (400, 400)
    assert sorted(bad.json()) == ["cadence_months", "required_roles", "tier", "title"]
    assert counts() == before


# --- forged ids: 400, nothing stored -------------------------------------------------------


FORGED = [
    ("meeting-series-list", lambda w, b: {"tier": "tactical", "title": "X", "contract": "BC"}),
    ("meeting-series-list", lambda w, b: {"tier": "tactical", "title": "X", "chair": "CH"}),
    ("meeting-list", lambda w, b: {"series": "BS", "starts_at": "2099-01-05T10:00:00Z"}),
    ("agenda-item-list", lambda w, b: {"meeting": "BU", "title": "X"}),
    (
        "meeting-action-list",
        lambda w, b: {
            "meeting": "BM",
            "title": "X",
            "owner_side": "client",
            "owner_name": "A",
            "due_date": "2099-01-01",
        },
    ),
    (
        "meeting-action-list",
        lambda w, b: {
            "meeting": "AM",
            "item": "BI",
            "title": "X",
            "owner_side": "client",
            "owner_name": "A",
            "due_date": "2099-01-01",
        },
    ),
    ("sip-list", lambda w, b: sip_payload(w, b.level, contract="BC")),
    ("sip-list", lambda w, b: sip_payload(w, b.level, client_owner="CH")),
    ("sip-list", lambda w, b: sip_payload(w, b.level, supplier_owner="DA")),
    ("sip-list", lambda w, b: {"service_level": "BL"}),
    ("sip-milestone-list", lambda w, b: {"sip": "BP", "title": "X", "due_date": "2099-01-01"}),
]


@pytest.mark.parametrize(("name", "payload"), FORGED)
def test_forged_id_of_another_organisation_is_a_400_and_nothing_is_stored(
    name, payload, world, client_as, beta
):
    found = make_meetings(world)
    level = contract_samples(world)["service_level"]
    ids = {
        "BC": world.beta_southwind_contract.pk,
        "CH": world.charlie.pk,
        "DA": world.dave.pk,
        "BS": beta.series.pk,
        "BU": beta.upcoming.pk,
        "BM": beta.past.pk,
        "BI": beta.item.pk,
        "BL": beta.level.pk,
        "BP": beta.sip.pk,
        "AM": found.past.pk,
    }
    data = payload(world, beta)
    if name == "sip-list" and "contract" not in data:
        data = sip_payload(world, level) | data
    forged = {key: ids[value] for key, value in data.items() if value in ids and value != "AM"}
    data = data | {key: ids[value] for key, value in data.items() if value == "AM"}
    data = data | forged
    before = counts()
    response = post(client_as(world.alice), name, data)
    assert response.status_code == 400, response.json()
    assert set(forged) <= set(response.json()), response.json()
    assert counts() == before


def test_a_meeting_cannot_end_before_it_starts(world, client_as):
    found = make_meetings(world)
    before = counts()
    response = post(
        client_as(world.alice),
        "meeting-list",
        {
            "series": found.series.pk,
            "starts_at": "2099-05-04T10:00:00Z",
            "ends_at": "2099-05-04T09:00:00Z",
        },
    )
    assert (response.status_code, list(response.json())) == (400, ["ends_at"])
    assert counts() == before


def test_an_action_on_an_item_of_another_meeting_is_refused(world, client_as):
    found = make_meetings(world)
    before = counts()
    response = post(
        client_as(world.alice),
        "meeting-action-list",
        {
            "meeting": found.upcoming.pk,
            "item": found.item.pk,
            "title": "X",
            "owner_side": "client",
            "owner_name": "A",
            "due_date": "2099-01-01",
        },
    )
    assert (response.status_code, list(response.json())) == (400, ["item"])
    assert counts() == before


# --- who may write -------------------------------------------------------------------------


def test_supplier_and_viewer_cannot_write_what_the_pages_do_not_let_them(world, client_as):
    found = make_meetings(world)
    level = contract_samples(world)["service_level"]
    attempts = [
        ("post", "meeting-series-list", {"tier": "tactical", "title": "X"}, ()),
        ("patch", "meeting-series-detail", {"title": "X"}, (found.series.pk,)),
        ("post", "meeting-list", {"series": found.series.pk, "starts_at": "2099-01-05T10:00Z"}, ()),
        ("patch", "meeting-detail", {"location": "X"}, (found.upcoming.pk,)),
        ("post", "meeting-generate", {}, (found.upcoming.pk,)),
        ("post", "meeting-transition", {"to": "approved"}, (found.past.pk,)),
        ("post", "agenda-item-list", {"meeting": found.upcoming.pk, "title": "X"}, ()),
        (
            "post",
            "meeting-action-list",
            {
                "meeting": found.past.pk,
                "title": "X",
                "owner_side": "supplier",
                "owner_name": "B",
                "due_date": "2099-01-01",
            },
            (),
        ),
        ("post", "sip-list", sip_payload(world, level), ()),
        ("patch", "sip-detail", {"status": "stopped"}, (found.sip.pk,)),
        (
            "post",
            "sip-milestone-list",
            {"sip": found.sip.pk, "title": "X", "due_date": "2099-01-01"},
            (),
        ),
        ("patch", "sip-milestone-detail", {"done": True}, (found.milestone.pk,)),
    ]
    before = counts()
    answers = {}
    for actor in (world.bob, world.victor):
        client = client_as(actor)
        for method, name, data, args in attempts:
            call = post if method == "post" else patch
            answers[(actor.username, name, method)] = call(client, name, data, *args).status_code
    assert set(answers.values()) == {403}, answers
    with scopes_disabled():
        found.past.refresh_from_db()
        found.series.refresh_from_db()
    assert (counts(), found.past.status, found.series.title) == (before, "held", "Alpha tactical")


def test_supplier_reads_its_contracts_meetings_without_client_only_data(world, client_as, beta):
    found = make_meetings(world)
    client = client_as(world.bob)
    items = client.get(url("agenda-item-list"), {"meeting": found.past.pk}).json()["results"]
    milestones = client.get(url("sip-milestone-list")).json()["results"]
    beta_series = client.get(url("meeting-series-list", org="beta")).json()["results"]
    assert [i["title"] for i in items] == ["Desk availability"]
    assert [set(i) & {"client_notes", "client_only"} for i in items] == [set()]
    assert [(m["sip"], m["title"]) for m in milestones] == [(found.sip.pk, "Evening shift")]
    # Bob's Northwind has no contract with meetings at Beta (Southwind's are not his).
    assert beta_series == []


# --- a meeting through the API, start to finish --------------------------------------------


def test_manager_runs_a_meeting_through_the_api_and_the_action_carries_over(world, client_as):
    found = make_meetings(world)
    client = client_as(world.alice)
    with scopes_disabled():
        services.attendance_add(
            meeting=found.upcoming,
            side="client",
            role="Contract manager",
            name="Alice",
            email="alice@example.test",
        )
    moved = patch(
        client, "meeting-detail", {"starts_at": "2099-03-17T09:00:00Z"}, found.upcoming.pk
    )
    generated = post(client, "meeting-generate", {}, found.upcoming.pk)
    added = post(
        client,
        "agenda-item-list",
        {"meeting": found.upcoming.pk, "title": "Capacity plan", "needs_preparation": True},
    )
    published = post(client, "meeting-transition", {"to": "published"}, found.upcoming.pk)
    again = post(client, "meeting-transition", {"to": "published"}, found.upcoming.pk)
    held = post(client, "meeting-transition", {"to": "held"}, found.upcoming.pk)
    item_id = added.json()["id"]
    outcome = post(
        client,
        "agenda-item-outcome",
        {"minutes": "Agreed", "outcome": "decision", "resolved": False},
        item_id,
    )
    action = post(
        client,
        "meeting-action-list",
        {
            "meeting": found.upcoming.pk,
            "item": item_id,
            "title": "Write the capacity plan",
            "owner_side": "supplier",
            "owner_name": "S. Manager",
            "due_date": "2099-04-30",
        },
    )
    approved = post(client, "meeting-transition", {"to": "approved"}, found.upcoming.pk)
    late = post(
        client,
        "agenda-item-outcome",
        {"minutes": "Changed", "outcome": "information", "resolved": True},
        item_id,
    )
    following = post(
        client, "meeting-list", {"series": found.series.pk, "starts_at": "2099-06-16T09:00:00Z"}
    )
    next_items = post(client, "meeting-generate", {}, following.json()["id"]).json()
    statuses = [
        r.status_code
        for r in (moved, generated, added, published, again, held, outcome, action, approved, late)
    ]
    assert statuses == [200, 200, 201, 200, 400, 200, 200, 201, 200, 400]
    assert (moved.json()["ends_at"], added.json()["prep_due"]) == (
        "2099-03-17T12:00:00+01:00",
        "2099-03-12",
    )
    assert [i["title"] for i in generated.json()][:2] == found.series.agenda_template[:2]
    assert approved.json()["status"] == "approved"
    assert following.json()["location"] == found.series.location
    carried = sorted(i["title"] for i in next_items if i["source"] == Source.CARRIED_ACTION)
    assert len(carried) == 2 and "Write the capacity plan" in carried[1]
    with scopes_disabled():
        invitation = OutboxMessage.objects.get(subject__contains=str(found.series.title))
    assert invitation.to == ["alice@example.test", "bob@example.test"]  # both sides


# --- SIPs and milestones -------------------------------------------------------------------


def test_manager_starts_and_updates_a_sip_with_milestones(world, client_as):
    level = contract_samples(world)["service_level"]
    client = client_as(world.alice)
    created = post(client, "sip-list", sip_payload(world, level))
    assert created.status_code == 201, created.json()
    sip_id = created.json()["id"]
    updated = patch(client, "sip-detail", {"status": "completed", "sla_target": "97.5"}, sip_id)
    milestone = post(
        client,
        "sip-milestone-list",
        {"sip": sip_id, "title": "Call-back live", "due_date": "2026-09-01"},
    )
    done = patch(client, "sip-milestone-detail", {"done": True}, milestone.json()["id"])
    wrong = patch(
        client, "sip-detail", {"perception_target": "6", "baseline_period": "2026-06-02"}, sip_id
    )
    detail = client.get(url("sip-detail", sip_id)).json()
    assert (updated.status_code, milestone.status_code, done.status_code) == (200, 201, 200)
    assert (wrong.status_code, sorted(wrong.json())) == (
        400,
        ["baseline_period", "perception_target"],
    )
    assert (detail["status"], detail["sla_target"], detail["perception_target"]) == (
        "completed",
        "97.5000",
        "3.80",
    )
    assert detail["milestones"] == [
        {
            "id": milestone.json()["id"],
            "sip": sip_id,
            "title": "Call-back live",
            "due_date": "2026-09-01",
            "done": True,
        }
    ]
    # The baseline month is June 2026; the sample report is of January 2025: nothing later.
    assert detail["progress_sla"] == {
        "baseline": 85.0,
        "target": 97.5,
        "current": None,
        "change": None,
    }


# --- SIP progress in bulk: the same queries for 1 and for 5 SIPs ---------------------------


def five_sips(world, count):
    """`count` SIPs on A-1, each on its own service level with reports after the baseline,
    and a survey covering the last three months with answers on their dimension."""
    today = timezone.localdate()
    baseline = (today.replace(day=1) - timedelta(days=100)).replace(day=1)
    with scopes_disabled():
        survey = make_survey(
            world.alpha, [world.alpha_contract], groups=[StakeholderGroup.END_USERS]
        )
        Rollup.objects.create(
            organisation=world.alpha,
            survey=survey,
            contract=world.alpha_contract,
            role=ItemRole.PERCEPTION,
            dimension="responsiveness",
            group=StakeholderGroup.END_USERS,
            period_start=survey.period_start,
            period_end=survey.period_end,
            n=10,
            sum_x=35.0,
            sum_x2=125.0,
        )
        levels = [make_level(world, code=f"L{n}", target="95") for n in range(count)]
        month = (baseline + timedelta(days=32)).replace(day=1)
        make_report(world, baseline, values=[(level, "80") for level in levels])
        make_report(world, month, values=[(level, str(90 + n)) for n, level in enumerate(levels)])
        for n, level in enumerate(levels):
            services.sip_create(
                access=system_access(world.alpha),
                **(
                    sip_payload(world, level)
                    | {
                        "title": f"SIP {n}",
                        "contract": world.alpha_contract,
                        "client_owner": world.alice,
                        "supplier_owner": world.bob,
                        "service_level": level,
                        "sla_baseline": Decimal("80"),
                        "baseline_period": baseline,
                    }
                ),
            )


@pytest.mark.parametrize("count", [1, 5])
def test_sip_api_list_measures_a_page_at_once(world, client_as, django_assert_num_queries, count):
    five_sips(world, count)
    client = client_as(world.bob)
    client.get(url("sip-list"))  # warm the session
    with django_assert_num_queries(17):
        response = client.get(url("sip-list"))
    rows = sorted(response.json()["results"], key=lambda r: r["title"])
    assert [(r["progress_sla"]["current"], r["progress_sla"]["change"]) for r in rows] == [
        (90.0 + n, 10.0 + n) for n in range(count)
    ]
    assert {r["progress_perception"]["current"] for r in rows} == {3.5}


@pytest.mark.parametrize("count", [1, 5])
def test_sip_list_page_measures_a_page_at_once(world, client_as, django_assert_num_queries, count):
    five_sips(world, count)
    client = client_as(world.alice)
    client.get(reverse("meetings:sip_list", args=["alpha"]))
    with django_assert_num_queries(17):
        response = client.get(reverse("meetings:sip_list", args=["alpha"]))
    html = response.content.decode()
    assert len(re.findall(r"/meetings/sips/\d+/", html)) == count
    assert html.count("3,50 (+0,40)") + html.count("3.50 (+0.40)") == count
