"""Benchmark of the SLA report upload: reading, validating and storing a 10,000-row report,
against a plain bulk insert of the same 10,000 measurements measured in the same run.

Target (issue 3): validate + store at most 3× the bulk insert. Runs in a throw-away test
database (SQLite in memory, or `test_<name>` next to DATABASE_URL's PostgreSQL database).
Run: `.venv/bin/python bench/sla_upload.py [rows] [repeats]`.
"""

import csv
import io
import os
import statistics
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("REGIE_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from contracts.models import (  # noqa: E402
    Contract,
    Measurement,
    ServiceLevel,
    SLAReport,
    add_months,
    month_period,
)
from contracts.services import sla_report_upload  # noqa: E402
from governance.platform.access import system_access  # noqa: E402
from governance.platform.models import Organisation, Supplier  # noqa: E402


def setup(rows: int):
    organisation = Organisation.objects.create(name="Bench", slug="bench")
    supplier = Supplier.objects.create(name="Bench supplier")
    contract = Contract.objects.create(
        organisation=organisation,
        supplier=supplier,
        reference="BENCH",
        title="Bench",
        start_date=date(2020, 1, 1),
    )
    ServiceLevel.objects.bulk_create(
        ServiceLevel(
            organisation=organisation,
            contract=contract,
            code=f"L{n:05d}",
            name=f"Level {n}",
            metric_kind="percentage",
            direction="higher",
            target=Decimal("90"),
            breach_threshold=Decimal("85"),
            valid_from=date(2020, 1, 1),
        )
        for n in range(rows)
    )
    levels = list(ServiceLevel.objects.filter(contract=contract).order_by("code"))
    # The supplier's upload runs with its supplier's access.
    access = system_access(organisation)
    access = type(access)(organisation=organisation, user_id=None, supplier=supplier)
    return contract, levels, access


def values(rows: int) -> list[Decimal]:
    # Mostly met, some near misses (which then carry a deviation analysis).
    return [Decimal("95.5") if n % 10 else Decimal("87.25") for n in range(rows)]


def csv_content(levels, numbers) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "value", "cause", "impact", "corrective_action"])
    for level, value in zip(levels, numbers, strict=True):
        explanation = ["Piek", "Wachttijd", "Bezetting"] if value < 90 else ["", "", ""]
        writer.writerow([level.code, str(value), *explanation])
    return buffer.getvalue().encode()


def xlsx_content(levels, numbers) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["code", "value", "cause", "impact", "corrective_action"])
    for level, value in zip(levels, numbers, strict=True):
        explanation = ["Piek", "Wachttijd", "Bezetting"] if value < 90 else ["", "", ""]
        sheet.append([level.code, float(value), *explanation])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bulk_insert(contract, levels, numbers, period_start) -> float:
    """The baseline: one report row and the same measurements, bulk-inserted as they are."""
    start = time.perf_counter()
    with transaction.atomic():
        report = SLAReport.objects.create(
            organisation=contract.organisation,
            contract=contract,
            period_start=period_start,
            period_end=month_period(period_start)[1],
            source_file=b"",
            checksum="baseline",
        )
        Measurement.objects.bulk_create(
            [
                Measurement(
                    organisation_id=contract.organisation_id,
                    report=report,
                    service_level=level,
                    value=value,
                    state="met" if value >= 90 else "near_miss",
                )
                for level, value in zip(levels, numbers, strict=True)
            ],
            batch_size=2000,
        )
    return time.perf_counter() - start


def upload(access, contract, content, name, period_start) -> float:
    now = datetime.combine(add_months(period_start, 1).replace(day=3), datetime.min.time())
    now = now.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    start = time.perf_counter()
    result = sla_report_upload(
        access=access,
        contract=contract,
        period_start=period_start,
        content=content,
        name=name,
        dry_run=False,
        now=now,
    )
    elapsed = time.perf_counter() - start
    assert result.created and not result.problems, result.problems[:3]
    return elapsed


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with scopes_disabled():
            contract, levels, access = setup(rows)
            numbers = values(rows)
            as_csv = csv_content(levels, numbers)
            as_xlsx = xlsx_content(levels, numbers)
            month = date(2021, 1, 1)
            base, with_csv, with_xlsx = [], [], []
            for _ in range(repeats):
                base.append(bulk_insert(contract, levels, numbers, month))
                with_csv.append(upload(access, contract, as_csv, "r.csv", add_months(month, 1)))
                with_xlsx.append(upload(access, contract, as_xlsx, "r.xlsx", add_months(month, 2)))
                month = add_months(month, 3)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    # Each round's ratio against the bulk insert of the same round: the median and the range
    # of the rounds, so one quiet or busy moment of the machine cannot make the figure.
    b = statistics.median(base)
    csv_ratios = [c / b_ for c, b_ in zip(with_csv, base, strict=True)]
    xlsx_ratios = [x / b_ for x, b_ in zip(with_xlsx, base, strict=True)]
    c, x = statistics.median(csv_ratios), statistics.median(xlsx_ratios)
    print(f"SLA upload benchmark: {rows:,} rows, {repeats} rounds, {connection.vendor}")
    print(
        f"  baseline bulk insert        {b * 1000:8.1f} ms"
        f"   (range {min(base) * 1000:.1f}–{max(base) * 1000:.1f} ms)"
    )
    print(
        f"  CSV  read+validate+store    {statistics.median(with_csv) * 1000:8.1f} ms"
        f"   {c:5.2f}× baseline (range {min(csv_ratios):.2f}–{max(csv_ratios):.2f}×)"
    )
    print(
        f"  XLSX read+validate+store    {statistics.median(with_xlsx) * 1000:8.1f} ms"
        f"   {x:5.2f}× baseline (range {min(xlsx_ratios):.2f}–{max(xlsx_ratios):.2f}×)"
    )
    print(f"  target: CSV ≤ 3× baseline → {'met' if c <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
