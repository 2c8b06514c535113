"""Why a run failed because the job queue was down is stored as its msgid and read in the
reader's language on the page and in the API; reasons stored as Dutch text are converted."""

import importlib

from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from simulations.models import SimulationRun
from tests.simulations.helpers import make_chain

REASON = "The job queue is unavailable; start the run again later."
DUTCH = "De takenwachtrij is niet beschikbaar; start de simulatie later opnieuw."


def failed_run(world, error):
    chain = make_chain(world.alpha, world.alpha_contract)
    with scopes_disabled():
        run = chain.chain.runs.first()
        SimulationRun.objects.filter(pk=run.pk).update(status="failed", error=error)
        run.refresh_from_db()
    return run


def test_queue_failure_reads_in_the_readers_language(world, client_as):
    run = failed_run(world, REASON)
    client = client_as(world.alice)
    page = reverse("simulations:run_progress", args=["alpha", run.pk])
    api = reverse("api:simulation-run-detail", kwargs={"org_slug": "alpha", "pk": run.pk})
    read = {}
    for language in ("en", "nl"):
        headers = {"accept-language": language}
        read[language] = (
            REASON in client.get(page, headers=headers).content.decode(),
            DUTCH in client.get(page, headers=headers).content.decode(),
            client.get(api, headers=headers).json()["error"],
        )
    assert read == {"en": (True, False, REASON), "nl": (False, True, DUTCH)}


def test_an_engine_error_reads_as_written(world):
    run = failed_run(world, "ValueError: step desk has no capacity")
    with translation.override("nl"):
        assert run.display_error == "ValueError: step desk has no capacity"


def test_the_migration_turns_a_dutch_reason_into_its_msgid(world):
    run = failed_run(world, DUTCH)
    migration = importlib.import_module("simulations.migrations.0008_queue_errors_as_msgids")
    with scopes_disabled():
        migration.forwards(apps, None)
        run.refresh_from_db()
    assert run.error == REASON
    with translation.override("en"):
        assert run.display_error == REASON
