"""Audit test data: Alpha's contract with its agreed way of working, an audit with a checklist,
a finding with an action, a shared report and a rendered PDF; and the same in Beta (where the
text must never leak)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django_scopes import scopes_disabled

from audits import services
from audits.models import Audit, AuditReportPDF, Level, Result
from contracts import services as contract_services
from governance.platform.access import Access

TODAY = date(2026, 11, 16)
# A minimal but complete PDF document (header, one empty page, trailer, end marker).
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def manager(world, org=None):
    org = org or world.alpha
    user = world.alice if org == world.alpha else world.charlie
    return Access(organisation=org, user_id=user.pk, role="contract_manager")


def supplier(world, org=None, user=None):
    org = org or world.alpha
    user = user or world.bob
    return Access(organisation=org, user_id=user.pk, supplier=world.northwind)


def viewer(world):
    return Access(organisation=world.alpha, user_id=world.victor.pk, role="viewer")


@dataclass
class AuditSetup:
    contract: object
    desk: object
    hosting: object
    audit: Audit
    item: object
    finding: object
    action: object
    report: object
    pdf: object


def agreed_way_of_working(contract, prefix=""):
    """Services, an expectation, two service levels in force and one expired, an information
    need."""
    desk = contract_services.service_create(contract=contract, name=f"{prefix}Servicedesk")
    hosting = contract_services.service_create(contract=contract, name=f"{prefix}Hosting")
    contract_services.expectation_create(
        contract=contract,
        statement=f"{prefix}Medewerkers worden bij een P1 binnen 30 minuten geïnformeerd",
        measured_by="Steekproef P1-meldingen",
        owner="Regiemanager",
    )
    common = {
        "metric_kind": "percentage",
        "unit": "%",
        "direction": "higher",
        "period": "monthly",
    }
    contract_services.service_level_create(
        contract=contract,
        service=desk,
        code="SD-ANS30",
        name=f"{prefix}Answered within 30 s",
        target=Decimal("80"),
        valid_from=date(2025, 1, 1),
        **common,
    )
    contract_services.service_level_create(
        contract=contract,
        service=hosting,
        code="HOST-AV",
        name=f"{prefix}Availability",
        target=Decimal("99.9"),
        valid_from=date(2025, 1, 1),
        **common,
    )
    contract_services.service_level_create(
        contract=contract,
        code="OLD-1",
        name=f"{prefix}Expired level",
        target=Decimal("50"),
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
        **common,
    )
    contract_services.information_need_create(
        contract=contract,
        what=f"{prefix}Maandrapportage incidenten",
        format="PDF",
        frequency="monthly",
        recipient="Regieorganisatie",
    )
    return desk, hosting


def make_setup(world, org=None, contract=None, prefix="") -> AuditSetup:
    """An in-progress supplier QA audit with a generated checklist, one major finding with a
    supplier action, a shared report and a rendered PDF."""
    org = org or world.alpha
    contract = contract or world.alpha_contract
    with scopes_disabled():
        desk, hosting = agreed_way_of_working(contract, prefix)
        bob = supplier(world, org)
        audit = services.audit_create(
            access=bob,
            contract=contract,
            title=f"{prefix}Operational audit Q4",
            planned_date=TODAY,
            level=Level.BOTH,
            services=[desk],
            clauses=["7.3", "8.5"],
        )
        audit = services.audit_transition(
            access=bob, audit=audit, status=Audit.Status.IN_PROGRESS, today=TODAY
        )
        services.checklist_generate(access=bob, audit=audit, today=TODAY)
        item = audit.checklist.get(source_key="standard:followed", level=Level.STAFF)
        services.checklist_item_record(
            access=bob,
            item=item,
            result=Result.MAJOR,
            evidence=f"{prefix}Two of five P1 calls escalated late",
            interviewee_role="service desk agent",
        )
        finding = services.finding_create(
            access=bob,
            audit=audit,
            title=f"{prefix}Escalation not followed",
            description="P1 escalations late",
            grade=Result.MAJOR,
            services=[desk],
            checklist_item=item,
        )
        action = services.action_create(
            access=bob,
            finding=finding,
            description=f"{prefix}Retrain the desk",
            owner_side="supplier",
            supplier_owner=world.bob,
            due_date=TODAY + timedelta(days=14),
        )
        report = services.supplier_report_upload(
            access=bob, audit=audit, name=f"{prefix}internal-audit.pdf", content=PDF_BYTES
        )
        pdf = AuditReportPDF.objects.create(
            organisation=org, audit=audit, language="en", pdf=PDF_BYTES, pages=1
        )
    return AuditSetup(contract, desk, hosting, audit, item, finding, action, report, pdf)


def route_samples(world) -> dict:
    """Alpha's audit objects for the route walk (idempotent), with Beta's twin whose texts
    ("Beta desk …") must never leak into Alpha."""
    cached = getattr(world, "_audit_samples", None)
    if cached is None:
        setup = make_setup(world)
        make_setup(world, world.beta, world.beta_northwind_contract, prefix="Beta desk ")
        cached = {
            "audit": setup.audit,
            "checklist_item": setup.item,
            "finding": setup.finding,
            "corrective_action": setup.action,
            "supplier_report": setup.report,
            "audit_programme": _programme(world),
            "shared_audit": make_shared_audit(world),
        }
        make_shared_audit(world, world.beta, world.beta_northwind_contract, prefix="Beta desk ")
        world._audit_samples = cached
    return cached


def _programme(world):
    with scopes_disabled():
        return services.programme_create(
            access=manager(world),
            contract=world.alpha_contract,
            year=2027,
            recurrence="half_yearly",
            plan_audits=False,
        )


def make_shared_audit(world, org=None, contract=None, prefix="") -> Audit:
    """A planned audit of the type "the supplier's shared internal report", waiting for the
    supplier to share the report with its findings."""
    org = org or world.alpha
    contract = contract or world.alpha_contract
    with scopes_disabled():
        return services.audit_create(
            access=supplier(world, org),
            contract=contract,
            title=f"{prefix}Internal audit report H2",
            audit_type=Audit.Type.SHARED_REPORT,
            planned_date=TODAY - timedelta(days=20),
            level=Level.BOTH,
        )
