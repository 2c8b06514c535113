"""Demo data for complaints: a year of complaints per demo organisation, with the evening
cluster ("servicedesk onbereikbaar na 18:00" at Zuidrand, "na 20:00" at Deltabank) outside the
service desk's window, handled complaints with verdicts (some closed but not resolved for the
complainant), a few overdue ones and one costed proposal (idempotent).

Run inside `platform_scope()` after the contracts demo (seed_demo does both). No e-mail
addresses are used, so loading the demo sends no mail."""

import random
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from complaints import analysis, services
from complaints.models import (
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintSettings,
    EventKind,
    ReferenceCounter,
    Status,
    Verdict,
)
from contracts.selectors import service_list
from governance.platform.access import system_access
from governance.platform.history import tracked_bulk_create
from governance.platform.models import Organisation
from governance.platform.workdays import add_working_days

SETTINGS = {
    "zuidrand": {"register_public": True, "hourly_rate": "58.50"},
    "deltabank": {"register_public": False, "hourly_rate": "64.00", "resolve_days": 8},
}
# organisation → (complaints in the year, evening start hour, evening end hour)
VOLUME = {"zuidrand": (150, 18, 22), "deltabank": (70, 20, 23)}
MANAGER = {"zuidrand": "manager@zuidrand.example", "deltabank": "manager@deltabank.example"}
NAMES = ["Sanne", "Mohamed", "Eva de Boer", "Joost", "Fatima El Amrani", "Pieter", "", "", ""]

EVENING = [
    "Om {time} wilde ik een storing melden, maar de servicedesk was niet bereikbaar. "
    "Iedereen was al naar huis.",
    "Servicedesk onbereikbaar na {hour}:00. Ik werkte over en kon mijn wachtwoord niet laten "
    "resetten, dus ik kon niet verder.",
    "Rond {time} bleef de telefoon van de servicedesk overgaan; het portaal zegt alleen dat we "
    "morgen terug moeten komen.",
    "Tijdens een avonddienst viel mijn VPN uit. Geen servicedesk bereikbaar na {hour}:00.",
]
DAYTIME = {
    "Wachttijd": [
        "Ruim {minutes} minuten in de wacht gestaan voordat ik iemand sprak.",
        "Chat stond op 'u bent nummer 14 in de rij' en sloot daarna zonder antwoord.",
    ],
    "Oplossing": [
        "Mijn melding is gesloten zonder dat het probleem is opgelost; de printer werkt nog "
        "steeds niet.",
        "Derde keer dezelfde storing in Outlook, elke keer 'opgelost' zonder oorzaak.",
    ],
    "Bejegening": ["De medewerker was kortaf en verwees me door zonder uitleg."],
    "Communicatie": [
        "Ik kreeg geen bericht dat de storing was opgelost; ik heb een halve dag gewacht.",
        "Onderhoud aan de mailserver is niet vooraf aangekondigd.",
    ],
    "Anders": ["Nieuwe laptop na drie weken nog steeds niet geleverd."],
}
RESOLUTIONS = [
    "Wachtwoord gereset en het account ontgrendeld; excuses voor de wachttijd.",
    "De storing is verholpen en de oorzaak (een verlopen certificaat) is weggenomen.",
    "Printerstuurprogramma vervangen; de melding is met u nagebeld.",
    "We hebben de medewerker gesproken over de bejegening; u wordt teruggebeld.",
    "U kunt buiten kantoortijd voorlopig het storingsnummer van de leverancier bellen.",
]
VERDICT_COMMENTS = [
    "Netjes opgelost, maar ik had het 's avonds nodig.",
    "Het is dicht, maar mijn probleem is niet weg.",
    "Snel en vriendelijk geholpen.",
    "",
    "",
]


def seed(*, today: date | None = None) -> None:
    for slug, settings in SETTINGS.items():
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        ComplaintSettings.objects.update_or_create(organisation=organisation, defaults=settings)
        services.complaint_intake_prepare(organisation=organisation)
        if Complaint.objects.filter(organisation=organisation).exists():
            continue
        _complaints(organisation, today or timezone.localdate())
        if slug == "zuidrand":
            _proposal(organisation, today or timezone.localdate())


def _complaints(organisation: Organisation, today: date) -> None:
    """Build the year's complaints in memory and store them in a few bulk inserts: the demo
    is loaded by many tests, so it must be quick. The figures follow the same rules as the
    services (working-day deadlines, the window check, on-time flags)."""
    rng = random.Random(f"complaints-{organisation.slug}")
    tz = ZoneInfo(organisation.time_zone)
    now = timezone.now()
    procedure = ComplaintSettings.objects.get(organisation=organisation)
    count, evening_from, evening_to = VOLUME[organisation.slug]
    service_rows = list(
        service_list(access=system_access(organisation)).select_related("contract").order_by("pk")
    )
    hours = {
        s.pk: [analysis.Interval(h.weekday, h.opens, h.closes) for h in s.opening_hours.all()]
        for s in service_rows
    }
    desk = next((s for s in service_rows if s.name == "Servicedesk"), None)
    others = [s for s in service_rows if s is not desk]
    categories = {c.name_nl: c for c in Category.objects.filter(organisation=organisation)}
    manager = get_user_model().objects.filter(email=MANAGER[organisation.slug]).first()
    start = today - timedelta(days=365)
    complaints = []
    for n in range(count):
        day = start + timedelta(days=int(365 * (n + rng.random()) / count))
        evening = desk is not None and rng.random() < 0.35 and day.weekday() < 5
        if evening:
            moment = datetime.combine(
                day, time(rng.randrange(evening_from, evening_to), rng.randrange(60)), tz
            )
            service, category = desk, categories["Bereikbaarheid"]
            text = rng.choice(EVENING).format(time=f"{moment:%H:%M}", hour=evening_from)
        else:
            while day.weekday() >= 5 and rng.random() < 0.8:
                day += timedelta(days=1)
            moment = datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60)), tz)
            kind = rng.choice(list(DAYTIME))
            category = categories[kind]
            service = rng.choice([desk, desk, *others, None]) if desk else rng.choice(others)
            text = rng.choice(DAYTIME[kind]).format(minutes=rng.randrange(20, 45))
        if moment.date() > today:
            continue
        received = min(moment + timedelta(minutes=rng.randrange(5, 240)), now)
        received_day = received.astimezone(tz).date()
        name = rng.choice(NAMES)
        phone = f"06-{rng.randrange(10000000, 99999999)}" if name else ""
        complaint = Complaint(
            organisation=organisation,
            token=secrets.token_urlsafe(24),
            service=service,
            category=category,
            description=text,
            occurred_at=moment,
            channel=rng.choice(["phone", "phone", "portal", "email", "desk"]),
            impact="high" if evening else rng.choice(["low", "medium", "medium", "high"]),
            name=name,
            phone=phone,
            consent_to_contact=bool(phone) and rng.random() < 0.5,
            language="nl",
            outside_window=None
            if service is None
            else not analysis.in_window(
                moment.astimezone(tz), hours[service.pk], open_on_holidays=service.open_on_holidays
            ),
            received_at=received,
            acknowledge_due=add_working_days(received_day, procedure.acknowledge_days),
            resolve_due=add_working_days(received_day, procedure.resolve_days),
        )
        complaints.append(complaint)
    # One complaint three to eight weeks old stays in handling: overdue, whatever the day.
    overdue = next(
        (c for c in reversed(complaints) if 21 <= (today - c.received_at.date()).days <= 56),
        None,
    )
    plans = [_plan(c, rng, today, now, manager, tz, keep_open=c is overdue) for c in complaints]
    _number(organisation, complaints, tz)
    tracked_bulk_create(Complaint, complaints)
    events, verdicts = [], []
    for complaint, (steps, verdict) in zip(complaints, plans, strict=True):
        for kind, at, actor, party, from_status, to_status, text in steps:
            events.append(
                ComplaintEvent(
                    organisation=organisation,
                    complaint=complaint,
                    kind=kind,
                    at=at,
                    actor=actor,
                    party=party,
                    from_status=from_status,
                    to_status=to_status,
                    text=text,
                )
            )
        if verdict is not None:
            verdicts.append(Verdict(organisation=organisation, complaint=complaint, **verdict))
            answer = "opgelost" if verdict["resolved_for_me"] else "niet opgelost"
            events.append(
                ComplaintEvent(
                    organisation=organisation,
                    complaint=complaint,
                    kind=EventKind.VERDICT,
                    at=verdict["given_at"],
                    party="complainant",
                    text=f"{answer} · {verdict['handling_score']}/5",
                )
            )
    ComplaintEvent.objects.bulk_create(events)
    Verdict.objects.bulk_create(verdicts)


def _number(organisation, complaints, tz) -> None:
    """References in order of receipt, per year, and the counters that continue them."""
    last: dict[int, int] = {}
    for complaint in sorted(complaints, key=lambda c: c.received_at):
        year = complaint.received_at.astimezone(tz).year
        last[year] = last.get(year, 0) + 1
        complaint.reference = f"KL-{year}-{last[year]:06d}"
    for year, number in last.items():
        ReferenceCounter.objects.update_or_create(
            organisation=organisation, year=year, defaults={"last": number}
        )


def _plan(complaint, rng, today, now, manager, tz, keep_open=False):
    """Walk the complaint through the procedure as far as its age makes plausible: set its
    fields and return its timeline (kind, at, actor, party, from, to, text) and verdict."""
    received = complaint.received_at
    steps = [(EventKind.RECEIVED, received, None, "complainant", "", Status.RECEIVED, "")]
    supplier = complaint.service.contract.supplier if complaint.service else None
    if supplier is not None and rng.random() < 0.7:
        complaint.assigned_supplier = supplier
        steps.append((EventKind.ASSIGNED, received, manager, "client", "", "", supplier.name))
    elif manager is not None:
        complaint.assigned_user = manager
        label = manager.get_full_name() or manager.email
        steps.append((EventKind.ASSIGNED, received, manager, "client", "", "", label))
    age = (today - received.astimezone(tz).date()).days

    def move(to, at, text=""):
        steps.append((EventKind.STATUS, at, manager, "client", complaint.status, to, text))
        complaint.status = to

    if age < 4 and rng.random() < 0.6:
        return steps, None  # fresh: still waiting for acknowledgement
    late = rng.random() < 0.12
    ack_at = received + timedelta(hours=rng.randrange(2, 40) + (72 if late else 0))
    if ack_at > now:
        return steps, None
    move(Status.ACKNOWLEDGED, ack_at)
    complaint.acknowledged_at = ack_at
    complaint.acknowledged_on_time = ack_at.astimezone(tz).date() <= complaint.acknowledge_due
    if keep_open or (age < 16 and rng.random() < 0.5):
        return steps, None  # in handling; some of these are past their resolve date (overdue)
    if rng.random() < 0.04:
        complaint.rejection_reason = (
            "Dit is een wijzigingsverzoek, geen klacht; doorgezet naar het wijzigingsproces."
        )
        move(Status.REJECTED, ack_at + timedelta(hours=3), complaint.rejection_reason)
        return steps, None
    resolved_at = ack_at + timedelta(days=rng.randrange(1, 15 if not late else 25))
    if resolved_at > now:
        return steps, None
    complaint.resolution = rng.choice(RESOLUTIONS)
    complaint.resolved_at = resolved_at
    complaint.resolved_on_time = resolved_at.astimezone(tz).date() <= complaint.resolve_due
    move(Status.RESOLVED, resolved_at, complaint.resolution)
    closed_at = resolved_at + timedelta(days=rng.randrange(2, 8))
    if closed_at <= now:
        complaint.closed_at = closed_at
        move(Status.CLOSED, closed_at)
    if rng.random() >= 0.65:
        return steps, None
    resolved_for_me = rng.random() < (0.45 if complaint.outside_window else 0.8)
    return steps, {
        "resolved_for_me": resolved_for_me,
        "handling_score": rng.choice([1, 2, 2, 3] if not resolved_for_me else [3, 4, 4, 5, 5]),
        "comment": rng.choice(VERDICT_COMMENTS),
        "given_at": min(resolved_at + timedelta(days=rng.randrange(1, 6)), now),
    }


def _proposal(organisation: Organisation, today: date) -> None:
    desk = service_list(access=system_access(organisation)).filter(name="Servicedesk").first()
    if desk is None:
        return
    access = system_access(organisation)
    proposal = services.proposal_create(
        access=access,
        service=desk,
        title="Servicedesk op werkdagen bereikbaar tot 20:00",
        weekdays=[0, 1, 2, 3, 4],
        opens=time(18, 0),
        closes=time(20, 0),
        staff=2,
        period_start=today - timedelta(days=364),
        period_end=today,
        benefit="Medewerkers die overwerken of in avonddiensten werken kunnen storingen melden "
        "en hun wachtwoord laten resetten; minder klachten over bereikbaarheid en minder "
        "verloren werkuren.",
    )
    services.proposal_decide(access=access, proposal=proposal, status="on_agenda")
