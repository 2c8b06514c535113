"""Demo data for contracts: terms, services, service levels mapped to perception dimensions,
expectations, information needs and two years of monthly SLA reports (idempotent).

Run inside `platform_scope()` after the demo contracts exist (seed_demo does both)."""

import csv
import hashlib
import io
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from contracts.models import (
    Contract,
    Expectation,
    InformationDelivery,
    InformationNeed,
    Measurement,
    Service,
    ServiceHours,
    ServiceLevel,
    ServiceLevelDimension,
    SLAReport,
    add_months,
    month_period,
    quarter_period,
)
from contracts.uploads import levels_due
from governance.platform.history import tracked_bulk_create

SUPPLIER_USER = {
    "Noordlicht IT": "supplier@noordlicht.example",
    "CloudKern": "supplier@cloudkern.example",
}
MANAGER = {"zuidrand": "manager@zuidrand.example", "deltabank": "manager@deltabank.example"}

OFFICE = [(day, time(8, 0), time(18, 0)) for day in range(5)]
EXTENDED = [(day, time(7, 0), time(20, 0)) for day in range(5)] + [(5, time(9, 0), time(13, 0))]

TERMS = {
    "ZR-2024-001": {
        "description": "Beheer van 4.200 werkplekken en de servicedesk voor alle medewerkers "
        "van de provincie, inclusief locaties in de regio.",
        "status": Contract.Status.ACTIVE,
        "start_date": date(2024, 1, 1),
        "end_date": date(2027, 12, 31),
        "notice_period_months": 6,
        "renewal": Contract.Renewal.TACIT,
        "renewal_term_months": 24,
        "value": Decimal("4800000.00"),
    },
    "ZR-2025-004": {
        "description": "Hosting van de applicaties van de provincie op het cloudplatform van "
        "de leverancier, met back-up en herstel.",
        "status": Contract.Status.ACTIVE,
        "start_date": date(2025, 1, 1),
        "end_date": date(2028, 12, 31),
        "notice_period_months": 12,
        "renewal": Contract.Renewal.EXPLICIT,
        "renewal_term_months": 12,
        "value": Decimal("2150000.00"),
    },
    "DB-2023-017": {
        "description": "Servicedesk voor medewerkers en beheer van de kantoorapplicaties.",
        "status": Contract.Status.ACTIVE,
        "start_date": date(2023, 1, 1),
        "end_date": date(2026, 12, 31),
        "notice_period_months": 3,
        "renewal": Contract.Renewal.TACIT,
        "renewal_term_months": 12,
        "value": Decimal("1250000.00"),
    },
}

# service name, description, criticality, hours, open on holidays
SERVICES = {
    "ZR-2024-001": [
        ("Servicedesk", "Telefonisch, chat en portaal; eerste lijn.", "high", OFFICE, False),
        (
            "Werkplekbeheer",
            "Levering, beheer en vervanging van werkplekken.",
            "medium",
            OFFICE,
            False,
        ),
    ],
    "ZR-2025-004": [
        ("Hosting", "Rekenkracht, opslag en netwerk; 24×7.", "critical", [], True),
        ("Back-up en herstel", "Dagelijkse back-up, hersteltests per kwartaal.", "high", [], True),
    ],
    "DB-2023-017": [
        ("Servicedesk", "Eerste lijn voor medewerkers van de bank.", "high", EXTENDED, False),
        ("Applicatiebeheer", "Beheer van de kantoorapplicaties.", "medium", OFFICE, False),
    ],
}

# code, service, name, kind, unit, direction, target, breach, period, {dimension: weight}
LEVELS = {
    "ZR-2024-001": [
        (
            "SD-ANS30",
            "Servicedesk",
            "Gesprekken binnen 30 seconden aangenomen",
            "percentage",
            "%",
            "higher",
            "80",
            "75",
            "monthly",
            {"responsiveness": "0.6", "empathy": "0.4"},
        ),
        (
            "SD-FCR",
            "Servicedesk",
            "Opgelost bij eerste contact",
            "percentage",
            "%",
            "higher",
            "70",
            "65",
            "monthly",
            {"reliability": "0.5", "assurance": "0.5"},
        ),
        (
            "INC-P1P2",
            "Servicedesk",
            "P1/P2-incidenten binnen de norm opgelost",
            "percentage",
            "%",
            "higher",
            "95",
            "90",
            "monthly",
            {"reliability": "1.00"},
        ),
        (
            "WP-LEV5",
            "Werkplekbeheer",
            "Nieuwe werkplek binnen 5 werkdagen geleverd",
            "percentage",
            "%",
            "higher",
            "90",
            "85",
            "monthly",
            {"reliability": "0.5", "tangibles": "0.5"},
        ),
        (
            "WP-AUDIT",
            "Werkplekbeheer",
            "Afwijkingen bij de kwartaalaudit werkplekken",
            "count",
            "",
            "lower",
            "5",
            "10",
            "quarterly",
            {"assurance": "1.00"},
        ),
    ],
    "ZR-2025-004": [
        (
            "HOST-BESCH",
            "Hosting",
            "Beschikbaarheid platform",
            "percentage",
            "%",
            "higher",
            "99.9",
            "99.5",
            "monthly",
            {"reliability": "1.00"},
        ),
        (
            "HOST-HERST",
            "Back-up en herstel",
            "Hersteltijd na verstoring",
            "duration",
            "uur",
            "lower",
            "4",
            "8",
            "monthly",
            {"reliability": "0.5", "responsiveness": "0.5"},
        ),
        (
            "CHG-SUCC",
            "Hosting",
            "Succesvolle wijzigingen",
            "percentage",
            "%",
            "higher",
            "95",
            "90",
            "monthly",
            {"assurance": "1.00"},
        ),
    ],
    "DB-2023-017": [
        (
            "SD-ANS20",
            "Servicedesk",
            "Gesprekken binnen 20 seconden aangenomen",
            "percentage",
            "%",
            "higher",
            "85",
            "80",
            "monthly",
            {"responsiveness": "0.7", "empathy": "0.3"},
        ),
        (
            "APP-BESCH",
            "Applicatiebeheer",
            "Beschikbaarheid kantoorapplicaties",
            "percentage",
            "%",
            "higher",
            "99.5",
            "99",
            "monthly",
            {"reliability": "1.00"},
        ),
        (
            "INC-OPL",
            "Servicedesk",
            "Incidenten binnen de norm opgelost",
            "percentage",
            "%",
            "higher",
            "90",
            "85",
            "monthly",
            {"reliability": "0.6", "responsiveness": "0.4"},
        ),
    ],
}

# An amendment in the Zuidrand contract: the 30-second norm tightened from 80 % to 85 %.
AMENDMENTS = [("ZR-2024-001", "SD-ANS30", date(2025, 7, 1), "85", "80")]

EXPECTATIONS = {
    "ZR-2024-001": [
        (
            "Medewerkers kunnen de servicedesk tijdens kantooruren binnen een halve minuut "
            "spreken, ook op maandagochtend.",
            "Rapportage telefooncentrale per uur; KTO-vraag over bereikbaarheid.",
            "Contractmanager regieorganisatie",
        ),
        (
            "Storingen die het primaire proces raken worden dezelfde werkdag opgelost of omzeild.",
            "Incidentregistratie P1/P2 met doorlooptijden; klachten per dienst.",
            "Servicemanager leverancier",
        ),
        (
            "De leverancier meldt structurele problemen zelf in het tactisch overleg, voordat "
            "gebruikers erover klagen.",
            "Agenda en notulen van het tactisch overleg.",
            "Accountmanager leverancier",
        ),
    ],
    "DB-2023-017": [
        (
            "Medewerkers worden bij een terugbelverzoek binnen een werkdag teruggebeld.",
            "Steekproef terugbelverzoeken per maand.",
            "Contractmanager",
        ),
    ],
}

# what, format, frequency, delivered by, recipient, due days
INFORMATION_NEEDS = {
    "ZR-2024-001": [
        (
            "Maandelijkse SLA-rapportage",
            "CSV of XLSX volgens sjabloon",
            "monthly",
            "supplier",
            "Contractmanager",
            10,
        ),
        ("Overzicht openstaande problemen", "PDF", "monthly", "supplier", "Regieteam", 10),
        ("Capaciteits- en trendrapport", "PDF", "quarterly", "supplier", "Tactisch overleg", 15),
        (
            "Projectenkalender van de opdrachtgever",
            "XLSX",
            "quarterly",
            "client",
            "Servicemanager leverancier",
            5,
        ),
    ],
    "DB-2023-017": [
        (
            "Maandelijkse SLA-rapportage",
            "CSV volgens sjabloon",
            "monthly",
            "supplier",
            "Contractmanager",
            10,
        ),
    ],
}

EXPLANATIONS = {
    "percentage": (
        "Onverwacht hoog aanbod na een storing bij een ketenpartner; bezetting niet tijdig "
        "opgeschaald.",
        "Gebruikers wachtten langer en belden vaker opnieuw; klachten over bereikbaarheid.",
        "Flexibele schil van vier medewerkers ingericht en piekbezetting op maandagochtend.",
    ),
    "duration": (
        "Herstel van een database duurde langer doordat de back-up op een trage opslaglaag stond.",
        "Twee applicaties waren een halve werkdag niet beschikbaar.",
        "Back-ups van kritieke databases verplaatst naar snelle opslag; hersteltest gepland.",
    ),
    "count": (
        "Nieuwe medewerkers van de leverancier kenden de werkinstructie voor uitgifte niet.",
        "Enkele werkplekken werden zonder versleuteling uitgegeven.",
        "Werkinstructie herzien en alle medewerkers opnieuw geïnstrueerd.",
    ),
}


def seed(*, today: date | None = None) -> None:
    """Enrich the demo contracts and give them two years of monthly SLA reports."""
    today = today or date.today()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=[*SUPPLIER_USER.values(), *MANAGER.values()]
        )
    }
    for reference, terms in TERMS.items():
        contract = (
            Contract.objects.filter(reference=reference)
            .select_related("organisation", "supplier")
            .first()
        )
        if contract is None:
            continue
        for name, value in terms.items():
            setattr(contract, name, value)
        contract.full_clean()
        contract.save()
        services = _services(contract)
        _levels(contract, services)
        _expectations(contract)
        _information_needs(contract, today)
        _reports(contract, today, users)


def _services(contract: Contract) -> dict[str, Service]:
    services = {}
    for name, description, criticality, hours, on_holidays in SERVICES[contract.reference]:
        service, created = Service.objects.update_or_create(
            contract=contract,
            name=name,
            defaults={
                "organisation": contract.organisation,
                "description": description,
                "criticality": criticality,
                "open_on_holidays": on_holidays,
            },
        )
        if created:
            tracked_bulk_create(
                ServiceHours,
                [
                    ServiceHours(
                        organisation=contract.organisation,
                        service=service,
                        weekday=day,
                        opens=opens,
                        closes=closes,
                    )
                    for day, opens, closes in hours
                ],
            )
        services[name] = service
    return services


def _levels(contract: Contract, services: dict[str, Service]) -> None:
    for code, service, name, kind, unit, direction, target, breach, period, dims in LEVELS[
        contract.reference
    ]:
        amendment = next(
            (a for a in AMENDMENTS if a[0] == contract.reference and a[1] == code), None
        )
        versions = [(contract.start_date, None, amendment[4] if amendment else target)]
        if amendment:
            versions = [
                (contract.start_date, amendment[2] - timedelta(days=1), target),
                (amendment[2], None, amendment[3]),
            ]
        for valid_from, valid_to, version_target in versions:
            level, created = ServiceLevel.objects.get_or_create(
                contract=contract,
                code=code,
                valid_from=valid_from,
                defaults={
                    "organisation": contract.organisation,
                    "service": services[service],
                    "name": name,
                    "metric_kind": kind,
                    "unit": unit,
                    "direction": direction,
                    "target": Decimal(version_target),
                    "breach_threshold": Decimal(breach),
                    "period": period,
                    "valid_to": valid_to,
                },
            )
            if created:
                tracked_bulk_create(
                    ServiceLevelDimension,
                    [
                        ServiceLevelDimension(
                            organisation=contract.organisation,
                            service_level=level,
                            dimension=dimension,
                            weight=Decimal(weight),
                        )
                        for dimension, weight in dims.items()
                    ],
                )


def _expectations(contract: Contract) -> None:
    for statement, measured_by, owner in EXPECTATIONS.get(contract.reference, []):
        Expectation.objects.get_or_create(
            contract=contract,
            statement=statement,
            defaults={
                "organisation": contract.organisation,
                "measured_by": measured_by,
                "owner": owner,
            },
        )


def _information_needs(contract: Contract, today: date) -> None:
    for what, fmt, frequency, by, recipient, due_days in INFORMATION_NEEDS.get(
        contract.reference, []
    ):
        need, _created = InformationNeed.objects.get_or_create(
            contract=contract,
            what=what,
            defaults={
                "organisation": contract.organisation,
                "format": fmt,
                "frequency": frequency,
                "delivered_by": by,
                "recipient": recipient,
                "due_days": due_days,
            },
        )
        step = 1 if frequency == "monthly" else 3
        period = month_period(add_months(today.replace(day=1), -1))
        if frequency == "quarterly":
            period = quarter_period(add_months(quarter_period(today)[0], -1))
        rng = random.Random(f"{contract.reference}-{what}")
        for n in range(6):
            start = add_months(period[0], -step * n)
            end = add_months(start, step) - timedelta(days=1)
            due = end + timedelta(days=due_days)
            if due >= today:
                delivered = None
            else:
                delay = rng.choice([-3, -2, -1, 0, 0, 2]) if n != 4 else 6
                delivered = due + timedelta(days=delay)
            if InformationDelivery.objects.filter(need=need, period_start=start).exists():
                continue
            InformationDelivery.objects.create(
                organisation=contract.organisation,
                need=need,
                period_start=start,
                period_end=end,
                due_date=due,
                delivered_on=delivered,
            )


# Explanations the supplier gives for a miss, per service level (fallback: per metric kind).
CODE_EXPLANATIONS = {
    "INC-P1P2": (
        "Storing in de koppeling met het zaaksysteem; oplossing lag bij een derde partij.",
        "Medewerkers konden een dag geen vergunningaanvragen behandelen.",
        "Escalatieafspraak met de derde partij vastgelegd; monitoring op de koppeling.",
    ),
    "SD-FCR": (
        "Nieuwe medewerkers op de servicedesk hadden nog geen toegang tot de kennisbank.",
        "Meer tickets doorgezet naar de tweede lijn; langere doorlooptijd voor gebruikers.",
        "Inwerkprogramma aangepast; toegang tot de kennisbank op de eerste werkdag.",
    ),
    "WP-LEV5": (
        "Levering van laptops door de distributeur vertraagd.",
        "Nieuwe medewerkers startten zonder eigen werkplek.",
        "Buffervoorraad van twintig laptops aangelegd.",
    ),
    "HOST-BESCH": (
        "Ongepland onderhoud aan de opslagcluster na een firmwarefout.",
        "Het zaaksysteem was anderhalf uur niet bereikbaar.",
        "Firmware-updates voortaan eerst op de acceptatieomgeving; onderhoud buiten kantooruren.",
    ),
    "CHG-SUCC": (
        "Twee wijzigingen teruggedraaid door onvolledige tests.",
        "Korte onderbrekingen van het intranet tijdens kantooruren.",
        "Testscript voor wijzigingen uitgebreid; vier-ogenprincipe bij uitrol.",
    ),
    "APP-BESCH": (
        "Certificaat van de kantoorapplicatie verlopen.",
        "Medewerkers konden een ochtend niet inloggen op de applicatie.",
        "Certificaatbewaking toegevoegd aan de monitoring.",
    ),
}


def _value(level: ServiceLevel, rng: random.Random, miss: bool) -> Decimal:
    target = float(level.target)
    breach = float(level.breach_threshold)
    gap = abs(target - breach) or 1
    higher = level.direction == ServiceLevel.Direction.HIGHER
    if miss:
        value = (
            breach - gap * rng.uniform(0.1, 0.8) if higher else breach + gap * rng.uniform(0.1, 0.8)
        )
    else:
        better = gap * rng.uniform(0.05, 1.2)
        value = target + better if higher else target - better
    if level.metric_kind == ServiceLevel.MetricKind.PERCENTAGE:
        value = min(value, 100.0)
    if level.metric_kind == ServiceLevel.MetricKind.COUNT:
        return Decimal(max(0, round(value)))
    return Decimal(f"{max(value, 0):.2f}")


def _reports(contract: Contract, today: date, users: dict) -> None:
    """Monthly reports from the contract start (at least two years) up to two months ago;
    last month's report is due now and left for the supplier."""
    if SLAReport.objects.filter(contract=contract).exists():
        return
    supplier_user = users.get(SUPPLIER_USER.get(contract.supplier.name, ""))
    manager = users.get(MANAGER.get(contract.organisation.slug, ""))
    tz = ZoneInfo(contract.organisation.time_zone)
    levels = list(ServiceLevel.objects.filter(contract=contract))
    rng = random.Random(contract.reference)
    last = add_months(today.replace(day=1), -2)
    months = []
    month = contract.start_date.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    # The showcase contract gets the story: a late report and a disputed one.
    showcase = contract.reference == "ZR-2024-001"
    late_month = months[-8] if showcase else None
    disputed_month = months[-4] if showcase else None
    # The gap story is told in the last reported month and, when that lies in a quarter not
    # yet closed, again in the last month of the closed quarter: the one the latest quarterly
    # KTO covers, so the story has users' perception beside it whatever today's date is.
    closed = add_months(quarter_period(today)[0], -1)
    story = {last, min(last, closed)}
    for start in months:
        period_start, period_end = month_period(start)
        due = levels_due(levels, period_start=period_start, period_end=period_end)
        rows = []
        for code in sorted(due):
            level = due[code]
            # The gap story: a red answer time at the showcase desk, and a red
            # availability that CloudKern's users do not feel.
            miss = rng.random() < 0.08 or (
                start in story
                and (contract.reference, code)
                in {("ZR-2024-001", "SD-ANS30"), ("ZR-2025-004", "HOST-BESCH")}
            )
            value = _value(level, rng, miss)
            state = level.judge(value)
            cause = impact = action = ""
            if state != Measurement.State.MET:
                cause, impact, action = CODE_EXPLANATIONS.get(code) or EXPLANATIONS.get(
                    level.metric_kind, EXPLANATIONS["percentage"]
                )
            rows.append((level, value, state, cause, impact, action))
        content = _csv(rows)
        submitted_day = 17 if start == late_month else rng.randint(3, 9)
        submitted_at = datetime.combine(
            period_end + timedelta(days=submitted_day), time(10, 30), tzinfo=tz
        )
        is_last = start == last
        if start == disputed_month:
            status = SLAReport.Status.DISPUTED
        elif is_last:
            status = SLAReport.Status.SUBMITTED
        else:
            status = SLAReport.Status.ACCEPTED
        report = SLAReport.objects.create(
            organisation=contract.organisation,
            contract=contract,
            period_start=period_start,
            period_end=period_end,
            version=1,
            status=status,
            is_current=True,
            submitted_by=supplier_user,
            submitted_at=submitted_at,
            is_late=submitted_day > contract.report_window_closes_day,
            source_name=f"sla-{contract.reference}-{start:%Y-%m}.csv",
            source_content_type="text/csv",
            source_file=content,
            checksum=hashlib.sha256(content).hexdigest(),
            reviewed_by=None if is_last else manager,
            reviewed_at=None if is_last else submitted_at + timedelta(days=4),
        )
        measurements = [
            Measurement(
                organisation=contract.organisation,
                report=report,
                service_level=level,
                value=value,
                state=state,
                deviation_cause=cause,
                deviation_impact=impact,
                deviation_action=action,
            )
            for level, value, state, cause, impact, action in rows
        ]
        if start == disputed_month:
            measurements[0].dispute_reason = (
                "De telefooncentrale van de provincie toont voor deze maand een lager "
                "percentage; graag de brongegevens per week."
            )
        tracked_bulk_create(Measurement, measurements)


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["code", "value", "cause", "impact", "corrective_action"])
    for level, value, _state, cause, impact, action in rows:
        writer.writerow([level.code, f"{value}".replace(".", ","), cause, impact, action])
    return ("\ufeff" + buffer.getvalue()).encode()
