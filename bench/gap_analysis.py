"""Benchmark of the gap analysis on a generated organisation (PostgreSQL only).

The organisation: 50 contracts × 5 years of monthly SLA reports × 20 service levels (four per
perception dimension), and quarterly organisation-wide KTO surveys holding 1,000,000 answers
(with their rollups, as the submission service would have left them). Measured in one run, in
a throw-away test database next to DATABASE_URL's:
- the cold full gap analysis (every month of the five years, nothing stored yet: every cell
  computed and written) against one raw SQL GROUP BY over the same answers — target ≤ 3×;
- a full rerun in which a tenth of the cells' inputs changed, and one in which none did (a cell
  whose inputs — report version and measurements, service levels, survey rollups, thresholds,
  complaints — are unchanged is not recomputed), each against the same GROUP BY;
- a one-period run against the raw aggregate of that month's answers — target ≤ 2×.
Each is measured once per round, beside its baseline in the same round.
Run: `DATABASE_URL=postgres://… .venv/bin/python bench/gap_analysis.py [answers] [repeats]`.
"""

import io
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("REGIE_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from bench.common import timed  # noqa: E402
from contracts.models import (  # noqa: E402
    Contract,
    Measurement,
    Service,
    ServiceLevel,
    ServiceLevelDimension,
    SLAReport,
)
from governance.platform.dimensions import Dimension  # noqa: E402
from governance.platform.models import Organisation, Supplier  # noqa: E402
from kto import services as kto_services  # noqa: E402
from kto.gaps.engine import month_bounds  # noqa: E402
from kto.gaps.models import GapFlag  # noqa: E402
from kto.gaps.services import gap_analysis_execute  # noqa: E402
from kto.models import (  # noqa: E402
    LIKERT_COUNT_FIELDS,
    GapAnalysisRun,
    ItemRole,
    QuestionKind,
    Rollup,
    ScoreRollup,
)

CONTRACTS = 50
LEVELS = 20
FIRST_MONTH = date(2021, 11, 1)
MONTHS = 60
GROUPS = ["end_users", "business", "it"]
RAW_SQL = """
    SELECT r.contract_id, q.dimension, s.period_start, r."group", count(*), avg(a.value)
    FROM kto_answer a
    JOIN kto_response r ON r.id = a.response_id
    JOIN kto_surveyitem i ON i.id = a.item_id
    JOIN kto_question q ON q.id = i.question_id
    JOIN kto_survey s ON s.id = r.survey_id
    WHERE a.organisation_id = %s AND i.role = 'perception' AND a.value IS NOT NULL
      AND s.period_start <= %s AND s.period_end >= %s
    GROUP BY 1, 2, 3, 4
"""


def months(count: int = MONTHS) -> list[tuple[date, date]]:
    periods, day = [], FIRST_MONTH
    for _ in range(count):
        periods.append(month_bounds(day))
        day = periods[-1][1] + timedelta(days=1)
    return periods


def copy_rows(table: str, columns: list[str], rows) -> None:
    if connection.vendor != "postgresql":
        # The small smoke run of bench/system.py on SQLite: plain inserts, UUIDs as Django
        # stores them there (32 hex digits).
        rows = [tuple(v.hex if isinstance(v, uuid.UUID) else v for v in row) for row in rows]
        marks = ", ".join(["%s"] * len(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 (our names)
            cursor.executemany(sql, rows)
        return
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(str(value) for value in row) + "\n")
    buffer.seek(0)
    with connection.connection.cursor() as cursor:
        cursor.copy_from(buffer, table, columns=columns)


def make_contracts(
    organisation, supplier, rng, *, count: int = CONTRACTS, levels: int = LEVELS, periods=None
) -> list[Contract]:
    periods = periods or months()
    contracts = Contract.objects.bulk_create(
        Contract(
            organisation=organisation,
            supplier=supplier,
            reference=f"B-{number:03d}",
            title=f"Bench contract {number}",
            status=Contract.Status.ACTIVE,
            start_date=FIRST_MONTH,
        )
        for number in range(count)
    )
    services = Service.objects.bulk_create(
        Service(organisation=organisation, contract=contract, name="Service desk")
        for contract in contracts
    )
    levels = ServiceLevel.objects.bulk_create(
        ServiceLevel(
            organisation=organisation,
            contract=contract,
            service=service,
            code=f"L{number:02d}",
            name=f"Level {number}",
            metric_kind=ServiceLevel.MetricKind.PERCENTAGE,
            unit="%",
            direction=ServiceLevel.Direction.HIGHER,
            target=Decimal("95"),
            valid_from=FIRST_MONTH,
        )
        for contract, service in zip(contracts, services, strict=True)
        for number in range(levels)
    )
    dimensions = Dimension.values
    ServiceLevelDimension.objects.bulk_create(
        ServiceLevelDimension(
            organisation=organisation,
            service_level=level,
            dimension=dimensions[index % len(dimensions)],
            weight=Decimal("1"),
        )
        for index, level in enumerate(levels)
    )
    by_contract = defaultdict(list)
    for level in levels:
        by_contract[level.contract_id].append(level)
    reports = SLAReport.objects.bulk_create(
        SLAReport(
            organisation=organisation,
            contract=contract,
            period_start=start,
            period_end=end,
            status=SLAReport.Status.ACCEPTED,
            checksum=uuid.uuid4().hex,
        )
        for contract in contracts
        for start, end in periods
    )
    rows = []
    for report in reports:
        for level in by_contract[report.contract_id]:
            value = round(rng.uniform(93.5, 99.9), 2)
            state = Measurement.State.MET if value >= 95 else Measurement.State.MISSED
            rows.append((organisation.pk, report.pk, level.pk, value, state, "x", "x", "x", ""))
    copy_rows(
        "contracts_measurement",
        [
            "organisation_id",
            "report_id",
            "service_level_id",
            "value",
            "state",
            "deviation_cause",
            "deviation_impact",
            "deviation_action",
            "dispute_reason",
        ],
        rows,
    )
    return contracts


def make_surveys(organisation, contracts, answers_total, rng, *, periods=None) -> int:
    """Quarterly surveys over all contracts, answered as the submission service would store
    them: responses, answers, and the additive rollups of respondent-level scores."""
    periods = periods or months()
    quarters = [(periods[i][0], periods[i + 2][1]) for i in range(0, len(periods) - 2, 3)]
    # Each contract has its own level of satisfaction, drifting over the years.
    base = {c.pk: rng.uniform(2.6, 4.4) for c in contracts}
    trend = {c.pk: rng.uniform(-0.04, 0.04) for c in contracts}
    written = 0
    for number, (start, end) in enumerate(quarters):
        survey = kto_services.survey_create(
            organisation=organisation,
            kind="periodic",
            title=f"KTO {start:%Y-%m}",
            contracts=contracts,
            period_start=start,
            period_end=end,
            opens_on=end + timedelta(days=1),
            closes_on=end + timedelta(days=21),
            groups=GROUPS,
            targets=dict.fromkeys(Dimension.values, 3.6),
        )
        items = [
            item
            for item in survey.items.select_related("question")
            if item.question.kind in (QuestionKind.LIKERT, QuestionKind.SCALE)
        ]
        per_contract = answers_total // (len(quarters) * len(contracts) * len(items))
        responses, answers = [], []
        rollups: dict[tuple, list] = {}
        scores: dict[tuple, list[int]] = {}
        for contract in contracts:
            mean = base[contract.pk] + trend[contract.pk] * number
            for respondent in range(per_contract):
                group = GROUPS[0] if respondent % 10 < 7 else GROUPS[1 + respondent % 2]
                response_id = uuid.uuid4()
                responses.append(
                    (response_id, organisation.pk, survey.pk, contract.pk, group, "nl", end)
                )
                per_dimension: dict[str, list[int]] = defaultdict(list)
                for item in items:
                    if item.question.kind == QuestionKind.LIKERT:
                        value = min(5, max(1, round(rng.gauss(mean, 0.9))))
                        per_dimension[item.question.dimension].append(value)
                    else:
                        value = rng.randint(0, 10)
                        key = (contract.pk, item.pk, group)
                        scores.setdefault(key, [0] * 11)[value] += 1
                    answers.append((uuid.uuid4(), organisation.pk, response_id, item.pk, value))
                for dimension, values in per_dimension.items():
                    key = (contract.pk, dimension, group)
                    figures = rollups.setdefault(key, [0, 0.0, 0.0, 0, 0, 0, 0, 0])
                    score = sum(values) / len(values)
                    figures[0] += 1
                    figures[1] += score
                    figures[2] += score * score
                    for value in values:
                        figures[2 + value] += 1
        copy_rows(
            "kto_response",
            ["id", "organisation_id", "survey_id", "contract_id", "group", "language"]
            + ["submitted_on"],
            responses,
        )
        copy_rows(
            "kto_answer",
            ["id", "organisation_id", "response_id", "item_id", "value", "text"],
            (row + ("",) for row in answers),
        )
        written += len(answers)
        Rollup.objects.bulk_create(
            Rollup(
                organisation=organisation,
                survey=survey,
                contract_id=contract_id,
                role=ItemRole.PERCEPTION,
                dimension=dimension,
                group=group,
                period_start=start,
                period_end=end,
                n=figures[0],
                sum_x=figures[1],
                sum_x2=figures[2],
                **dict(zip(LIKERT_COUNT_FIELDS, figures[3:], strict=True)),
            )
            for (contract_id, dimension, group), figures in rollups.items()
        )
        ScoreRollup.objects.bulk_create(
            ScoreRollup(
                organisation=organisation,
                survey=survey,
                contract_id=contract_id,
                item_id=item_id,
                group=group,
                **{f"c{value}": count for value, count in enumerate(counts)},
            )
            for (contract_id, item_id, group), counts in scores.items()
        )
    return written


def raw_aggregate(organisation, start: date, end: date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, [organisation.pk, end, start])
        return len(cursor.fetchall())


def analyse(organisation, start: date, end: date) -> GapAnalysisRun:
    run = GapAnalysisRun.objects.create(
        organisation=organisation,
        period_start=start,
        period_end=end,
        trigger=GapAnalysisRun.Trigger.COMMAND,
    )
    return gap_analysis_execute(run=run)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL.")
    answers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rng = random.Random(7)
    try:
        with scopes_disabled():
            started = time.perf_counter()
            organisation = Organisation.objects.create(name="Bench", slug="bench")
            supplier = Supplier.objects.create(name="Bench supplier")
            contracts = make_contracts(organisation, supplier, rng)
            written = make_surveys(organisation, contracts, answers, rng)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            generated = time.perf_counter() - started
            first, last = months()[0][0], months()[-1][1]
            month_start, month_end = months()[-1]
            flags = GapFlag.objects.filter(organisation=organisation)
            pks = []

            def forget_all():
                # Nothing stored: every cell computed and written. Deleting the previous
                # round's flags is preparation, not part of the run (it alone took longer
                # than the run on the loaded machine).
                flags.delete()

            def cold():
                analyse(organisation, first, last)

            def forget_tenth():
                # A tenth of the cells, drawn afresh each time, look changed to the engine.
                pks[:] = rng.sample(list(flags.values_list("pk", flat=True)), flags.count() // 10)
                flags.filter(pk__in=pks).update(inputs="")

            def raw():
                raw_aggregate(organisation, first, last)

            # Each kind of run against the raw GROUP BY of the same round.
            ratios = {"cold": [], "tenth": [], "unchanged": [], "month": []}
            seconds = {key: [] for key in ratios}
            for _ in range(repeats):
                for key, prepare, run_it, baseline in (
                    ("cold", forget_all, cold, raw),
                    ("tenth", forget_tenth, lambda: analyse(organisation, first, last), raw),
                    ("unchanged", None, lambda: analyse(organisation, first, last), raw),
                    (
                        "month",
                        None,
                        lambda: analyse(organisation, month_start, month_end),
                        lambda: raw_aggregate(organisation, month_start, month_end),
                    ),
                ):
                    if prepare is not None:
                        prepare()
                    base = timed(baseline, 1)
                    took = timed(run_it, 1)
                    ratios[key].append(took / base)
                    seconds[key].append(took)
            run = analyse(organisation, first, last)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    cells = sum(run.counts.values())
    print(f"Gap analysis benchmark (PostgreSQL), {repeats} rounds, median (range)")
    print(
        f"  generated {CONTRACTS} contracts × {MONTHS} months × {LEVELS} levels, "
        f"{written:,} answers in {generated:.0f} s; {cells:,} cells"
    )
    for key, label, target in (
        ("cold", "cold full run (every cell computed and written)", "≤ 3×"),
        ("tenth", "full rerun, 10 % of cells changed", ""),
        ("unchanged", "full rerun, nothing changed", "≤ 1.5×"),
        ("month", "one-period run (against that month's GROUP BY)", "≤ 2×"),
    ):
        values = ratios[key]
        print(
            f"  {label:50} {statistics.median(seconds[key]) * 1000:8.1f} ms"
            f"   {statistics.median(values):5.2f}× raw ({min(values):.2f}–{max(values):.2f}×)"
            + (f"  target {target}" if target else "")
        )


if __name__ == "__main__":
    main()
