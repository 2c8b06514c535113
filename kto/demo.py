"""Demo data for the KTO (idempotent): per demo contract two closed quarterly KTOs with enough
answers for real confidence intervals (one with a group below k), and a baseline KTO with all
three stakeholder groups. Answers go through the real submission service, so the rollups are
exactly what live answers would have produced.

Run inside `platform_scope()` after the demo contracts exist (seed_demo does both)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from contracts import selectors as contract_selectors
from governance.platform.access import system_access
from governance.platform.models import Organisation
from kto import services
from kto.models import (
    Invitation,
    ItemRole,
    QuestionKind,
    Recurrence,
    StakeholderGroup,
    Survey,
    SurveyKind,
)
from kto.tokens import INVITATION, OPEN_LINK, derive_token, new_salt, token_hash

EU, BUSINESS, IT = StakeholderGroup.END_USERS, StakeholderGroup.BUSINESS, StakeholderGroup.IT
TARGETS = {
    "reliability": 3.5,
    "responsiveness": 3.5,
    "assurance": 3.5,
    "empathy": 3.5,
    "tangibles": 3.4,
}
# Mean perception per (group, dimension) per contract: end users, business and IT differ —
# the triangle of misery. ZR-2024-001's end users find the desk hard to reach (empathy) and
# fixes unreliable, while the supplier's SLA figures look fine.
PROFILES = {
    "ZR-2024-001": {
        EU: {
            "reliability": 2.9,
            "responsiveness": 3.4,
            "assurance": 3.7,
            "empathy": 2.7,
            "tangibles": 3.6,
        },
        BUSINESS: {
            "reliability": 3.2,
            "responsiveness": 3.4,
            "assurance": 3.6,
            "empathy": 3.1,
            "tangibles": 3.5,
        },
        IT: {
            "reliability": 3.9,
            "responsiveness": 4.0,
            "assurance": 4.1,
            "empathy": 3.8,
            "tangibles": 3.9,
        },
    },
    "ZR-2025-004": {
        EU: {
            "reliability": 3.9,
            "responsiveness": 3.6,
            "assurance": 3.8,
            "empathy": 3.5,
            "tangibles": 3.7,
        },
        BUSINESS: {
            "reliability": 3.7,
            "responsiveness": 3.5,
            "assurance": 3.6,
            "empathy": 3.3,
            "tangibles": 3.6,
        },
        IT: {
            "reliability": 3.4,
            "responsiveness": 3.2,
            "assurance": 3.5,
            "empathy": 3.2,
            "tangibles": 3.4,
        },
    },
    "DB-2023-017": {
        EU: {
            "reliability": 3.6,
            "responsiveness": 3.1,
            "assurance": 3.4,
            "empathy": 3.0,
            "tangibles": 3.8,
        },
        BUSINESS: {
            "reliability": 3.5,
            "responsiveness": 3.2,
            "assurance": 3.5,
            "empathy": 3.2,
            "tangibles": 3.7,
        },
        IT: {
            "reliability": 4.0,
            "responsiveness": 3.8,
            "assurance": 3.9,
            "empathy": 3.6,
            "tangibles": 4.0,
        },
    },
}
# Respondents per group in each periodic KTO; CloudKern's IT group stays below k = 5.
ANSWERS = {
    "ZR-2024-001": {EU: 72, BUSINESS: 9, IT: 7},
    "ZR-2025-004": {EU: 48, BUSINESS: 6, IT: 3},
    "DB-2023-017": {EU: 64, BUSINESS: 8, IT: 6},
}
RESPONSE_RATE = 0.42
OPEN_ANSWERS = [
    "De servicedesk is na zes uur 's avonds niet meer bereikbaar, juist als wij overwerken.",
    "Storingen worden vaak pas na twee of drie keer bellen echt opgelost.",
    "Vriendelijke medewerkers, maar weinig kennis van onze vakapplicaties.",
    "Graag een terugkoppeling als een melding wordt gesloten; nu hoor ik niets.",
    "De nieuwe laptops werken prima, de uitrol van software duurt te lang.",
    "Wachttijd aan de telefoon is op maandagochtend erg lang.",
    "Het selfserviceportaal is onoverzichtelijk, ik kan mijn melding niet terugvinden.",
    "Prima geholpen bij de verhuizing van mijn werkplek.",
    "Wachtwoord resetten gaat snel en goed.",
    "Na een storing weet niemand wanneer het weer werkt.",
]
OPEN_ANSWERS_PROXY = [
    "Eindgebruikers klagen vooral over de bereikbaarheid buiten kantoortijd.",
    "De leverancier rapporteert groen, maar onze afdelingen merken daar weinig van.",
    "Meer gezamenlijke evaluaties van grote storingen zouden helpen.",
]


def _quarter(day: date, back: int) -> tuple[date, date]:
    """The calendar quarter `back` quarters before the one containing `day`."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    year, quarter = divmod(index, 4)
    start = date(year, 3 * quarter + 1, 1)
    following = date(year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _value(rng: random.Random, mean: float, low: int = 1, high: int = 5) -> int:
    return max(low, min(high, round(rng.gauss(mean, 0.85))))


def _answers(survey, items, rng, group, profile, drift: float) -> dict:
    raw = {}
    points = [i for i in items if i.role == ItemRole.IMPORTANCE]
    for item in items:
        name = f"item_{item.pk}"
        kind = item.question.kind
        dimension = item.question.dimension
        if item.role == ItemRole.PERCEPTION:
            raw[name] = str(_value(rng, profile[dimension] + drift))
        elif item.role == ItemRole.EXPECTATION:
            raw[name] = str(_value(rng, 4.3))
        elif kind == QuestionKind.SCALE:
            # A Dutch "rapportcijfer": around 6.5–7.5 for a middling service.
            mean = sum(profile.values()) / len(profile)
            score = rng.gauss(1.8 * mean + 0.8 + drift, 1.3)
            raw[name] = str(max(0, min(10, round(score))))
        elif kind == QuestionKind.TIME_LOST:
            raw[name] = str(max(0, round(rng.expovariate(1 / 3)))) if rng.random() < 0.6 else ""
        elif kind == QuestionKind.OPEN:
            pool = OPEN_ANSWERS if group == EU else OPEN_ANSWERS_PROXY
            raw[name] = rng.choice(pool) if rng.random() < 0.15 else ""
    if points:
        weights = [rng.uniform(0.6, 1.6) for _ in points]
        weights[0] += 0.8  # reliability matters most to everyone
        shares = [int(100 * w / sum(weights)) for w in weights]
        shares[0] += 100 - sum(shares)
        for item, share in zip(points, shares, strict=True):
            raw[f"item_{item.pk}"] = str(share)
    return raw


def _invitations(survey, contract, counts: dict[str, int], slug: str) -> None:
    """Demo participants: invited, a share of them answered (response rates)."""
    invitations = []
    for group, answered in counts.items():
        invited = max(answered, round(answered / RESPONSE_RATE))
        for number in range(invited):
            salt = new_salt()
            invitations.append(
                Invitation(
                    organisation=survey.organisation,
                    survey=survey,
                    email=f"{group}.{number:03d}.{survey.pk}@{slug}.example",
                    group=group,
                    contract=contract,
                    status=Invitation.Status.INVITED,
                    invited_on=survey.opens_on,
                    salt=salt,
                    token_hash=token_hash(derive_token(INVITATION, salt)),
                    used=number < answered,
                )
            )
    Invitation.objects.bulk_create(invitations)


def _survey(organisation, contract, *, kind, title, period, counts, profile, drift, seed, today):
    if Survey.objects.filter(organisation=organisation, title=title).exists():
        return
    opens = period[1] + timedelta(days=7)
    survey = services.survey_create(
        organisation=organisation,
        kind=kind,
        title=title,
        contracts=[contract],
        period_start=period[0],
        period_end=period[1],
        opens_on=opens,
        closes_on=opens + timedelta(days=21),
        groups=list(counts),
        targets=TARGETS,
    )
    for plan in survey.groups.all():
        plan.population = {EU: 4200, BUSINESS: 40, IT: 25}[plan.group]
        plan.response_rate = Decimal("0.42")
        plan.save(update_fields=["population", "response_rate"])
    survey.launched_on = opens
    survey.save(update_fields=["launched_on"])
    _invitations(survey, contract, counts, organisation.slug)
    items = list(survey.items.select_related("question"))
    rng = random.Random(seed)
    for group, count in counts.items():
        for number in range(count):
            services.response_submit(
                survey=survey,
                contract=contract,
                group=group,
                language="nl" if rng.random() < 0.9 else "en",
                raw_answers=_answers(survey, items, rng, group, profile[group], drift),
                today=opens + timedelta(days=number % 14),
            )
    if survey.closes_on >= today:
        services.survey_close(survey=survey, today=today)
    else:
        # Closed by its date: what the hourly release does for such a survey.
        services.pool_finalise(survey=survey, today=survey.closes_on)


def seed(*, today: date | None = None) -> None:
    """Closed KTOs for every demo contract and a baseline KTO for Zuidrand's workplace contract."""
    today = today or date.today()
    for organisation in Organisation.objects.filter(slug__in=["zuidrand", "deltabank"]):
        access = system_access(organisation)
        for contract in contract_selectors.contract_list(access=access):
            profile = PROFILES.get(contract.reference)
            if profile is None:
                continue
            for back, drift in ((2, 0.15), (1, 0.0)):
                period = _quarter(today, back)
                quarter = (period[0].month - 1) // 3 + 1
                _survey(
                    organisation,
                    contract,
                    kind=SurveyKind.PERIODIC,
                    title=f"KTO {contract.reference} Q{quarter} {period[0].year}",
                    period=period,
                    counts=ANSWERS[contract.reference],
                    profile=profile,
                    drift=drift,
                    today=today,
                    seed=back * 101 + sum(map(ord, contract.reference)),
                )
            if contract.reference == "ZR-2024-001":
                _repeat(
                    organisation, f"KTO {contract.reference} Q{quarter} {period[0].year}", today
                )
                period = _quarter(today, 5)
                _survey(
                    organisation,
                    contract,
                    kind=SurveyKind.BASELINE,
                    title=f"Nulmeting {contract.reference} {period[0].year}",
                    period=period,
                    counts={EU: 40, BUSINESS: 9, IT: 7},
                    profile=profile,
                    drift=0.2,
                    today=today,
                    seed=7,
                )


def _repeat(organisation, title: str, today: date) -> None:
    """The latest periodic KTO repeats every quarter; its next wave is proposed when due."""
    template = Survey.objects.filter(organisation=organisation, title=title).first()
    if template is None or template.campaign_id is not None:
        return
    services.campaign_set(survey=template, recurrence=Recurrence.QUARTERLY, lead_days=45)
    services.campaign_waves_prepare(organisation=organisation, today=today)


OPEN_DEMO_TITLE = "KTO ZR-2024-001 proefronde (open)"
DEMO_RESPONDENT = "respondent.{n:03d}@zuidrand.example"


def seed_open_survey(*, today: date | None = None) -> dict[str, str]:
    """An open survey for newcomers to answer as a respondent: Zuidrand's workplace contract,
    end users, open from a week ago for two months (moved on when a rerun finds it over),
    with the open link on and one unused personal invitation. Returns the title and both
    links (paths; the caller puts the server in front)."""
    from django.urls import reverse

    today = today or date.today()
    organisation = Organisation.objects.get(slug="zuidrand")
    contract = contract_selectors.contract_list(access=system_access(organisation)).get(
        reference="ZR-2024-001"
    )
    survey = Survey.objects.filter(organisation=organisation, title=OPEN_DEMO_TITLE).first()
    if survey is None:
        survey = services.survey_create(
            organisation=organisation,
            kind=SurveyKind.PERIODIC,
            title=OPEN_DEMO_TITLE,
            contracts=[contract],
            period_start=today.replace(day=1),
            period_end=today + timedelta(days=60),
            opens_on=today - timedelta(days=7),
            closes_on=today + timedelta(days=60),
            groups=[EU],
            targets=TARGETS,
        )
    if survey.closed_on or survey.closes_on < today + timedelta(days=7) or not survey.launched_on:
        survey.opens_on = min(survey.opens_on, today)
        survey.closes_on = max(survey.closes_on, today + timedelta(days=60))
        survey.period_end = max(survey.period_end, survey.closes_on)
        survey.launched_on = survey.launched_on or survey.opens_on
        survey.closed_on = None
        survey.save(
            update_fields=["opens_on", "closes_on", "period_end", "launched_on", "closed_on"]
        )
    if not survey.open_link_salt:
        services.survey_open_link_set(survey=survey, enabled=True)
    invitation = survey.invitations.filter(
        email__startswith="respondent.", used=False
    ).first() or _demo_invitation(survey, contract)
    personal = derive_token(INVITATION, invitation.salt)
    return {
        "title": survey.title,
        "open": reverse("kto_public:open", args=[derive_token(OPEN_LINK, survey.open_link_salt)]),
        "personal": reverse("kto_public:answer", args=[personal]),
    }


def _demo_invitation(survey, contract) -> Invitation:
    number = survey.invitations.filter(email__startswith="respondent.").count() + 1
    salt = new_salt()
    return Invitation.objects.create(
        organisation=survey.organisation,
        survey=survey,
        email=DEMO_RESPONDENT.format(n=number),
        group=EU,
        contract=contract,
        status=Invitation.Status.INVITED,
        invited_on=survey.opens_on,
        salt=salt,
        token_hash=token_hash(derive_token(INVITATION, salt)),
    )
