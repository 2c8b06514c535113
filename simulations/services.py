"""Writes of the simulations app: chains, steps, scenarios, runs and exercises.

Every function is keyword-only, validates with full_clean() inside one transaction and returns
the object. A simulation never runs in a request: `simulation_run_start` stores the run and
queues the worker after commit; the worker calls `simulation_run_execute`.
"""

import csv
import io
import logging
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from governance.platform.access import Access
from governance.platform.models import Membership, Organisation, Role
from governance.platform.outbox import outbox_enqueue
from governance.platform.service_links import service_occurrences
from governance.platform.tasking import enqueue_on_commit
from simulations import engine
from simulations.lessons import first_occurrence
from simulations.levels import levels_in_force, snapshot_targets
from simulations.models import (
    Action,
    Chain,
    Escalation,
    Exercise,
    ExerciseReport,
    Inject,
    Lesson,
    Observation,
    Participant,
    Proposal,
    Scenario,
    ScenarioChange,
    SimulationRun,
    Step,
)
from simulations.schedule import breakpoints, parse_opening_hours

logger = logging.getLogger(__name__)
REMINDER_DAYS = 30


# --- Chains and steps ------------------------------------------------------------------------


def _saved(obj):
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def chain_create(
    *,
    access: Access,
    contract,
    name: str,
    description: str = "",
    internal_notes: str = "",
    service=None,
) -> Chain:
    """A new chain for one of the organisation's contracts (flat, empty arrival profile)."""
    return _saved(
        Chain(
            organisation=access.organisation,
            contract=contract,
            service=service,
            name=name,
            description=description,
            internal_notes=internal_notes,
        )
    )


@transaction.atomic
def chain_update(*, chain: Chain, **fields) -> Chain:
    """Change the chain's name, description, contract or internal notes."""
    for name, value in fields.items():
        setattr(chain, name, value)
    return _saved(chain)


def parse_profile_grid(text: str) -> list[float]:
    """Seven lines (Monday first) of 24 hourly rates, separated by spaces, tabs or semicolons
    (then a decimal comma is allowed) or by commas."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) != 7:
        raise ValidationError(
            {"grid": _("Give 7 lines, one per day from Monday; found %(n)s.") % {"n": len(lines)}}
        )
    rates: list[float] = []
    for number, line in enumerate(lines, start=1):
        if re.search(r"[;\t ]", line):
            tokens = [t.replace(",", ".") for t in re.split(r"[;\t ]+", line) if t]
        else:
            tokens = [t for t in line.split(",") if t.strip()]
        if len(tokens) != 24:
            raise ValidationError(
                {
                    "grid": _("Line %(line)s has %(n)s values; give 24 (one per hour).")
                    % {"line": number, "n": len(tokens)}
                }
            )
        try:
            values = [float(t) for t in tokens]
        except ValueError:
            raise ValidationError(
                {
                    "grid": _("Line %(line)s holds something that is not a number.")
                    % {"line": number}
                }
            ) from None
        if any(v < 0 for v in values):
            raise ValidationError(
                {"grid": _("Line %(line)s has a negative rate.") % {"line": number}}
            )
        rates += values
    return rates


def profile_from_timestamps(content: str, *, time_zone: str) -> list[float]:
    """Average contacts per hour of the week from a list of contact times (one ISO date-time per
    line or in the first CSV column): counts per weekday and hour divided by the weeks covered."""
    zone = ZoneInfo(time_zone)
    moments = []
    for number, row in enumerate(csv.reader(io.StringIO(content)), start=1):
        if not row or not row[0].strip():
            continue
        text = row[0].strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            if number == 1:
                continue  # a header line
            raise ValidationError(
                {
                    "file": _("Line %(line)s: “%(text)s” is not a date and time.")
                    % {"line": number, "text": text[:40]}
                }
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        moments.append(moment.astimezone(zone))
    if not moments:
        raise ValidationError({"file": _("The file holds no contact times.")})
    # Whole days covered, first to last inclusive: an export of complete weeks counts exactly.
    weeks = max(((max(moments).date() - min(moments).date()).days + 1) / 7, 1.0)
    counts = [0] * 168
    for moment in moments:
        counts[moment.weekday() * 24 + moment.hour] += 1
    return [round(c / weeks, 3) for c in counts]


def profile_from_occurrences(
    moments: list[datetime], *, since: date, until: date, time_zone: str, factor: float = 1.0
) -> list[float]:
    """Mean arrivals per hour of the week from when things happened (e.g. complaints) in the
    period `since`…`until` (both days included): for each weekday and hour, the occurrences in
    that hour divided by how many of that weekday the period holds, times `factor` (e.g.
    contacts per complaint). Hours are local to `time_zone`; Monday 00:00 first."""
    if until < since:
        raise ValidationError({"until": _("The period ends before it starts.")})
    zone = ZoneInfo(time_zone)
    days_of = [0] * 7
    for offset in range((until - since).days + 1):
        days_of[(since + timedelta(days=offset)).weekday()] += 1
    counts = [0] * 168
    for moment in moments:
        local = moment.astimezone(zone)
        if since <= local.date() <= until:
            counts[local.weekday() * 24 + local.hour] += 1
    return [
        round(counts[h] / days_of[h // 24] * factor, 4) if days_of[h // 24] else 0.0
        for h in range(168)
    ]


def chain_profile_from_complaints(
    *, access: Access, chain: Chain, service, since: date, until: date, factor: float = 1.0
) -> tuple[list[float], int]:
    """The arrival profile the complaints about `service` in the period suggest, and how many
    complaints it rests on (a preview: nothing is saved)."""
    if service.contract_id != chain.contract_id:
        raise ValidationError({"service": _("The service belongs to another contract.")})
    moments = service_occurrences(access=access, service_id=service.pk, since=since, until=until)
    rates = profile_from_occurrences(
        moments,
        since=since,
        until=until,
        time_zone=access.organisation.time_zone,
        factor=factor,
    )
    zone = ZoneInfo(access.organisation.time_zone)
    counted = sum(1 for m in moments if since <= m.astimezone(zone).date() <= until)
    return rates, counted


@transaction.atomic
def chain_set_profile_from_complaints(
    *, access: Access, chain: Chain, service, since: date, until: date, factor: float = 1.0
) -> Chain:
    """Derive the profile from the complaints about `service` and save it; the chain then
    serves that service (which is how the complaints' extension case finds it)."""
    rates, count = chain_profile_from_complaints(
        access=access, chain=chain, service=service, since=since, until=until, factor=factor
    )
    if not count:
        raise ValidationError(
            {"since": _("No complaints about %(service)s in that period.") % {"service": service}}
        )
    chain.service = service
    return chain_set_profile(chain=chain, rates=rates, source=Chain.ProfileSource.COMPLAINTS)


@transaction.atomic
def chain_set_profile(*, chain: Chain, rates: list[float], source: str) -> Chain:
    """Replace the chain's arrival profile (168 hourly rates, Monday 00:00 first)."""
    chain.arrival_profile = [float(r) for r in rates]
    chain.profile_source = source
    return _saved(chain)


@transaction.atomic
def step_create(*, chain: Chain, **fields) -> Step:
    """Append a step to the chain."""
    position = (chain.steps.aggregate(top=Max("position"))["top"] or 0) + 1
    return _saved(Step(organisation=chain.organisation, chain=chain, position=position, **fields))


@transaction.atomic
def step_update(*, step: Step, **fields) -> Step:
    for name, value in fields.items():
        setattr(step, name, value)
    return _saved(step)


@transaction.atomic
def step_with_escalations_save(*, step: Step, fields: dict, escalations: dict) -> Step:
    """Change a step and its escalation probabilities to following steps in one go."""
    step_update(step=step, **fields)
    for target, probability in escalations.items():
        escalation_set(source=step, target=target, probability=probability)
    return step


@transaction.atomic
def step_delete(*, step: Step) -> None:
    """Remove a step with its escalations and scenario changes."""
    step.delete()


@transaction.atomic
def escalation_set(*, source: Step, target: Step, probability: Decimal) -> Escalation:
    """Set the probability that a contact finishing `source` goes on to `target` (0 removes)."""
    existing = Escalation.objects.filter(source=source, target=target).first()
    if probability == 0:
        if existing:
            existing.delete()
        return Escalation(
            organisation=source.organisation, source=source, target=target, probability=0
        )
    escalation = existing or Escalation(
        organisation=source.organisation, source=source, target=target
    )
    escalation.probability = probability
    _saved(escalation)
    total = sum(e.probability for e in source.escalations.all())
    if total > 1:
        raise ValidationError(
            {
                "probability": _(
                    "Escalations from %(step)s would add up to %(total)s, more than 1."
                )
                % {"step": source.name, "total": total}
            }
        )
    return escalation


@transaction.atomic
def scenario_save(
    *,
    chain: Chain,
    name: str,
    description: str = "",
    arrival_factor: Decimal = Decimal(1),
    changes: dict[int, dict] | None = None,
    scenario: Scenario | None = None,
) -> Scenario:
    """Create or update a scenario; `changes` maps a step id to extra_staff, opening_hours and
    service_time_factor. A change equal to "no change" is not stored."""
    scenario = scenario or Scenario(organisation=chain.organisation, chain=chain)
    scenario.name, scenario.description, scenario.arrival_factor = name, description, arrival_factor
    _saved(scenario)
    scenario.changes.all().delete()
    steps = {s.pk: s for s in chain.steps.all()}
    for step_id, change in (changes or {}).items():
        if step_id not in steps:
            raise ValidationError({"step": _("The step belongs to another chain.")})
        row = ScenarioChange(
            organisation=chain.organisation,
            scenario=scenario,
            step=steps[step_id],
            extra_staff=change.get("extra_staff") or 0,
            opening_hours=change.get("opening_hours") or "",
            service_time_factor=change.get("service_time_factor") or Decimal(1),
        )
        if row.extra_staff or row.opening_hours or row.service_time_factor != 1:
            _saved(row)
    return scenario


# --- The model a run uses ----------------------------------------------------------------------


def chain_snapshot(*, chain: Chain, scenario: Scenario | None = None) -> dict:
    """The chain (with the scenario applied) as plain data: what a run simulates, kept with it."""
    steps = list(chain.steps.order_by("position"))
    index = {s.pk: i for i, s in enumerate(steps)}
    changes = {c.step_id: c for c in scenario.changes.all()} if scenario else {}
    escalations = Escalation.objects.filter(source__chain=chain).order_by("target__position")
    onward: dict[int, list] = {}
    for escalation in escalations:
        onward.setdefault(escalation.source_id, []).append(
            [index[escalation.target_id], float(escalation.probability)]
        )
    levels = (
        levels_in_force(contract=chain.contract) if any(s.service_level_code for s in steps) else {}
    )
    rows = []
    for step in steps:
        change = changes.get(step.pk)
        extra = change.extra_staff if change else 0
        factor = float(change.service_time_factor) if change else 1.0
        hours = change.opening_hours if change and change.opening_hours else step.opening_hours
        intervals = parse_opening_hours(hours, default_staff=step.capacity)
        if intervals is not None and extra:
            intervals = [type(i)(i.start, i.end, max(i.staff + extra, 0)) for i in intervals]
        staffing = breakpoints(intervals, always_staff=max(step.capacity + extra, 0))

        def scaled(value, factor=factor):
            return float(value) * factor if value is not None else 0.0

        within, share = snapshot_targets(step, levels.get(step.service_level_code))
        rows.append(
            {
                "key": str(step.pk),
                "name": step.name,
                "staffing": [list(p) for p in staffing],
                "distribution": step.distribution,
                "mean": scaled(step.mean_seconds),
                "sd": scaled(step.sd_seconds),
                "low": scaled(step.min_seconds),
                "mode": scaled(step.mode_seconds),
                "high": scaled(step.max_seconds),
                "escalations": onward.get(step.pk, []),
                "target_wait": within,
                "target_share": share,
                "service_level_code": step.service_level_code,
            }
        )
    factor = float(scenario.arrival_factor) if scenario else 1.0
    return {
        "steps": rows,
        "rates": [float(r) * factor for r in chain.arrival_profile],
        "arrival_factor": factor,
    }


def spec_from_snapshot(snapshot: dict) -> engine.ChainSpec:
    steps = [
        engine.StepSpec(
            key=row["key"],
            name=row["name"],
            staffing=[tuple(p) for p in row["staffing"]],
            distribution=row["distribution"],
            mean=row["mean"],
            sd=row["sd"],
            low=row["low"],
            mode=row["mode"],
            high=row["high"],
            escalations=tuple((int(t), float(p)) for t, p in row["escalations"]),
            target_wait=row["target_wait"],
            target_share=row["target_share"],
        )
        for row in snapshot["steps"]
    ]
    return engine.ChainSpec(steps=steps, rates=list(snapshot["rates"]))


def chain_problems(*, chain: Chain, scenario: Scenario | None = None) -> list[str]:
    """What makes the chain (with the scenario) unfit to simulate; empty when it can run."""
    return engine.problems(spec_from_snapshot(chain_snapshot(chain=chain, scenario=scenario)))


# --- Runs --------------------------------------------------------------------------------------


@transaction.atomic
def simulation_run_start(
    *,
    access: Access,
    chain: Chain,
    scenario: Scenario | None = None,
    replications: int = 10,
    horizon_days: int = 28,
    warmup_hours: int = 24,
    seed: int = 1,
    queue: bool = True,
) -> SimulationRun:
    """Check the model, store a queued run with its model snapshot, and hand it to a worker
    after commit (`queue=False`: the caller, e.g. the demo command, executes it itself). A bad
    model raises ValidationError with every problem; nothing is stored."""
    if scenario is not None and scenario.chain_id != chain.pk:
        raise ValidationError({"scenario": _("The scenario belongs to another chain.")})
    snapshot = chain_snapshot(chain=chain, scenario=scenario)
    found = engine.problems(spec_from_snapshot(snapshot))
    if found:
        raise ValidationError({"__all__": found})
    run = _saved(
        SimulationRun(
            organisation=access.organisation,
            chain=chain,
            scenario=scenario,
            label=scenario.name if scenario else _("Current chain"),
            replications=replications,
            horizon_days=horizon_days,
            warmup_hours=warmup_hours,
            seed=seed,
            model=snapshot,
            requested_by_id=access.user_id,
        )
    )
    if queue:
        _queue_after_commit(
            run,
            task="simulations.tasks.task_simulation_run",
            id_kwarg="run_id",
            what="Simulation run",
            unavailable=gettext_noop("The job queue is unavailable; start the run again later."),
        )
    return run


def _queue_after_commit(row, *, task: str, id_kwarg: str, what: str, unavailable: str) -> None:
    """After commit, hand a queued run or report to the task registered as `task`. When the job
    queue is unavailable the row says so instead of waiting for ever: failed, with the reason as
    its msgid (each reader reads it in their language)."""
    model, pk = type(row), row.pk
    enqueue_on_commit(
        task,
        kwargs={"organisation_id": row.organisation_id, id_kwarg: pk},
        what=f"{what} {pk}",
        on_failure=lambda: model.objects.filter(pk=pk, status=model.Status.QUEUED).update(
            status=model.Status.FAILED, error=unavailable, finished_at=timezone.now()
        ),
    )


def simulation_run_execute(*, run: SimulationRun) -> SimulationRun:
    """Simulate a queued run (worker only), recording progress as it goes and the results."""
    if run.status != SimulationRun.Status.QUEUED:
        return run  # a redelivered message: the run is already under way or done
    SimulationRun.objects.filter(pk=run.pk).update(
        status=SimulationRun.Status.RUNNING, started_at=timezone.now(), progress=0
    )
    reported = [0.0]

    def progress(fraction: float) -> None:
        # A write per 2 % keeps the database quiet while the page still moves.
        if fraction - reported[0] >= 0.02 or fraction >= 1:
            reported[0] = fraction
            SimulationRun.objects.filter(pk=run.pk).update(progress=min(fraction, 0.99))

    settings = engine.RunSettings(
        replications=run.replications,
        horizon_hours=run.horizon_days * 24,
        warmup_hours=run.warmup_hours,
        seed=run.seed,
    )
    spec = spec_from_snapshot(run.model)
    try:
        results = engine.simulate(spec, settings, progress=progress)
        if spec.steps:
            results["closing_times"] = engine.closing_time_options(
                spec.steps[0], results["unreachable_by_hour"], spec.rates
            )
    except Exception as error:
        SimulationRun.objects.filter(pk=run.pk).update(
            status=SimulationRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    SimulationRun.objects.filter(pk=run.pk).update(
        status=SimulationRun.Status.SUCCEEDED,
        progress=1.0,
        results=results,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


# --- Exercises ---------------------------------------------------------------------------------


@transaction.atomic
def exercise_save(*, chain: Chain, exercise: Exercise | None = None, **fields) -> Exercise:
    """Plan a new exercise of the chain, or change one."""
    exercise = exercise or Exercise(organisation=chain.organisation)
    exercise.chain = chain
    for name, value in fields.items():
        setattr(exercise, name, value)
    if exercise.status == Exercise.Status.HELD and exercise.recurs_yearly and not exercise.next_due:
        exercise.next_due = _a_year_after(exercise.scheduled_for)
    return _saved(exercise)


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def exercise_record_held(*, exercise: Exercise, summary: str) -> Exercise:
    """Mark the exercise as held; a yearly one gets its next due date."""
    exercise.status = Exercise.Status.HELD
    exercise.summary = summary
    if exercise.recurs_yearly:
        exercise.next_due = _a_year_after(exercise.scheduled_for)
    return _saved(exercise)


PART_MODELS = {
    "inject": Inject,
    "participant": Participant,
    "observation": Observation,
    "action": Action,
    "lesson": Lesson,
}


@transaction.atomic
def exercise_part_add(*, exercise: Exercise, kind: str, **fields):
    """Add an inject, participant, observation, action or lesson to the exercise."""
    model = PART_MODELS[kind]
    if kind == "observation":
        step = fields["step"]
        existing = Observation.objects.filter(exercise=exercise, step=step).first()
        if fields.get("expected_minutes") is None:
            fields["expected_minutes"] = step.expected_minutes
        if existing:
            for name, value in fields.items():
                setattr(existing, name, value)
            return _saved(existing)
    part = model(organisation=exercise.organisation, exercise=exercise, **fields)
    if kind == "lesson":
        part.repeats = first_occurrence(part)
    return _saved(part)


@transaction.atomic
def exercise_part_delete(*, part) -> None:
    part.delete()


@transaction.atomic
def action_set_done(*, action: Action, done: bool) -> Action:
    action.done = done
    return _saved(action)


@transaction.atomic
def exercise_reminders_send(*, organisation: Organisation, today: date | None = None) -> int:
    """Remind the contract managers of yearly exercises due within 30 days (once per due date,
    through the outbox). Returns the number of reminders queued."""
    today = today or timezone.localdate()
    due = Exercise.objects.filter(
        organisation=organisation,
        recurs_yearly=True,
        next_due__isnull=False,
        next_due__lte=today + timedelta(days=REMINDER_DAYS),
    ).select_related("chain", "chain__contract")
    managers = list(
        Membership.objects.filter(organisation=organisation, role=Role.CONTRACT_MANAGER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    sent = 0
    for exercise in due:
        if exercise.reminder_sent_for == exercise.next_due:
            continue
        already_planned = Exercise.objects.filter(
            chain=exercise.chain, scheduled_for__gt=exercise.scheduled_for
        ).exists()
        if already_planned or not managers:
            continue
        with translation.override(organisation.default_language):
            context = {"exercise": exercise, "organisation": organisation}
            outbox_enqueue(
                to=managers,
                subject=_("Chain exercise due: %(title)s") % {"title": exercise.chain.name},
                text=render_to_string("simulations/email/exercise_due.txt", context),
                organisation=organisation,
            )
        exercise.reminder_sent_for = exercise.next_due
        exercise.save(update_fields=["reminder_sent_for"])
        sent += 1
    return sent


# --- Improvement proposals for the tactical meeting --------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    access: Access,
    chain: Chain,
    finding: str,
    title: str,
    rationale: str,
    owner_side: str,
    run: SimulationRun | None = None,
    exercise: Exercise | None = None,
    action: Action | None = None,
) -> Proposal:
    """A client manager turns a run's finding or an exercise's action into a proposal."""
    if action is not None and exercise is None:
        exercise = action.exercise
    return _saved(
        Proposal(
            organisation=access.organisation,
            chain=chain,
            finding=finding,
            run=run,
            exercise=exercise,
            action=action,
            title=title,
            rationale=rationale,
            owner_side=owner_side,
            created_by_id=access.user_id,
        )
    )


@transaction.atomic
def proposal_set_status(*, proposal: Proposal, status: str, note: str = "") -> Proposal:
    """Move a proposal on: proposed → on the agenda → accepted or rejected (back to proposed
    when taken off the agenda; a proposal not yet on the agenda may be rejected)."""
    if status not in Proposal.NEXT.get(proposal.status, ()):
        raise ValidationError(
            {
                "status": _("A proposal that is %(now)s cannot become %(next)s.")
                % {
                    "now": proposal.get_status_display().lower(),
                    "next": str(Proposal.Status(status).label).lower()
                    if status in Proposal.Status.values
                    else status,
                }
            }
        )
    proposal.status = status
    if note:
        proposal.decision_note = note
    decided = status in (Proposal.Status.ACCEPTED, Proposal.Status.REJECTED)
    proposal.decided_at = timezone.now() if decided else None
    return _saved(proposal)


# --- The exercise report PDF (rendered by a worker) --------------------------------------------


@transaction.atomic
def exercise_report_request(
    *, access: Access, exercise: Exercise, language: str, queue: bool = True
) -> ExerciseReport:
    """Ask for the exercise report PDF: stored as "being prepared" and rendered by a worker
    after commit. The client's users get the report with internal notes, a supplier's users the
    shared form."""
    report = _saved(
        ExerciseReport(
            organisation=access.organisation,
            exercise=exercise,
            internal=not access.is_supplier,
            language=language,
            requested_by_id=access.user_id,
        )
    )
    if queue:
        _queue_after_commit(
            report,
            task="simulations.tasks.task_render_exercise_report",
            id_kwarg="report_id",
            what="Exercise report",
            unavailable=gettext_noop(
                "The job queue is unavailable; ask for the report again later."
            ),
        )
    return report


def exercise_report_render(*, report: ExerciseReport) -> ExerciseReport:
    """Render and store the PDF (worker only)."""
    from simulations.reports import exercise_report_pdf

    if report.status != ExerciseReport.Status.QUEUED:
        return report  # a redelivered message
    try:
        pdf, pages = exercise_report_pdf(
            exercise=report.exercise, internal=report.internal, language=report.language
        )
    except Exception as error:
        ExerciseReport.objects.filter(pk=report.pk).update(
            status=ExerciseReport.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    report.pdf, report.pages = pdf, pages
    report.status = ExerciseReport.Status.READY
    report.finished_at = timezone.now()
    report.save(update_fields=["pdf", "pages", "status", "finished_at"])
    return report
