"""Who sees what: the supplier only its assigned complaints, never internal notes, contact
details only with consent; another organisation nothing at all."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import services
from complaints.models import Status
from governance.platform.access import system_access, tenant_scope
from tests.complaints.conftest import file_complaint


def assign(complaint, supplier):
    access = system_access(complaint.organisation)
    with tenant_scope(access):
        services.complaint_assign(access=access, complaint=complaint, supplier=supplier)
        services.complaint_note_add(
            access=access, complaint=complaint, text="INTERNE NOTITIE: contract ter discussie"
        )


@pytest.fixture
def complaints(world, alpha_desk):
    assigned = file_complaint(
        world.alpha,
        service=alpha_desk,
        description="Toegewezen aan Northwind",
        name="Anna Anoniem",
        email="anna@example.test",
        phone="0612345678",
    )
    consented = file_complaint(
        world.alpha,
        service=alpha_desk,
        description="Met toestemming",
        name="Carla Contact",
        email="carla@example.test",
        consent_to_contact=True,
    )
    unassigned = file_complaint(world.alpha, description="Nog bij de regie")
    beta = file_complaint(world.beta, description="Beta klacht via Northwind")
    for complaint in (assigned, consented):
        assign(complaint, world.northwind)
    assign(beta, world.northwind)
    return {"assigned": assigned, "consented": consented, "unassigned": unassigned, "beta": beta}


def page(name, pk=None, slug="alpha"):
    kwargs = {"org_slug": slug} if pk is None else {"org_slug": slug, "pk": pk}
    return reverse(f"complaints:{name}", kwargs=kwargs)


def api(name, pk=None, slug="alpha"):
    kwargs = {"org_slug": slug} if pk is None else {"org_slug": slug, "pk": pk}
    return reverse(f"api:{name}", kwargs=kwargs)


def test_supplier_lists_only_complaints_assigned_to_it(world, client_as, complaints):
    client = client_as(world.bob)
    listed = client.get(page("complaint_list")).context["complaints"]
    data = client.get(api("complaint-list")).json()
    assert sorted(c.reference for c in listed) == sorted(
        [complaints["assigned"].reference, complaints["consented"].reference]
    )
    assert sorted(row["reference"] for row in data["results"]) == sorted(
        [complaints["assigned"].reference, complaints["consented"].reference]
    )


def test_supplier_gets_404_for_unassigned_complaint(world, client_as, complaints):
    client = client_as(world.bob)
    pk = complaints["unassigned"].pk
    assert client.get(page("complaint_detail", pk)).status_code == 404
    assert client.get(api("complaint-detail", pk)).status_code == 404
    assert client.get(api("complaint-events", pk)).status_code == 404


def test_supplier_never_sees_internal_notes(world, client_as, complaints):
    client = client_as(world.bob)
    pk = complaints["assigned"].pk
    body = client.get(page("complaint_detail", pk)).content.decode()
    events = client.get(api("complaint-events", pk)).json()
    assert "INTERNE NOTITIE" not in body
    assert [e["kind"] for e in events] == ["received", "assigned"]
    manager_events = client_as(world.alice).get(api("complaint-events", pk)).json()
    assert [e["kind"] for e in manager_events] == ["received", "assigned", "note"]


def test_supplier_sees_contact_details_only_with_consent(world, client_as, complaints):
    client = client_as(world.bob)
    without = client.get(page("complaint_detail", complaints["assigned"].pk)).content.decode()
    with_consent = client.get(page("complaint_detail", complaints["consented"].pk)).content.decode()
    rows = {r["reference"]: r for r in client.get(api("complaint-list")).json()["results"]}
    assert [t for t in ("Anna Anoniem", "anna@example.test", "0612345678") if t in without] == []
    assert "carla@example.test" in with_consent
    assert (
        rows[complaints["assigned"].reference]["email"],
        rows[complaints["assigned"].reference]["name"],
    ) == ("", "")
    assert rows[complaints["consented"].reference]["email"] == "carla@example.test"
    manager = client_as(world.alice).get(page("complaint_detail", complaints["assigned"].pk))
    assert "anna@example.test" in manager.content.decode()


def test_supplier_resolves_but_cannot_close_reject_or_note(world, client_as, complaints):
    client = client_as(world.bob)
    pk = complaints["assigned"].pk
    resolved = client.post(
        page("complaint_transition", pk), {"to": "resolved", "text": "Storing verholpen."}
    )
    closing = client.post(page("complaint_transition", pk), {"to": "closed"})
    note = client.post(page("complaint_note", pk), {"text": "mag niet"})
    rejecting = client.post(api("complaint-transition", pk), {"to": "rejected", "text": "nee"})
    with scopes_disabled():
        complaints["assigned"].refresh_from_db()
    assert (resolved.status_code, closing.status_code, note.status_code) == (302, 403, 403)
    assert rejecting.status_code == 403
    assert complaints["assigned"].status == Status.RESOLVED


def test_supplier_of_another_complaint_cannot_act_on_it(world, client_as, complaints):
    client = client_as(world.bob)
    pk = complaints["unassigned"].pk
    response = client.post(page("complaint_transition", pk), {"to": "resolved", "text": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("outsider", ["charlie", "dave"])
def test_other_organisation_gets_404(world, client_as, complaints, outsider):
    client = client_as(getattr(world, outsider))
    pk = complaints["assigned"].pk
    assert client.get(page("complaint_detail", pk)).status_code == 404
    assert client.get(api("complaint-detail", pk)).status_code == 404
    # Alpha's complaint asked for under Beta's own slug.
    if outsider == "charlie":
        assert client.get(page("complaint_detail", pk, slug="beta")).status_code == 404
        assert client.get(api("complaint-detail", pk, slug="beta")).status_code == 404


def test_forged_supplier_in_assignment_is_refused(world, client_as, complaints):
    client = client_as(world.alice)
    pk = complaints["unassigned"].pk
    response = client.post(
        page("complaint_assign", pk), {"assignee": f"supplier:{world.southwind.pk}"}
    )
    with scopes_disabled():
        complaints["unassigned"].refresh_from_db()
    assert response.status_code == 302
    assert complaints["unassigned"].assigned_supplier_id is None


def test_supplier_cannot_reach_analysis_or_proposals(world, client_as, complaints):
    client = client_as(world.bob)
    for name in ("analysis", "extension", "proposal_list", "settings"):
        assert client.get(page(name)).status_code == 403, name
    assert client.get(api("complaint-proposal-list")).json()["results"] == []


def test_complaint_list_has_no_n_plus_one(world, client_as, alpha_desk, django_assert_num_queries):
    client = client_as(world.alice)
    first = file_complaint(world.alpha, service=alpha_desk)
    assign(first, world.northwind)
    with django_assert_num_queries(11):
        client.get(page("complaint_list"))
    for _n in range(2):
        assign(file_complaint(world.alpha, service=alpha_desk), world.northwind)
    with django_assert_num_queries(11):
        response = client.get(page("complaint_list"))
    assert len(response.context["complaints"]) == 3
