"""The gap settings: thresholds (T, δ, k) and the digest schedule, in the browser, the API and
the admin — who may change them, the rules every path obeys, what is in force and where it
comes from, and the rerun a change starts."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import Contract
from governance.platform.access import system_access, tenant_scope
from governance.platform.dimensions import Dimension
from governance.platform.models import Membership, OutboxMessage, Role
from kto.gaps import engine
from kto.gaps.digest import digest_due_key, digest_schedule, gap_digest_send
from kto.gaps.models import GapAnalysisRun, GapDigestSchedule, GapFlag, GapThreshold
from kto.gaps.rules import Flag
from kto.gaps.selectors import gap_threshold_list
from kto.gaps.services import gap_digest_schedule_update
from kto.gaps.tasks import task_run_gap_analysis
from tests.kto.test_gap_engine import GREEN, NOVEMBER, OCTOBER, UNHAPPY, figures, run_gap

__all__ = ["figures"]

AUGUST = date(2026, 8, 1)
DECEMBER = date(2026, 12, 1)


def settings_url(org="alpha") -> str:
    return reverse("kto_gap:settings", kwargs={"org_slug": org})


def add_url(org="alpha") -> str:
    return reverse("kto_gap:threshold_add", kwargs={"org_slug": org})


def edit_url(threshold, org="alpha") -> str:
    return reverse("kto_gap:threshold_edit", kwargs={"org_slug": org, "pk": threshold.pk})


def delete_url(threshold, org="alpha") -> str:
    return reverse("kto_gap:threshold_delete", kwargs={"org_slug": org, "pk": threshold.pk})


def api_list_url(org="alpha") -> str:
    return reverse("api:gap-threshold-list", kwargs={"org_slug": org})


def api_detail_url(threshold, org="alpha") -> str:
    return reverse("api:gap-threshold-detail", kwargs={"org_slug": org, "pk": threshold.pk})


def api_digest_url(org="alpha") -> str:
    return reverse("api:gap-digest-schedule", kwargs={"org_slug": org})


def stored_thresholds(organisation) -> list[tuple]:
    with scopes_disabled():
        return list(
            GapThreshold.objects.filter(organisation=organisation)
            .order_by("pk")
            .values_list("contract__reference", "dimension", "target", "delta", "k")
        )


def threshold(organisation, contract=None, dimension="", target=None, delta="0.1", k=5):
    with scopes_disabled():
        return GapThreshold.objects.create(
            organisation=organisation,
            contract=contract,
            dimension=dimension,
            target=None if target is None else Decimal(target),
            delta=Decimal(delta),
            k=k,
        )


def add_contract(world, reference: str) -> Contract:
    with scopes_disabled():
        return Contract.objects.create(
            organisation=world.alpha,
            supplier=world.northwind,
            reference=reference,
            title=f"Alpha {reference}",
        )


def flag(world, contract, period_start: date, dimension="reliability") -> GapFlag:
    """A stored flag: the months a threshold change must analyse again."""
    with scopes_disabled():
        return GapFlag.objects.create(
            organisation=world.alpha,
            contract=contract,
            dimension=dimension,
            period_start=period_start,
            period_end=period_start.replace(day=28),
            flag=Flag.ALIGNED,
            sla_state="green",
            perception_state="on_target",
            delta=0.1,
            k=5,
            first_period_start=period_start,
            reason_en="Aligned.",
            reason_nl="In lijn.",
        )


def gap_settings_route_samples(world) -> dict:
    """A threshold of Alpha's Northwind contract, for the route walk."""
    return {
        "gap_threshold": threshold(
            world.alpha, world.alpha_contract, "reliability", target="3.5", delta="0.2"
        )
    }


@pytest.fixture
def queued(monkeypatch):
    """The gap runs sent to the broker, as the kwargs they were sent with."""
    sent = []
    monkeypatch.setattr(
        task_run_gap_analysis, "apply_async", lambda *args, **kwargs: sent.append(kwargs)
    )
    return sent


def runs(organisation) -> list[tuple]:
    with scopes_disabled():
        return list(
            GapAnalysisRun.objects.filter(organisation=organisation)
            .order_by("pk")
            .values_list("period_start", "period_end", "trigger", "requested_by__username")
        )


# --- the browser ---------------------------------------------------------------------------


def test_manager_adds_changes_and_removes_a_threshold(world, client_as):
    client = client_as(world.alice)
    response = client.post(
        add_url(),
        {
            "contract": world.alpha_contract.pk,
            "dimension": "reliability",
            "target": "3.8",
            "delta": "0.25",
            "k": "7",
        },
    )
    assert response.status_code == 302 and response["Location"] == settings_url()
    assert stored_thresholds(world.alpha) == [
        ("A-1", "reliability", Decimal("3.80"), Decimal("0.25"), 7)
    ]

    with scopes_disabled():
        row = GapThreshold.objects.get()
    assert client.get(edit_url(row)).status_code == 200
    response = client.post(
        edit_url(row), {"contract": "", "dimension": "", "target": "", "delta": "0", "k": "10"}
    )
    assert response.status_code == 302
    assert stored_thresholds(world.alpha) == [(None, "", None, Decimal("0.00"), 10)]

    assert client.post(delete_url(row)).status_code == 302
    assert stored_thresholds(world.alpha) == []


VALID = {"contract": "", "dimension": "", "target": "3.5", "delta": "0.1", "k": "5"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("delta", "-0.1"),
        ("k", "4"),
        ("target", "0.9"),
        ("target", "5.5"),
        ("contract", "beta"),
    ],
)
def test_an_invalid_threshold_form_names_the_field_and_stores_nothing(
    world, client_as, field, value
):
    if value == "beta":
        value = world.beta_northwind_contract.pk
    response = client_as(world.alice).post(add_url(), VALID | {field: value})
    assert response.status_code == 400
    body = response.content.decode()
    assert re.findall(r'data-field="(\w+)"', body) == [field]
    assert stored_thresholds(world.alpha) == []


def test_a_second_row_for_the_same_scope_is_refused_beside_the_dimension(world, client_as):
    threshold(world.alpha, world.alpha_contract, "reliability", target="3.5")
    response = client_as(world.alice).post(
        add_url(), VALID | {"contract": world.alpha_contract.pk, "dimension": "reliability"}
    )
    assert response.status_code == 400
    assert re.findall(r'data-field="(\w+)"', response.content.decode()) == ["dimension"]
    assert len(stored_thresholds(world.alpha)) == 1


def test_an_invalid_edit_changes_nothing(world, client_as):
    row = threshold(world.alpha, world.alpha_contract, "reliability", target="3.5")
    response = client_as(world.alice).post(edit_url(row), VALID | {"delta": "-1"})
    assert response.status_code == 400
    assert re.findall(r'data-field="(\w+)"', response.content.decode()) == ["delta"]
    assert stored_thresholds(world.alpha) == [
        ("A-1", "reliability", Decimal("3.50"), Decimal("0.10"), 5)
    ]


def test_viewer_reads_the_settings_and_may_change_nothing(world, client_as):
    row = threshold(world.alpha, world.alpha_contract, "reliability", target="3.5")
    client = client_as(world.victor)
    page = client.get(settings_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    # Read-only: no forms to change thresholds, the digest fields disabled.
    assert add_url() not in body and edit_url(row) not in body
    assert "<fieldset disabled>" in body
    assert client.post(add_url(), VALID).status_code == 403
    assert client.get(edit_url(row)).status_code == 403
    assert client.post(edit_url(row), VALID).status_code == 403
    assert client.post(delete_url(row)).status_code == 403
    assert client.post(settings_url(), {"frequency": "weekly"}).status_code == 403
    assert stored_thresholds(world.alpha) == [
        ("A-1", "reliability", Decimal("3.50"), Decimal("0.10"), 5)
    ]
    with scopes_disabled():
        assert GapDigestSchedule.objects.count() == 0


def test_supplier_and_other_tenant_get_404(world, client_as):
    row = threshold(world.alpha, world.alpha_contract, "reliability", target="3.5")
    for actor in (world.bob, world.charlie):
        client = client_as(actor)
        assert client.get(settings_url()).status_code == 404
        assert client.post(add_url(), VALID).status_code == 404
        assert client.get(edit_url(row)).status_code == 404
        assert client.post(delete_url(row)).status_code == 404
        assert client.get(api_list_url()).status_code == 404
        assert client.post(api_list_url(), {}, content_type="application/json").status_code == 404
        assert client.delete(api_detail_url(row)).status_code == 404
        assert client.get(api_digest_url()).status_code == 404
        assert client.patch(api_digest_url(), {}, content_type="application/json").status_code == (
            404
        )
    # Charlie's own organisation does not hold Alpha's row either.
    client = client_as(world.charlie)
    assert client.get(edit_url(row, org="beta")).status_code == 404
    assert client.delete(api_detail_url(row, org="beta")).status_code == 404
    assert len(stored_thresholds(world.alpha)) == 1


def test_matrix_page_links_the_settings(world, client_as):
    body = client_as(world.alice).get(reverse("kto_gap:matrix", kwargs={"org_slug": "alpha"}))
    assert settings_url() in body.content.decode()
    supplier = client_as(world.bob).get(reverse("kto_gap:matrix", kwargs={"org_slug": "alpha"}))
    assert settings_url() not in supplier.content.decode()


# --- what is in force ------------------------------------------------------------------------

CELL = re.compile(
    r'<tr data-contract="(?P<contract>[^"]+)" data-dimension="(?P<dimension>\w+)">'
    r"(?P<body>.*?)</tr>",
    re.S,
)


def in_force_cells(body: str) -> dict[tuple[str, str], tuple]:
    """(contract, dimension) → (T, its source, δ, its source, k, its source) as rendered."""
    found = {}
    for row in CELL.finditer(body):
        values = []
        for name in ("target", "delta", "k"):
            match = re.search(
                rf'data-value="{name}">(.*?)<br><small data-source="{name}">(.*?)</small>',
                row["body"],
                re.S,
            )
            values += [html.unescape(match[1].strip()), html.unescape(match[2].strip())]
        found[(row["contract"], row["dimension"])] = tuple(values)
    return found


def test_in_force_table_shows_each_value_and_where_it_comes_from(world, client_as):
    other = add_contract(world, "A-2")
    threshold(world.alpha, target="3.0", delta="0.2", k=6)
    threshold(world.alpha, dimension="reliability", delta="0.3", k=7)
    threshold(world.alpha, world.alpha_contract, target="3.5", delta="0.15", k=8)
    threshold(world.alpha, world.alpha_contract, "empathy", delta="0.4", k=9)
    # Beta's rows apply to Beta only.
    threshold(world.beta, target="1.5", delta="0.9", k=20)

    response = client_as(world.alice).get(settings_url(), HTTP_ACCEPT_LANGUAGE="en")
    cells = in_force_cells(response.content.decode())

    contract, contract_dim = "Contract, every dimension", "Contract, this dimension"
    org, org_dim = "Organisation default", "Organisation, this dimension"
    assert len(cells) == 2 * 5
    assert cells[("A-1", "reliability")] == ("3.50", contract, "0.15", contract, "8", contract)
    # The contract's empathy row gives δ and k; its T is empty, so T comes from the contract's
    # row for every dimension.
    assert cells[("A-1", "empathy")] == ("3.50", contract, "0.40", contract_dim, "9", contract_dim)
    assert cells[("A-1", "tangibles")] == ("3.50", contract, "0.15", contract, "8", contract)
    # A contract without rows of its own: the organisation's reliability row before its
    # default; T from the default, as the reliability row sets none.
    assert cells[("A-2", "reliability")] == ("3.00", org, "0.30", org_dim, "7", org_dim)
    assert cells[("A-2", "empathy")] == ("3.00", org, "0.20", org, "6", org)

    # The very values the engine uses.
    with scopes_disabled():
        rows = list(GapThreshold.objects.filter(organisation=world.alpha))
    for (reference, dimension), rendered in cells.items():
        pk = world.alpha_contract.pk if reference == "A-1" else other.pk
        used = engine.thresholds_for(
            rows=rows, contract_id=pk, dimension=dimension, survey_target=None
        )
        assert (f"{used.target:.2f}", f"{used.delta:.2f}", str(used.k)) == rendered[::2]


def test_without_thresholds_the_survey_target_and_built_in_values_are_in_force(world, client_as):
    response = client_as(world.alice).get(settings_url(), HTTP_ACCEPT_LANGUAGE="en")
    cells = in_force_cells(response.content.decode())
    expected = ("–", "The survey's own target", "0.10", "Built-in default", "5", "Built-in default")
    assert cells == {("A-1", d): expected for d in Dimension.values}


def test_settings_page_queries_do_not_grow_with_contracts(
    world, client_as, django_assert_num_queries
):
    threshold(world.alpha, target="3.0", delta="0.2", k=6)
    threshold(world.alpha, world.alpha_contract, "empathy", delta="0.4", k=9)
    client = client_as(world.alice)
    client.get(settings_url())  # warm the session

    def render(contracts: int):
        response = client.get(settings_url(), HTTP_ACCEPT_LANGUAGE="en")
        assert len(in_force_cells(response.content.decode())) == contracts * 5
        return response

    with django_assert_num_queries(11):  # one more: the amber margin
        render(1)
    for reference in ("A-2", "A-3"):
        other = add_contract(world, reference)
        threshold(world.alpha, other, "reliability", target="4.0")
    with django_assert_num_queries(11):  # one more: the amber margin
        render(3)


# --- the API -------------------------------------------------------------------------------


def test_api_manager_creates_updates_filters_and_deletes_thresholds(world, client_as):
    client = client_as(world.alice)
    created = client.post(
        api_list_url(),
        {"contract": world.alpha_contract.pk, "dimension": "reliability", "target": "3.80"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["contract_reference"], body["target"], body["delta"], body["k"]) == (
        "A-1",
        "3.80",
        "0.10",
        5,
    )
    default = client.post(
        api_list_url(), {"delta": "0.20", "k": 6}, content_type="application/json"
    ).json()
    assert (default["contract"], default["contract_reference"], default["dimension"]) == (
        None,
        None,
        "",
    )

    listed = client.get(api_list_url(), {"contract": world.alpha_contract.pk}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    listed = client.get(api_list_url(), {"dimension": "reliability"}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    listed = client.get(api_list_url(), {"organisation_wide": "true"}).json()
    assert [r["id"] for r in listed["results"]] == [default["id"]]

    with scopes_disabled():
        row = GapThreshold.objects.get(pk=body["id"])
    patched = client.patch(api_detail_url(row), {"k": 8}, content_type="application/json")
    assert patched.status_code == 200
    assert (patched.json()["target"], patched.json()["k"]) == ("3.80", 8)
    put = client.put(
        api_detail_url(row),
        {"contract": world.alpha_contract.pk, "dimension": "empathy", "target": None},
        content_type="application/json",
    )
    assert put.status_code == 200
    assert stored_thresholds(world.alpha) == [
        ("A-1", "empathy", None, Decimal("0.10"), 5),
        (None, "", None, Decimal("0.20"), 6),
    ]
    assert client.delete(api_detail_url(row)).status_code == 204
    assert stored_thresholds(world.alpha) == [(None, "", None, Decimal("0.20"), 6)]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"delta": "-0.01"}, "delta"),
        ({"k": 4}, "k"),
        ({"target": "0.50"}, "target"),
        ({"target": "5.01"}, "target"),
        ({"contract": "beta"}, "contract"),
        ({"dimension": "happiness"}, "dimension"),
    ],
)
def test_api_refuses_invalid_thresholds_naming_the_field(world, client_as, payload, field):
    if payload.get("contract") == "beta":
        payload = {"contract": world.beta_northwind_contract.pk}
    client = client_as(world.alice)
    response = client.post(
        api_list_url(), {"target": "3.5"} | payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    row = threshold(world.alpha, world.alpha_contract, "reliability", target="3.5")
    response = client.patch(api_detail_url(row), payload, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert stored_thresholds(world.alpha) == [
        ("A-1", "reliability", Decimal("3.50"), Decimal("0.10"), 5)
    ]


def test_api_viewer_reads_and_may_not_write(world, client_as):
    row = threshold(world.alpha, world.alpha_contract, "reliability", target="3.5")
    client = client_as(world.victor)
    assert [r["id"] for r in client.get(api_list_url()).json()["results"]] == [row.pk]
    assert client.get(api_digest_url()).status_code == 200
    json = {"content_type": "application/json"}
    assert client.post(api_list_url(), {"delta": "0.2"}, **json).status_code == 403
    assert client.patch(api_detail_url(row), {"k": 9}, **json).status_code == 403
    assert client.delete(api_detail_url(row)).status_code == 403
    assert client.patch(api_digest_url(), {"frequency": "weekly"}, **json).status_code == 403
    assert stored_thresholds(world.alpha) == [
        ("A-1", "reliability", Decimal("3.50"), Decimal("0.10"), 5)
    ]


# --- every path obeys the same rules ----------------------------------------------------------


def test_model_clean_names_every_broken_rule(world):
    row = GapThreshold(
        organisation=world.alpha,
        contract=world.beta_northwind_contract,
        target=Decimal("6"),
        delta=Decimal("-0.1"),
        k=4,
    )
    with scopes_disabled(), pytest.raises(Exception) as error:
        row.full_clean()
    assert sorted(error.value.message_dict) == ["contract", "delta", "k", "target"]


@pytest.mark.parametrize(("field", "value"), [("delta", -1), ("k", 4), ("target", 7)])
def test_the_database_refuses_what_clean_would(world, field, value):
    row = threshold(world.alpha, target="3.5")
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        GapThreshold.objects.filter(pk=row.pk).update(**{field: value})


def test_admin_refuses_an_invalid_threshold_and_reruns_on_a_valid_one(
    world, client, queued, django_capture_on_commit_callbacks
):
    admin = get_user_model().objects.create_superuser(
        username="root", email="root@example.test", password="x"
    )
    client.force_login(admin)
    flag(world, world.alpha_contract, OCTOBER)
    url = reverse("admin:kto_gapthreshold_add")
    data = {"organisation": world.alpha.pk, "dimension": "", "delta": "-1", "k": "5"}
    response = client.post(url, data)
    assert response.status_code == 200 and "delta" in response.context["adminform"].form.errors
    assert stored_thresholds(world.alpha) == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data | {"delta": "0.3"})
    assert response.status_code == 302
    assert stored_thresholds(world.alpha) == [(None, "", None, Decimal("0.30"), 5)]
    assert runs(world.alpha) == [
        (OCTOBER, date(2026, 10, 31), GapAnalysisRun.Trigger.THRESHOLDS_CHANGED, None)
    ]
    assert len(queued) == 1
    for name in ("admin:kto_gapthreshold_changelist", "admin:kto_gapdigestschedule_changelist"):
        assert client.get(reverse(name)).status_code == 200


# --- a change reruns the months already analysed -------------------------------------------


def test_a_contract_threshold_change_queues_one_rerun_over_its_flagged_months(
    world, client_as, queued, django_capture_on_commit_callbacks
):
    other = add_contract(world, "A-2")
    for month in (AUGUST, OCTOBER):
        flag(world, world.alpha_contract, month)
    flag(world, world.alpha_contract, OCTOBER, dimension="empathy")
    flag(world, other, DECEMBER)  # another contract: not touched by A-1's row
    client = client_as(world.alice)

    data = VALID | {"contract": world.alpha_contract.pk, "dimension": "reliability"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(add_url(), data)
    assert len(callbacks) == 1
    assert runs(world.alpha) == [
        (AUGUST, date(2026, 10, 31), GapAnalysisRun.Trigger.THRESHOLDS_CHANGED, "alice")
    ]
    with scopes_disabled():
        run = GapAnalysisRun.objects.get()
    assert queued == [
        {"kwargs": {"organisation_id": world.alpha.pk, "run_id": run.pk}, "retry": False}
    ]

    # Saved unchanged: nothing to rerun.
    with scopes_disabled():
        row = GapThreshold.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(row), data)
    assert len(queued) == 1

    # Moved to the organisation: every contract's months, from the first to the last.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(row), data | {"contract": ""})
    assert runs(world.alpha)[-1][:2] == (AUGUST, date(2026, 12, 31))
    assert len(queued) == 2

    with django_capture_on_commit_callbacks(execute=True):
        client.post(delete_url(row))
    assert runs(world.alpha)[-1][:2] == (AUGUST, date(2026, 12, 31))
    assert len(queued) == 3


def test_no_rerun_without_flags_nor_for_a_refused_change(
    world, client_as, queued, django_capture_on_commit_callbacks
):
    client = client_as(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add_url(), VALID)  # nothing analysed yet
    flag(world, world.alpha_contract, OCTOBER)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add_url(), VALID | {"dimension": "empathy", "k": "3"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(api_list_url(), {"delta": "-1"}, content_type="application/json")
    assert (runs(world.alpha), queued) == ([], [])


def test_api_threshold_change_queues_one_rerun(
    world, client_as, queued, django_capture_on_commit_callbacks
):
    flag(world, world.alpha_contract, OCTOBER)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_as(world.alice).post(
            api_list_url(),
            {"contract": world.alpha_contract.pk, "target": "4.0"},
            content_type="application/json",
        )
    assert response.status_code == 201
    assert (len(callbacks), len(queued)) == (1, 1)
    assert runs(world.alpha) == [
        (OCTOBER, date(2026, 10, 31), GapAnalysisRun.Trigger.THRESHOLDS_CHANGED, "alice")
    ]


def test_the_rerun_applies_the_new_threshold(
    world, figures, client_as, monkeypatch, django_capture_on_commit_callbacks
):
    for month in (OCTOBER, NOVEMBER):
        figures[(world.alpha_contract.pk, month)] = (
            {"responsiveness": GREEN},
            {"responsiveness": UNHAPPY},
        )
        run_gap(world.alpha, month)

    def responsiveness():
        with scopes_disabled():
            return {
                f.period_start: (f.flag, f.target)
                for f in GapFlag.objects.filter(dimension="responsiveness")
            }

    assert responsiveness() == {
        OCTOBER: (Flag.WATERMELON, 3.5),
        NOVEMBER: (Flag.WATERMELON, 3.5),
    }
    # The broker is the worker here: the queued run executes at once.
    monkeypatch.setattr(
        task_run_gap_analysis,
        "apply_async",
        lambda *, kwargs, retry: task_run_gap_analysis.apply(kwargs=kwargs),
    )
    monkeypatch.setattr("kto.gaps.tasks.task_render_gap_report.delay", lambda **kwargs: None)
    with django_capture_on_commit_callbacks(execute=True):
        client_as(world.alice).post(
            add_url(),
            VALID
            | {"contract": world.alpha_contract.pk, "dimension": "responsiveness"}
            | {"target": "2.5"},
        )
    # Users at 2.95 are above a target of 2.5: the report and the users agree in both months.
    assert responsiveness() == {OCTOBER: (Flag.ALIGNED, 2.5), NOVEMBER: (Flag.ALIGNED, 2.5)}


# --- the digest schedule ---------------------------------------------------------------------


def test_digest_schedule_change_is_stored_and_used(world, client_as):
    client = client_as(world.alice)
    response = client.post(
        settings_url(),
        {
            "frequency": "weekly",
            "day_of_month": "12",
            "weekday": "2",
            "include_contract_managers": "on",
            "include_suppliers": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        schedule = digest_schedule(organisation=world.alpha)
    assert (
        schedule.frequency,
        schedule.weekday,
        schedule.include_contract_managers,
        schedule.include_business_owners,
        schedule.include_suppliers,
    ) == ("weekly", 2, True, False, True)
    assert digest_due_key(schedule=schedule, today=date(2026, 12, 9)) == "weekly-2026-W50"
    assert digest_due_key(schedule=schedule, today=date(2026, 12, 7)) is None

    response = client.patch(
        api_digest_url(),
        {"frequency": "monthly", "day_of_month": 20},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "frequency": "monthly",
        "day_of_month": 20,
        "weekday": 2,
        "include_contract_managers": True,
        "include_business_owners": False,
        "include_suppliers": True,
    }
    with scopes_disabled():
        schedule = digest_schedule(organisation=world.alpha)
        assert GapDigestSchedule.objects.count() == 1
    assert digest_due_key(schedule=schedule, today=date(2026, 12, 20)) == "monthly"
    assert digest_due_key(schedule=schedule, today=date(2026, 12, 12)) is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day_of_month": 29}, "day_of_month"),
        ({"day_of_month": 0}, "day_of_month"),
        ({"weekday": 7}, "weekday"),
        (
            {
                "include_contract_managers": False,
                "include_business_owners": False,
                "include_suppliers": False,
            },
            "include_contract_managers",
        ),
    ],
)
def test_an_invalid_digest_schedule_names_the_field(world, client_as, data, field):
    client = client_as(world.alice)
    response = client.patch(api_digest_url(), data, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    form = {"frequency": "monthly", "day_of_month": "12", "weekday": "0"}
    form |= {"include_contract_managers": "on"}
    for name, value in data.items():
        if value is False:
            form.pop(name, None)
        else:
            form[name] = str(value)
    page = client.post(settings_url(), form)
    assert page.status_code == 400
    assert re.findall(r'data-field="(\w+)"', page.content.decode()) == [field]
    with scopes_disabled():
        assert GapDigestSchedule.objects.count() == 0


def test_digest_goes_to_the_recipient_groups_chosen(world):
    owner = get_user_model().objects.create_user(
        username="olga", email="olga@example.test", password="x"
    )
    with scopes_disabled():
        Membership.objects.create(user=owner, organisation=world.alpha, role=Role.BUSINESS_OWNER)
    access = system_access(world.alpha)
    with tenant_scope(access):
        gap_digest_schedule_update(
            access=access, include_contract_managers=False, include_business_owners=True
        )
    gap_digest_send(organisation=world.alpha, period_start=NOVEMBER, schedule_key="monthly")
    with scopes_disabled():
        assert [m.to for m in OutboxMessage.objects.all()] == [["olga@example.test"]]


def test_selector_lists_organisation_defaults_first(world):
    other = add_contract(world, "A-0")
    threshold(world.alpha, world.alpha_contract, "reliability", target="3.5")
    threshold(world.alpha, other, "", target="3.5")
    threshold(world.alpha, dimension="empathy")
    threshold(world.alpha)
    with tenant_scope(system_access(world.alpha)):
        listed = [
            (t.contract.reference if t.contract else None, t.dimension)
            for t in gap_threshold_list(access=system_access(world.alpha))
        ]
    assert listed == [(None, ""), (None, "empathy"), ("A-0", ""), ("A-1", "reliability")]
