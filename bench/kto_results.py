"""Benchmark of the KTO: results read rollups, so their cost must not grow with the answers.

Measured in one run, in a throw-away test database (SQLite in memory, or `test_<name>` next to
DATABASE_URL's PostgreSQL database):
- building a survey's results with few answers (baseline) and with many answers: the ratio
  should stay near 1;
- one submission through the service (validation, answers, rollups, one transaction) against
  a plain bulk insert of the same response and answers.
Run: `.venv/bin/python bench/kto_results.py [many] [repeats]`.
"""

import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("REGIE_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from bench.common import timed  # noqa: E402
from contracts.models import Contract  # noqa: E402
from governance.platform.access import system_access  # noqa: E402
from governance.platform.models import Organisation, Supplier  # noqa: E402
from kto import services  # noqa: E402
from kto.models import Answer, QuestionKind, Response  # noqa: E402
from kto.results import survey_results  # noqa: E402

TODAY = date(2026, 3, 3)
GROUPS = ["end_users", "business", "it"]


def make_survey(organisation, contract, title):
    survey = services.survey_create(
        organisation=organisation,
        kind="periodic",
        title=title,
        contracts=[contract],
        period_start=TODAY - timedelta(days=90),
        period_end=TODAY - timedelta(days=1),
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=20),
        groups=GROUPS,
    )
    survey.launched_on = TODAY
    survey.save()
    return survey


def raw(items, rng):
    answers = {}
    for item in items:
        kind = item.question.kind
        if kind == QuestionKind.LIKERT:
            answers[f"item_{item.pk}"] = str(rng.randint(1, 5))
        elif kind == QuestionKind.SCALE:
            answers[f"item_{item.pk}"] = str(rng.randint(0, 10))
    return answers


def fill(survey, contract, count, rng):
    items = list(survey.items.select_related("question"))
    for number in range(count):
        services.response_submit(
            survey=survey,
            contract=contract,
            group=GROUPS[number % 3],
            language="nl",
            raw_answers=raw(items, rng),
            today=TODAY,
        )
        if number % 100 == 99:
            # The pool is rewritten on every answer; the hourly release keeps it small.
            services.pool_release(survey=survey, flush=True, today=TODAY)
    services.pool_release(survey=survey, flush=True, today=TODAY)
    return items


def main() -> None:
    many = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rng = random.Random(1)
    try:
        with scopes_disabled():
            organisation = Organisation.objects.create(name="Bench", slug="bench")
            supplier = Supplier.objects.create(name="Bench supplier")
            contract = Contract.objects.create(
                organisation=organisation, supplier=supplier, reference="B", title="Bench"
            )
            access = system_access(organisation)
            small = make_survey(organisation, contract, "few")
            fill(small, contract, 30, rng)
            large = make_survey(organisation, contract, "many")
            start = time.perf_counter()
            items = fill(large, contract, many, rng)
            submit_each = (time.perf_counter() - start) / many

            few_time = timed(lambda: survey_results(access=access, survey=small), repeats)
            many_time = timed(lambda: survey_results(access=access, survey=large), repeats)

            def plain_insert():
                with transaction.atomic():
                    response = Response.objects.create(
                        organisation=organisation,
                        survey=large,
                        contract=contract,
                        group="it",
                        language="nl",
                        submitted_on=TODAY,
                    )
                    Answer.objects.bulk_create(
                        Answer(organisation=organisation, response=response, item=item, value=3)
                        for item in items
                        if item.question.kind in (QuestionKind.LIKERT, QuestionKind.SCALE)
                    )

            plain = timed(plain_insert, repeats)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"KTO benchmark ({connection.vendor}), median of {repeats}")
    print(f"  results, 30 answers (baseline)   {few_time * 1000:8.2f} ms")
    print(
        f"  results, {many:,} answers         {many_time * 1000:8.2f} ms"
        f"   {many_time / few_time:5.2f}× baseline"
    )
    print(f"  plain insert of one response     {plain * 1000:8.2f} ms")
    print(
        f"  submit one response (service)    {submit_each * 1000:8.2f} ms"
        f"   {submit_each / plain:5.2f}× plain insert"
    )


if __name__ == "__main__":
    main()
