"""Data minimisation by role: a complainant's contact details (name, e-mail, phone, whether it
may be contacted) reach contract managers, and the assigned supplier only with consent; never
viewers, business owners, auditors or another supplier — in pages, API, exports, PDFs and
e-mails."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from complaints import analysis, selectors, services
from complaints.permissions import may_see_contact
from governance.platform.access import access_for, system_access, tenant_scope
from governance.platform.models import Membership, OutboxMessage, Role, Supplier
from tests.complaints.conftest import AMSTERDAM, file_complaint, handle
from tests.conftest import make_user
from tests.pdf_text import pdf_text

NAME, EMAIL, PHONE = "Griet Contactpersoon", "griet.contact@example.test", "+31 6 1234 5678"
CONTACT = (NAME, EMAIL, PHONE)


@pytest.fixture
def actors(world):
    """Every role of Alpha, and a second supplier of Alpha that is not assigned."""
    from contracts.models import Contract

    with scopes_disabled():
        owner, auditor = make_user("olga"), make_user("arnold")
        Membership.objects.create(user=owner, organisation=world.alpha, role=Role.BUSINESS_OWNER)
        Membership.objects.create(user=auditor, organisation=world.alpha, role=Role.AUDITOR)
        eastwind = Supplier.objects.create(name="Eastwind")
        Contract.objects.create(
            organisation=world.alpha, supplier=eastwind, reference="A-2", title="Alpha hosting"
        )
        erin = make_user("erin")
        from governance.platform.models import SupplierMembership

        SupplierMembership.objects.create(user=erin, supplier=eastwind)
    return {
        "alice": world.alice,
        "victor": world.victor,
        "olga": owner,
        "arnold": auditor,
        "bob": world.bob,
        "erin": erin,
    }


def _complaint(world, *, consent: bool, assign_to=None):
    complaint = file_complaint(
        world.alpha, name=NAME, email=EMAIL, phone=PHONE, consent_to_contact=consent
    )
    access = system_access(world.alpha)
    with tenant_scope(access):
        services.complaint_assign(
            access=access, complaint=complaint, supplier=assign_to or world.northwind
        )
    return complaint


# Who sees the contact details, with and without consent (the complaint is Northwind's).
WITH_CONSENT = {"alice": True, "victor": False, "olga": False, "arnold": False, "bob": True}
WITHOUT_CONSENT = {**WITH_CONSENT, "bob": False}


@pytest.mark.parametrize("consent, expected", [(True, WITH_CONSENT), (False, WITHOUT_CONSENT)])
def test_the_rule_per_role(world, actors, consent, expected):
    complaint = _complaint(world, consent=consent)
    seen = {}
    for name in expected:
        access = access_for(actors[name], world.alpha)
        seen[name] = may_see_contact(access, complaint)
    assert seen == expected


@pytest.mark.parametrize("consent, expected", [(True, WITH_CONSENT), (False, WITHOUT_CONSENT)])
def test_detail_page_per_role(world, actors, client, consent, expected):
    complaint = _complaint(world, consent=consent)
    url = reverse("complaints:complaint_detail", args=["alpha", complaint.pk])
    shown = {}
    for name in expected:
        client.force_login(actors[name])
        body = client.get(url).content.decode()
        shown[name] = [part in body for part in CONTACT]
    assert shown == {name: [visible] * 3 for name, visible in expected.items()}


@pytest.mark.parametrize("consent, expected", [(True, WITH_CONSENT), (False, WITHOUT_CONSENT)])
def test_api_detail_and_list_per_role(world, actors, client, consent, expected):
    complaint = _complaint(world, consent=consent)
    detail = f"/api/v1/o/alpha/complaints/{complaint.pk}/"
    shown = {}
    for name in expected:
        client.force_login(actors[name])
        one = client.get(detail).json()
        listed = client.get("/api/v1/o/alpha/complaints/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        row = next(r for r in rows if r["id"] == complaint.pk)
        shown[name] = [
            (one["name"], one["email"], one["phone"], one["consent_to_contact"]),
            (row["name"], row["email"], row["phone"], row["consent_to_contact"]),
        ]
    hidden = ("", "", "", None)
    assert shown == {
        name: [(*CONTACT, consent) if visible else hidden] * 2 for name, visible in expected.items()
    }


def _csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("consent, expected", [(True, WITH_CONSENT), (False, WITHOUT_CONSENT)])
def test_csv_and_xlsx_exports_per_role(world, actors, client, consent, expected):
    _complaint(world, consent=consent)
    url = reverse("complaints:complaint_export", args=["alpha"])
    shown = {}
    for name in expected:
        client.force_login(actors[name])
        (row,) = _csv_rows(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
        sheet = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).active
        header, values = [list(r) for r in sheet.iter_rows(values_only=True)]
        xlsx = dict(zip(header, values, strict=True))
        shown[name] = [
            (row["Complainant's name"], row["E-mail"], row["Phone"]),
            tuple(xlsx[column] or "" for column in ("Complainant's name", "E-mail", "Phone")),
        ]
    # A leading "+" is escaped against spreadsheet formulas, as in every export.
    exported = (NAME, EMAIL, "'" + PHONE)
    assert shown == {
        name: [exported if visible else ("", "", "")] * 2 for name, visible in expected.items()
    }


def test_another_supplier_never_reaches_the_complaint(world, actors, client):
    complaint = _complaint(world, consent=True)
    client.force_login(actors["erin"])
    detail = client.get(reverse("complaints:complaint_detail", args=["alpha", complaint.pk]))
    api = client.get(f"/api/v1/o/alpha/complaints/{complaint.pk}/")
    export = client.get(reverse("complaints:complaint_export", args=["alpha"]))
    assert (detail.status_code, api.status_code, _csv_rows(export)) == (404, 404, [])


def test_register_pdf_holds_no_contact_details(world):
    """The only complaint PDF: the open register, the same for everyone, with no person."""
    quarter = analysis.closed_quarters(selectors.local_today(world.alpha), 1)[0]
    start, _end = analysis.quarter_bounds(quarter)
    for n in range(3):
        received = datetime.combine(start + timedelta(days=7 + n), datetime.min.time()).replace(
            hour=10, tzinfo=AMSTERDAM
        )
        complaint = file_complaint(
            world.alpha,
            now=received,
            occurred_at=received,
            name=NAME,
            email=EMAIL,
            phone=PHONE,
            consent_to_contact=True,
        )
        handle(complaint, received + timedelta(days=2), (True, 4))
    access = system_access(world.alpha)
    with tenant_scope(access):
        services.complaint_settings_update(access=access, register_public=True, min_group_size=2)
        report = services.register_report_request(
            organisation=world.alpha, quarter=quarter, language="en"
        )
        report = services.register_report_render(report=report)
    text = pdf_text(bytes(report.pdf))
    assert "Alpha" in text
    assert [part for part in (*CONTACT, "Griet", "example.test") if part in text] == []


def test_mail_to_the_handler_holds_no_contact_details(world):
    """The overdue reminder goes to the assignee (here the supplier's users, without the
    complainant's consent) and names only the reference."""
    complaint = _complaint(world, consent=False)
    later = complaint.received_at + timedelta(days=30)
    with tenant_scope(system_access(world.alpha)):
        reminded = services.complaint_reminders_send(organisation=world.alpha, now=later)
    with scopes_disabled():
        messages = list(OutboxMessage.objects.filter(to=[world.bob.email]))
    assert (reminded, len(messages)) == (1, 1)
    body = messages[0].subject + messages[0].body_text
    assert complaint.reference in body
    assert [part for part in (*CONTACT, "Griet") if part in body] == []
