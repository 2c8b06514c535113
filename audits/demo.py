"""Demo data for audits (idempotent): per demo contract a quarterly programme for this year,
the past quarters' audits done — the most recent one reported with findings of every grade,
corrective actions owned by the supplier, the client and both, one finding closed after its
effectiveness check, one awaiting its check and one action overdue.

Run inside `platform_scope()` after the contracts demo (seed_demo does both)."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import translation

from audits import services
from audits.models import Audit, AuditProgramme, ChecklistItem, CorrectiveAction, Level, Result
from contracts.selectors import contract_list, services_for_contract
from governance.platform.access import Access, system_access
from governance.platform.models import Membership, Organisation, SupplierMembership

MANAGERS = {"zuidrand": "manager@zuidrand.example", "deltabank": "manager@deltabank.example"}
CONTRACTS = ["ZR-2024-001", "ZR-2025-004", "DB-2023-017"]
CLAUSES = ["7.2", "7.3", "8.5", "9.2", "10.2"]

# Per contract: the service the findings touch and the texts of the reported audit.
STORY = {
    "desk": {
        "processes": "Incidentafhandeling\nEscalatie P1/P2\nTerugbelafspraken",
        "major": (
            "Escalatieprocedure P1 niet gevolgd",
            "Bij twee van de vijf doorgenomen P1-meldingen werd de regieorganisatie pas na "
            "ruim twee uur geïnformeerd; de afgesproken termijn is 30 minuten.",
            "De escalatiematrix in de kennisbank is van vóór de contractwijziging van dit jaar.",
        ),
        "minor": (
            "Terugbelafspraken niet vastgelegd",
            "Medewerkers noteren terugbelafspraken op papier; in het ticket ontbreken ze.",
            "Het ticketsysteem heeft geen veld voor een terugbelafspraak.",
        ),
        "observation": (
            "Werkdruk op maandagochtend",
            "Teamleiders melden een vaste piek op maandagochtend die de bezetting niet volgt.",
        ),
        "improvement": (
            "Kennisartikelen delen met sleutelgebruikers",
            "Veelgestelde vragen kunnen als kennisartikel naar de sleutelgebruikers.",
        ),
        "strength": (
            "Heldere overdracht tussen diensten",
            "De overdracht tussen vroege en late dienst is vastgelegd en wordt consequent gevolgd.",
        ),
        "actions": {
            "training": "Herinstructie escalatieprocedure voor alle medewerkers, met toets.",
            "joint": "Escalatiematrix gezamenlijk herzien en in beide kennisbanken publiceren.",
            "fix": "Invoerveld en werkinstructie toegevoegd; teamleiders controleren wekelijks.",
            "check": "Steekproef van twintig tickets na vier weken: alle terugbelafspraken "
            "vastgelegd.",
            "client": "Regieorganisatie levert het verwachte volume per weekdag aan de "
            "leverancier.",
            "improvement": "Tien meest gestelde vragen als kennisartikel gepubliceerd.",
        },
    },
    "hosting": {
        "processes": "Wijzigingsbeheer\nHersteltests\nCapaciteitsbeheer",
        "major": (
            "Hersteltest back-up niet uitgevoerd",
            "De afgesproken kwartaalhersteltest is in het tweede en derde kwartaal niet gedaan.",
            "De test stond op naam van een medewerker die uit dienst is; niemand nam hem over.",
        ),
        "minor": (
            "Wijzigingen zonder terugvalplan",
            "Drie van de tien standaardwijzigingen hadden geen vastgelegd terugvalplan.",
            "Het sjabloon voor standaardwijzigingen maakt het terugvalplan niet verplicht.",
        ),
        "observation": (
            "Onderhoudsvensters kort van tevoren gemeld",
            "Onderhoud wordt soms pas twee werkdagen vooraf aan de regieorganisatie gemeld.",
        ),
        "improvement": (
            "Capaciteitsrapportage per applicatie",
            "Een capaciteitsoverzicht per applicatie helpt de provincie bij de jaarplanning.",
        ),
        "strength": (
            "Monitoring en alarmering op orde",
            "Alarmen komen binnen minuten bij de juiste dienstdoende beheerder terecht.",
        ),
        "actions": {
            "training": "Hersteltests ingepland op rol in plaats van op naam; inhaaltest "
            "uitgevoerd.",
            "joint": "Herstelprocedure en contactpersonen gezamenlijk herzien en beproefd.",
            "fix": "Terugvalplan verplicht gemaakt in het sjabloon voor standaardwijzigingen.",
            "check": "Steekproef van tien wijzigingen na vier weken: alle met terugvalplan.",
            "client": "Regieorganisatie spreekt vaste onderhoudsvensters af met de "
            "applicatie-eigenaren.",
            "improvement": "Maandelijkse capaciteitsrapportage per applicatie ingevoerd.",
        },
    },
}
# The supplier's own internal audit, shared as a report with its structured findings.
SHARED_REPORTS = {
    "ZR-2024-001": {
        "title": "Interne audit werkplekbeheer",
        "summary": "Interne operationele audit van het werkplekbeheer voor de provincie: de "
        "uitgifte en inname van laptops en de afhandeling van hardwaremeldingen. Het proces "
        "is bekend en wordt grotendeels gevolgd; de werkinstructie loopt achter.",
        "findings": [
            {
                "reference": "04",
                "title": "Werkinstructie uitgifte laptops verouderd",
                "grade": Result.MINOR,
                "clause": "7.5",
                "description": "De werkinstructie beschrijft nog het oude image; specialisten "
                "werken volgens een eigen lijst.",
                "root_cause": "Na de imagewissel is niemand eigenaar van de instructie gemaakt.",
                "services": ["Werkplekbeheer"],
            },
            {
                "reference": "05",
                "title": "Nieuwe specialisten niet getraind op het imageproces",
                "grade": Result.OBSERVATION,
                "clause": "7.2",
                "description": "Twee van de drie nieuwe werkplekspecialisten leerden het "
                "imageproces van collega's, zonder vastgestelde training.",
                "root_cause": "",
                "services": ["Werkplekbeheer"],
            },
            {
                "reference": "06",
                "title": "Inname laptops koppelen aan de servicedesk",
                "grade": Result.IMPROVEMENT,
                "clause": "10.3",
                "description": "Als de servicedesk de inname registreert, hoeft de medewerker "
                "niet twee keer te bellen.",
                "root_cause": "",
                "services": ["Werkplekbeheer", "Servicedesk"],
            },
        ],
    }
}
SHARED_REPORT_AGE = timedelta(days=30)

# The reported audit is at least this old, so its actions have had time to run.
REPORTED_AGE = timedelta(days=45)
STORY_OF = {"ZR-2024-001": "desk", "ZR-2025-004": "hosting", "DB-2023-017": "desk"}


def _user(email):
    return get_user_model().objects.get(username=email)


def seed(*, today: date | None = None) -> None:
    today = today or date.today()
    contracts = {
        contract.reference: contract
        for organisation in Organisation.objects.filter(slug__in=MANAGERS)
        for contract in contract_list(access=system_access(organisation))
    }
    # The year whose first quarter's audit lies far enough back to have been followed up.
    year = today.year if date(today.year, 2, 15) <= today - REPORTED_AGE else today.year - 1
    for reference in CONTRACTS:
        contract = contracts.get(reference)
        if contract is None:
            continue
        if AuditProgramme.objects.filter(contract=contract, year=year).exists():
            continue
        _seed_contract(contract, year, today)


def _accesses(contract):
    organisation: Organisation = contract.organisation
    manager = _user(MANAGERS[organisation.slug])
    membership = Membership.objects.get(user=manager, organisation=organisation)
    supplier_user = (
        SupplierMembership.objects.filter(supplier=contract.supplier).select_related("user").first()
    ).user
    return (
        Access(organisation=organisation, user_id=manager.pk, role=membership.role),
        manager,
        Access(organisation=organisation, user_id=supplier_user.pk, supplier=contract.supplier),
        supplier_user,
    )


def _seed_contract(contract, year: int, today: date) -> None:
    client, manager, supplier, supplier_user = _accesses(contract)
    programme = services.programme_create(
        access=client,
        contract=contract,
        year=year,
        recurrence=AuditProgramme.Recurrence.QUARTERLY,
        level=Level.BOTH,
        clauses=CLAUSES,
        notes="Operationele audits door de kwaliteitsafdeling van de leverancier; de regie "
        "loopt als waarnemer mee.",
    )
    story = STORY[STORY_OF[contract.reference]]
    service_list = list(services_for_contract(contract=contract))
    past = [a for a in programme.audits.order_by("planned_date") if a.planned_date < today]
    for audit in past:
        services.audit_update(
            access=supplier,
            audit=audit,
            lead_auditor=supplier_user,
            observers=[manager],
            services=service_list,
            processes=story["processes"],
        )
    done = [a for a in past if a.planned_date <= today - REPORTED_AGE]
    if not done:
        return
    *earlier, latest = done
    for audit in earlier:
        _closed_audit(audit, supplier, client)
    _reported_audit(latest, story, service_list, supplier, client, manager, supplier_user, today)
    if contract.reference in SHARED_REPORTS:
        _shared_report(
            contract, programme, SHARED_REPORTS[contract.reference], supplier, client, today
        )
    for audit in past[len(done) :]:
        # A recent audit is under way: checklist generated, not yet assessed.
        services.audit_transition(
            access=supplier, audit=audit, status=Audit.Status.IN_PROGRESS, today=audit.planned_date
        )
        services.checklist_generate(access=supplier, audit=audit, today=audit.planned_date)


def _conduct(audit, supplier, results: dict):
    services.audit_transition(
        access=supplier, audit=audit, status=Audit.Status.IN_PROGRESS, today=audit.planned_date
    )
    services.checklist_generate(access=supplier, audit=audit, today=audit.planned_date)
    audit.refresh_from_db()
    items = {}
    for item in audit.checklist.all():
        result, evidence = results.get(
            (item.source_key, item.level),
            (Result.CONFORM, "Steekproef van vijf dossiers; conform afspraak."),
        )
        role = "teamleider" if item.level == Level.MANAGEMENT else "servicedeskmedewerker"
        items[(item.source_key, item.level)] = services.checklist_item_record(
            access=supplier, item=item, result=result, evidence=evidence, interviewee_role=role
        )
    return items


def _closed_audit(audit, supplier, client) -> None:
    _conduct(audit, supplier, {})
    services.audit_update(
        access=supplier,
        audit=audit,
        summary="Geen afwijkingen; de afgesproken werkwijze is bekend en wordt gevolgd.",
    )
    services.audit_transition(access=supplier, audit=audit, status=Audit.Status.REPORTED)
    services.audit_transition(access=client, audit=audit, status=Audit.Status.CLOSED)


def _reported_audit(audit, story, service_list, supplier, client, manager, supplier_user, today):
    main_service = service_list[:1]
    held = audit.planned_date

    def after(days: int) -> date:
        return held + timedelta(days=days)

    results = {
        ("standard:followed", Level.STAFF): (Result.MAJOR, story["major"][1]),
        ("standard:known", Level.STAFF): (Result.MINOR, story["minor"][1]),
        ("standard:chafes", Level.MANAGEMENT): (Result.OBSERVATION, story["observation"][1]),
        ("standard:competence", Level.MANAGEMENT): (Result.IMPROVEMENT, story["improvement"][1]),
        ("standard:escalation", Level.STAFF): (Result.STRENGTH, story["strength"][1]),
    }
    items = _conduct(audit, supplier, results)

    def finding(key, grade, texts, services_=main_service):
        item: ChecklistItem = items[key]
        return services.finding_create(
            access=supplier,
            audit=audit,
            title=texts[0],
            description=texts[1],
            root_cause=texts[2] if len(texts) > 2 else "",
            grade=grade,
            services=services_,
            checklist_item=item,
        )

    major = finding(("standard:followed", Level.STAFF), Result.MAJOR, story["major"])
    minor = finding(("standard:known", Level.STAFF), Result.MINOR, story["minor"])
    observation = finding(
        ("standard:chafes", Level.MANAGEMENT), Result.OBSERVATION, story["observation"]
    )
    improvement = finding(
        ("standard:competence", Level.MANAGEMENT), Result.IMPROVEMENT, story["improvement"], []
    )
    finding(("standard:escalation", Level.STAFF), Result.STRENGTH, story["strength"], [])
    services.audit_update(
        access=supplier,
        audit=audit,
        summary="De werkwijze is op managementniveau bekend; op de werkvloer wijkt de praktijk "
        "op twee punten af. Eén ernstige en één kleine afwijking.",
    )
    services.audit_transition(access=supplier, audit=audit, status=Audit.Status.REPORTED)

    # The client says where its priorities lie.
    services.finding_set_priority(
        access=client,
        finding=major,
        priority=5,
        note="Raakt direct de eindgebruiker bij grote verstoringen; bespreken in tactisch overleg.",
    )
    services.finding_set_priority(access=client, finding=minor, priority=3)
    services.finding_set_priority(access=client, finding=observation, priority=2)

    def supplier_action_done(finding, story_key: str, *, due: int, done: int) -> None:
        """The supplier's action on `finding`, due and done this many days after the audit."""
        action = services.action_create(
            access=supplier,
            finding=finding,
            description=story["actions"][story_key],
            owner_side=CorrectiveAction.OwnerSide.SUPPLIER,
            supplier_owner=supplier_user,
            due_date=after(due),
        )
        services.action_update(
            access=supplier,
            action=action,
            status=CorrectiveAction.Status.DONE,
            today=after(done),
        )

    # Major: a supplier action (done) and a joint action (in progress) → still open.
    supplier_action_done(major, "training", due=30, done=27)
    joint = services.action_create(
        access=client,
        finding=major,
        description=story["actions"]["joint"],
        owner_side=CorrectiveAction.OwnerSide.JOINT,
        supplier_owner=supplier_user,
        client_owner=manager,
        due_date=today + timedelta(days=21),
    )
    services.action_update(access=client, action=joint, status=CorrectiveAction.Status.IN_PROGRESS)

    # Minor: the supplier's action is done and the check found it effective → closed.
    supplier_action_done(minor, "fix", due=21, done=19)
    services.effectiveness_check_record(
        access=supplier,
        finding=minor,
        verdict="effective",
        evidence=story["actions"]["check"],
        checked_on=min(after(47), today),
    )

    # Observation: a client action, overdue.
    services.action_create(
        access=client,
        finding=observation,
        description=story["actions"]["client"],
        owner_side=CorrectiveAction.OwnerSide.CLIENT,
        client_owner=manager,
        due_date=after(30),
    )

    # Improvement: the supplier's action is done; the finding awaits its effectiveness check.
    done = services.action_create(
        access=supplier,
        finding=improvement,
        description=story["actions"]["improvement"],
        owner_side=CorrectiveAction.OwnerSide.SUPPLIER,
        supplier_owner=supplier_user,
        due_date=after(35),
    )
    services.action_update(
        access=supplier,
        action=done,
        status=CorrectiveAction.Status.DONE,
        today=after(33),
    )


def _shared_report(contract, programme, story, supplier, client, today) -> None:
    """The supplier's internal audit report (a PDF as the supplier would write it) shared with
    its findings, reported; the client has set its priority on the nonconformity."""
    from governance.platform.pdf import render_pdf

    held = today - SHARED_REPORT_AGE
    while held.weekday() >= 5:
        held -= timedelta(days=1)
    title = f"{story['title']} {held.year}"
    prefix = f"IA-{held.year}-"
    audit = services.audit_create(
        access=supplier,
        contract=contract,
        programme=programme,
        title=title,
        audit_type=Audit.Type.SHARED_REPORT,
        level=Level.BOTH,
        clauses=sorted({f["clause"] for f in story["findings"]}),
        processes="Uitgifte en inname van laptops\nAfhandeling hardwaremeldingen",
        planned_date=held,
    )
    # The supplier writes Dutch, whatever language the seeding runs in.
    with translation.override("nl"):
        labels = {value: str(label) for value, label in Result.choices}
    pdf = render_pdf(
        "audits/demo/internal_report.html",
        {
            "title": title,
            "supplier": contract.supplier.name,
            "contract": contract,
            "held": held,
            "summary": story["summary"],
            "findings": [
                {**f, "reference": prefix + f["reference"], "grade_label": labels[f["grade"]]}
                for f in story["findings"]
            ],
        },
    )
    result = services.shared_report_submit(
        access=supplier,
        audit=audit,
        name=f"intern-auditrapport-{contract.reference}-{held:%Y%m%d}.pdf",
        content=pdf,
        json_rows=[{**f, "reference": prefix + f["reference"]} for f in story["findings"]],
        actual_date=held,
        summary=story["summary"],
        today=today,
    )
    if result.problems:
        raise RuntimeError(f"Demo shared report refused: {result.problems}")
    minor = next(f for f in result.findings if f.grade == Result.MINOR)
    services.finding_set_priority(
        access=client,
        finding=minor,
        priority=4,
        note="Verouderde instructies geven fouten bij uitgifte; vraag om een eigenaar.",
    )
