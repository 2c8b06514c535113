"""Thin tasks: ids in, load, enter the scope (TenantTask does), call one service."""

from django_scopes import scopes_disabled

from governance.celery import app
from governance.platform.models import Organisation
from governance.platform.tasking import RecordedTask, TenantTask
from simulations import services
from simulations.models import ExerciseReport, SimulationRun

# A year of a busy desk is minutes of CPU; the platform's default limits are for short jobs.
SIMULATION_TIME_LIMIT = 1800


@app.task(
    base=TenantTask,
    soft_time_limit=SIMULATION_TIME_LIMIT - 60,
    time_limit=SIMULATION_TIME_LIMIT,
)
def task_simulation_run(*, organisation_id: int, run_id: int) -> str:
    run = SimulationRun.objects.get(organisation_id=organisation_id, pk=run_id)
    return services.simulation_run_execute(run=run).status


@app.task(base=TenantTask)
def task_render_exercise_report(*, organisation_id: int, report_id: int) -> int | None:
    report = ExerciseReport.objects.select_related("exercise").get(
        organisation_id=organisation_id, pk=report_id
    )
    return services.exercise_report_render(report=report).pages


@app.task(base=TenantTask)
def task_exercise_reminders(*, organisation_id: int) -> int:
    organisation = Organisation.objects.get(pk=organisation_id)
    return services.exercise_reminders_send(organisation=organisation)


@app.task(base=RecordedTask)
def task_exercise_reminders_all() -> int:
    """Daily: one reminder job per organisation, each in its own scope."""
    with scopes_disabled():
        ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in ids:
        task_exercise_reminders.delay(organisation_id=organisation_id)
    return len(ids)
