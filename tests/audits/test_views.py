from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from audits import services
from audits.models import AuditProgramme, CorrectiveAction, Finding
from governance.platform import impact
from tests.audits.helpers import TODAY, make_setup, manager, supplier


@pytest.fixture(autouse=True)
def _no_impact_sources(monkeypatch):
    monkeypatch.setattr(impact, "_sources", [])


@pytest.fixture
def both(world):
    alpha = make_setup(world)
    beta = make_setup(world, world.beta, world.beta_northwind_contract, prefix="Beta desk ")
    return alpha, beta


def url(name, org, *args):
    return reverse(f"audits:{name}", args=[org, *args])


def test_other_supplier_gets_404_on_noordlicht_audits(world, both, client_as):
    _alpha, beta = both
    client = client_as(world.dave)  # Southwind: a contract in Beta, not this one
    for name, pk in [
        ("audit_detail", beta.audit.pk),
        ("finding_detail", beta.finding.pk),
        ("supplier_report_download", beta.report.pk),
        ("pdf_download", beta.audit.pk),
    ]:
        assert client.get(url(name, "beta", pk)).status_code == 404, name
    listing = client.get(url("audit_list", "beta"), {"year": TODAY.year}).content.decode()
    assert "Beta desk Operational audit" not in listing
    api = client.get(reverse("api:audit-finding-list", kwargs={"org_slug": "beta"})).json()
    assert api["results"] == []


def test_another_organisation_gets_404(world, both, client_as):
    alpha, _beta = both
    client = client_as(world.charlie)
    assert client.get(url("audit_detail", "alpha", alpha.audit.pk)).status_code == 404
    assert client.get(url("audit_detail", "beta", alpha.audit.pk)).status_code == 404
    assert client.get(url("supplier_report_download", "beta", alpha.report.pk)).status_code == 404


def test_viewer_reads_but_cannot_edit(world, both, client_as):
    alpha, _beta = both
    client = client_as(world.victor)
    assert client.get(url("audit_detail", "alpha", alpha.audit.pk)).status_code == 200
    assert client.get(url("audit_edit", "alpha", alpha.audit.pk)).status_code == 403
    response = client.post(url("finding_priority", "alpha", alpha.finding.pk), {"priority": "5"})
    assert response.status_code == 403
    response = client.post(url("action_update", "alpha", alpha.action.pk), {"status": "done"})
    assert response.status_code == 403
    with scopes_disabled():
        assert Finding.objects.get(pk=alpha.finding.pk).client_priority is None
        assert CorrectiveAction.objects.get(pk=alpha.action.pk).status == "open"


def test_uploaded_report_is_a_download_for_those_who_may_see_it(world, both, client_as):
    alpha, beta = both
    for user, org, report, status in [
        (world.alice, "alpha", alpha.report, 200),
        (world.victor, "alpha", alpha.report, 200),
        (world.bob, "alpha", alpha.report, 200),
        (world.bob, "beta", beta.report, 200),
        (world.charlie, "beta", beta.report, 200),
        (world.dave, "beta", beta.report, 404),
        (world.charlie, "alpha", alpha.report, 404),
        (world.victor, "alpha", beta.report, 404),
    ]:
        response = client_as(user).get(url("supplier_report_download", org, report.pk))
        assert response.status_code == status, (user.username, org)
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment;")
            assert response.content.startswith(b"%PDF-")


def test_supplier_never_sees_the_client_note(world, both, client_as):
    alpha, _beta = both
    with scopes_disabled():
        services.finding_set_priority(
            access=manager(world), finding=alpha.finding, priority=4, note="Budget talk first"
        )
    page = client_as(world.bob).get(url("finding_detail", "alpha", alpha.finding.pk))
    assert "Budget talk first" not in page.content.decode()
    api = (
        client_as(world.bob)
        .get(
            reverse(
                "api:audit-finding-detail", kwargs={"org_slug": "alpha", "pk": alpha.finding.pk}
            )
        )
        .json()
    )
    assert ("client_note" in api, api["client_priority"]) == (False, 4)
    page = client_as(world.alice).get(url("finding_detail", "alpha", alpha.finding.pk))
    assert "Budget talk first" in page.content.decode()


def test_bad_action_input_names_the_field_and_stores_nothing(world, both, client_as):
    alpha, _beta = both
    response = client_as(world.alice).post(
        url("action_create", "alpha", alpha.finding.pk),
        {
            "description": "Together",
            "owner_side": "joint",
            "client_owner": world.alice.pk,
            "due_date": "2026-12-01",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Owner side: A joint action needs an owner on both sides: one at the supplier and one "
        "at the client."
    ]
    with scopes_disabled():
        assert CorrectiveAction.objects.filter(finding=alpha.finding).count() == 1


def test_forged_foreign_ids_are_refused(world, both, client_as):
    alpha, beta = both
    client = client_as(world.bob)
    response = client.post(
        reverse("api:audit-action-list", kwargs={"org_slug": "alpha"}),
        {
            "finding": beta.finding.pk,
            "description": "x",
            "owner_side": "supplier",
            "supplier_owner": world.bob.pk,
            "due_date": "2026-12-01",
        },
    )
    assert (response.status_code, list(response.json())) == (400, ["finding"])
    response = client.post(
        reverse("api:audit-list", kwargs={"org_slug": "alpha"}),
        {
            "contract": world.beta_northwind_contract.pk,
            "title": "x",
            "audit_type": "supplier_qa",
            "planned_date": "2026-12-01",
        },
    )
    assert (response.status_code, list(response.json())) == (400, ["contract"])


def test_api_supplier_records_an_audit_and_manager_prioritises(world, client_as):
    make_setup(world)
    bob = client_as(world.bob)
    created = bob.post(
        reverse("api:audit-list", kwargs={"org_slug": "alpha"}),
        {
            "contract": world.alpha_contract.pk,
            "title": "API audit",
            "audit_type": "supplier_qa",
            "planned_date": "2026-12-01",
            "clauses": ["7.2"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["status"], created.json()["clauses"]) == ("planned", ["7.2"])
    finding = Finding.objects  # noqa: F841 - readability of the next block
    with scopes_disabled():
        target = Finding.objects.get(audit__organisation=world.alpha)
    priority_url = reverse(
        "api:audit-finding-priority", kwargs={"org_slug": "alpha", "pk": target.pk}
    )
    assert bob.post(priority_url, {"client_priority": 3}).status_code == 403
    alice = client_as(world.alice)
    response = alice.post(priority_url, {"client_priority": 3}, content_type="application/json")
    assert (response.status_code, response.json()["client_priority"]) == (200, 3)
    close = alice.post(
        reverse("api:audit-finding-close", kwargs={"org_slug": "alpha", "pk": target.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert close.status_code == 400
    assert close.json()["detail"][0].startswith("A finding closes only after")


@pytest.mark.parametrize("count", [1, 3])
def test_lists_do_not_grow_queries_with_rows(world, client_as, django_assert_num_queries, count):
    with scopes_disabled():
        for n in range(count):
            audit = services.audit_create(
                access=supplier(world),
                contract=world.alpha_contract,
                title=f"Audit {n}",
                planned_date=TODAY + timedelta(days=n),
            )
            audit = services.audit_transition(
                access=supplier(world), audit=audit, status="in_progress"
            )
            finding = services.finding_create(
                access=supplier(world),
                audit=audit,
                title=f"F{n}",
                description="d",
                grade="minor_nc",
            )
            services.action_create(
                access=supplier(world),
                finding=finding,
                description="a",
                owner_side="supplier",
                supplier_owner=world.bob,
                due_date=TODAY,
            )
    client = client_as(world.alice)
    with django_assert_num_queries(12):
        client.get(url("audit_list", "alpha"), {"year": TODAY.year})
    with django_assert_num_queries(9):
        client.get(url("finding_board", "alpha"))
    with django_assert_num_queries(7):
        client.get(url("action_board", "alpha"))


def test_home_shows_open_major_nonconformities(world, both, client_as):
    alpha, _beta = both
    body = client_as(world.alice).get(reverse("organisation_home", args=["alpha"])).content
    body = body.decode()
    assert body.count(url("finding_detail", "alpha", alpha.finding.pk)) == 1
    assert "Beta desk" not in body


def test_programme_calendar_places_audits_in_their_month(world, client_as):
    make_setup(world)
    response = client_as(world.victor).get(url("audit_list", "alpha"), {"year": TODAY.year})
    november = response.context["calendar"][10]
    assert [a.title for a in november["audits"]] == ["Operational audit Q4"]
    assert sum(len(m["audits"]) for m in response.context["calendar"]) == 1


def test_next_year_is_planned_from_the_programme_calendar(world, client_as):
    with scopes_disabled():
        programme = services.programme_create(
            access=manager(world), contract=world.alpha_contract, year=2026, recurrence="yearly"
        )
    client = client_as(world.alice)
    page = client.get(url("audit_list", "alpha"), {"year": 2026}).content.decode()
    assert page.count(f'data-testid="next-year-{programme.pk}"') == 1
    # The link leads to a confirmation page that plans nothing yet.
    confirm = client.get(url("programme_next_year", "alpha", programme.pk))
    assert confirm.status_code == 200
    with scopes_disabled():
        assert AuditProgramme.objects.filter(year=2027).count() == 0
    response = client.post(url("programme_next_year", "alpha", programme.pk))
    assert response["Location"] == (
        f"{url('audit_list', 'alpha')}?year=2027&contract={world.alpha_contract.pk}"
    )
    page = client.get(url("audit_list", "alpha"), {"year": 2026}).content.decode()
    assert f'data-testid="next-year-{programme.pk}"' not in page
    with scopes_disabled():
        assert list(
            AuditProgramme.objects.filter(contract=world.alpha_contract).values_list(
                "year", flat=True
            )
        ) == [2027, 2026]
    # The API does the same, and refuses a year that is planned already.
    api = reverse("api:audit-programme-next-year", kwargs={"org_slug": "alpha", "pk": programme.pk})
    response = client.post(api, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()) == (
        400,
        {"year": ["This contract already has a programme for that year."]},
    )
    assert client_as(world.victor).post(api).status_code == 403
    assert client_as(world.charlie).post(api).status_code == 404
    assert client_as(world.dave).post(api).status_code == 404
