"""Demo data for simulations: Zuidrand's incident chain (servicedesk → second line → the
supplier's third line, with the capacities and times of REFERENCE.md's Jackson example), the
evening gap and two scenarios that close it, simulated; and two yearly exercises with lessons.

Idempotent. Run inside `platform_scope()` after the demo contracts exist (seed_demo does both).
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import translation

from contracts.selectors import contract_list
from governance.platform.access import system_access
from governance.platform.models import Organisation
from simulations import reports, services
from simulations.lessons import earlier_lessons
from simulations.models import Chain, Exercise, Party, Proposal, Step

CONTRACT = ("zuidrand", "ZR-2024-001")
CHAIN_NAME = "Incidentketen werkplek"

# Contacts per hour on a weekday: busy office hours and a tail into the evening, when the
# servicedesk is closed (the complaints say: "onbereikbaar na 18:00").
WEEKDAY = [
    1,
    0,
    0,
    0,
    1,
    2,
    8,
    60,
    170,
    200,
    200,
    180,
    150,
    190,
    200,
    180,
    140,
    90,
    45,
    35,
    25,
    15,
    6,
    2,
]
WEEKEND = [1, 0, 0, 0, 0, 1, 2, 4, 8, 10, 10, 9, 8, 8, 7, 6, 5, 5, 4, 4, 3, 2, 1, 1]

STEPS = [
    {
        "name": "Servicedesk",
        "party": Party.SUPPLIER,
        "inputs": "Melding per telefoon, chat of portaal",
        "outputs": "Opgeloste melding of doorgezet ticket",
        "expected_result": "Binnen 30 seconden opgenomen (SD-ANS30); 70 % bij eerste contact "
        "opgelost",
        "expected_minutes": Decimal("3.0"),
        "capacity": 14,
        "opening_hours": "ma-vr 08:00-18:00",
        "mean_seconds": 180.0,
        "target_wait_seconds": 30,
        # The contract's level in force (85 % since the amendment of July 2025) is the norm.
        "service_level_code": "SD-ANS30",
    },
    {
        "name": "Tweede lijn werkplekbeheer",
        "party": Party.CLIENT,
        "inputs": "Doorgezet ticket met diagnose",
        "outputs": "Opgelost ticket of escalatie naar de leverancier",
        "expected_result": "Binnen 4 uur opgepakt",
        "expected_minutes": Decimal("10.0"),
        "capacity": 12,
        "opening_hours": "ma-vr 08:00-17:00",
        "mean_seconds": 600.0,
    },
    {
        "name": "Derde lijn Noordlicht",
        "party": Party.SUPPLIER,
        "inputs": "Escalatie met reproductie",
        "outputs": "Structurele oplossing of workaround",
        "expected_result": "Binnen 1 werkdag opgelost",
        "expected_minutes": Decimal("60.0"),
        "capacity": 8,
        "opening_hours": "ma-vr 08:00-18:00",
        "distribution": Step.Distribution.LOGNORMAL,
        "mean_seconds": 3600.0,
        "sd_seconds": 2400.0,
    },
]
RUN_SETTINGS = {"replications": 3, "horizon_days": 7, "warmup_hours": 24, "seed": 2026}


@transaction.atomic
def seed(*, today: date | None = None) -> None:
    organisation = Organisation.objects.get(slug=CONTRACT[0])
    access = system_access(organisation)
    contract = contract_list(access=access).get(reference=CONTRACT[1])
    if Chain.objects.filter(contract=contract, name=CHAIN_NAME).exists():
        return
    chain = services.chain_create(
        access=access,
        contract=contract,
        name=CHAIN_NAME,
        description=(
            "Van melding bij de servicedesk tot oplossing, over de grens tussen provincie en "
            "Noordlicht heen."
        ),
        internal_notes="Avondbereikbaarheid meenemen in de heronderhandeling van 2027.",
    )
    services.chain_set_profile(
        chain=chain, rates=[*WEEKDAY * 5, *WEEKEND * 2], source=Chain.ProfileSource.ENTERED
    )
    desk, second, third = (services.step_create(chain=chain, **fields) for fields in STEPS)
    services.escalation_set(source=desk, target=second, probability=Decimal("0.30"))
    services.escalation_set(source=second, target=third, probability=Decimal("0.10"))
    evening = services.scenario_save(
        chain=chain,
        name="Open tot 20:00",
        description="Servicedesk op werkdagen tot 20:00 open, 's avonds met 4 medewerkers.",
        changes={desk.pk: {"opening_hours": "ma-vr 08:00-18:00; ma-vr 18:00-20:00 x4"}},
    )
    extra = services.scenario_save(
        chain=chain,
        name="Eén medewerker extra",
        description="Vijftien in plaats van veertien medewerkers op de servicedesk.",
        changes={desk.pk: {"extra_staff": 1}},
    )
    runs = {}
    for scenario in (None, evening, extra):
        run = services.simulation_run_start(
            access=access, chain=chain, scenario=scenario, queue=False, **RUN_SETTINGS
        )
        runs[scenario] = services.simulation_run_execute(run=run)
    exercise = _exercises(chain, desk, second, third)
    with translation.override(organisation.default_language):
        _proposals(access, chain, current=runs[None], exercise=exercise)


def _proposals(access, chain, *, current, exercise) -> None:
    """The evening gap on the tactical agenda: from the run and from last year's exercise."""
    draft = reports.proposal_draft_from_run(current, "unreachable")
    proposal = services.proposal_create(
        access=access,
        chain=chain,
        finding=Proposal.Finding.UNREACHABLE,
        run=current,
        title="Servicedesk op werkdagen tot 20:00 open",
        rationale=draft["rationale"],
        owner_side="supplier",
    )
    services.proposal_set_status(proposal=proposal, status=Proposal.Status.ON_AGENDA)
    action = exercise.actions.get(owner_side="joint")
    draft = reports.proposal_draft_from_action(action)
    services.proposal_create(
        access=access,
        chain=chain,
        finding=Proposal.Finding.EXERCISE_ACTION,
        exercise=exercise,
        action=action,
        **draft,
    )


def _exercises(chain, desk, second, third) -> Exercise:
    older = services.exercise_save(
        chain=chain,
        title="Tabletop: datacenterstoring op maandagochtend",
        kind=Exercise.Kind.TABLETOP,
        scenario=(
            "Om 08:15 valt het datacenter van Noordlicht uit; 400 medewerkers kunnen niet inloggen."
        ),
        scheduled_for=date(2024, 11, 8),
        recurs_yearly=True,
    )
    services.exercise_part_add(
        exercise=older,
        kind="lesson",
        category="communication",
        text="Statusmeldingen op het intranet kwamen pas na een uur.",
    )
    services.exercise_part_add(
        exercise=older,
        kind="lesson",
        category="escalation",
        text="Onduidelijk wie bij Noordlicht de P1 mocht afkondigen.",
    )
    services.exercise_record_held(
        exercise=older, summary="Keten werkte, maar communicatie naar gebruikers was te laat."
    )

    exercise = services.exercise_save(
        chain=chain,
        title="Tabletop: P1-storing op vrijdag 20:00",
        kind=Exercise.Kind.TABLETOP,
        scenario=(
            "Vrijdag om 20:00 valt het zaaksysteem uit tijdens de avondopenstelling van het "
            "provinciehuis. De servicedesk is gesloten."
        ),
        scheduled_for=date(2025, 11, 14),
        recurs_yearly=True,
        internal_notes=(
            "Noordlicht had maar één piketmedewerker beschikbaar; contractueel bespreken."
        ),
    )
    for minute, text in [
        (0, "Gebruiker belt de servicedesk: voicemail 'wij zijn gesloten'."),
        (15, "Teamleider Publiekszaken mailt de functioneel beheerder privé."),
        (40, "Piket Noordlicht wordt gebeld via het algemene nummer."),
        (90, "Wethoudersbezoek begint om 21:30; systeem nog niet beschikbaar."),
    ]:
        services.exercise_part_add(
            exercise=exercise, kind="inject", at_minute=minute, description=text
        )
    for name, role, party in [
        ("Marieke de Vries", "Contractmanager", Party.CLIENT),
        ("Jeroen Kuipers", "Functioneel beheerder (tweede lijn)", Party.CLIENT),
        ("Noor Smit", "Service delivery manager", Party.SUPPLIER),
        ("Ahmed El Amrani", "Piketmedewerker derde lijn", Party.SUPPLIER),
    ]:
        services.exercise_part_add(
            exercise=exercise, kind="participant", name=name, role=role, party=party
        )
    for step, observed, expected_outcome, observed_outcome in [
        (
            desk,
            Decimal("0"),
            "Melding aangenomen en P1 vastgesteld",
            "Niet bereikbaar: gesloten na 18:00",
        ),
        (second, Decimal("55"), "Binnen 30 min diagnose", "Pas na 55 min bereikt via privé-mail"),
        (third, Decimal("140"), "Binnen 60 min workaround", "Workaround na 140 min"),
    ]:
        services.exercise_part_add(
            exercise=exercise,
            kind="observation",
            step=step,
            observed_minutes=observed,
            expected_outcome=expected_outcome,
            observed_outcome=observed_outcome,
        )
    services.exercise_part_add(
        exercise=exercise,
        kind="action",
        step=desk,
        bottleneck="Geen aanspreekpunt na 18:00",
        action="Avondbereikbaarheid tot 20:00 doorrekenen en offreren",
        owner_side="supplier",
        due=date(2026, 2, 1),
    )
    services.exercise_part_add(
        exercise=exercise,
        kind="action",
        step=second,
        bottleneck="Escalatie via privé-kanalen",
        action="Piketnummer tweede lijn in het draaiboek opnemen",
        owner_side="client",
        due=date(2025, 12, 15),
        done=True,
    )
    services.exercise_part_add(
        exercise=exercise,
        kind="action",
        step=third,
        bottleneck="Eén piketmedewerker",
        action="Pikettrap met back-up afspreken",
        owner_side="joint",
        due=date(2026, 3, 1),
    )
    for category, text in [
        ("capacity", "Buiten kantoortijd is de keten onbereikbaar voor eindgebruikers."),
        ("escalation", "P1-afkondiging buiten kantoortijd is niet belegd."),
        ("communication", "Gebruikers kregen geen statusbericht tijdens de storing."),
        ("coordination", "Overdracht tweede naar derde lijn ging via telefoon zonder ticket."),
    ]:
        # The late status message is the lesson the 2024 tabletop taught already.
        repeats = earlier_lessons(exercise).filter(category=category).first()
        services.exercise_part_add(
            exercise=exercise,
            kind="lesson",
            category=category,
            text=text,
            repeats=repeats if category == "communication" else None,
        )
    services.exercise_record_held(
        exercise=exercise,
        summary="De avondopenstelling legt een gat in de keten bloot: niemand neemt de P1 aan.",
    )
    return exercise
