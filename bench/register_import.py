"""Benchmark of the contract register import: a 10,000-row workbook (100 contracts, 2,000
services with weekly windows, 7,900 service levels) read, validated and stored through the
services, against a plain bulk insert of the same rows, measured in the same run.

Three figures, each the median of `repeats` runs with its range:
- baseline: `bulk_create` of the same contracts, services, windows and levels (no reading, no
  validation);
- cold import: every row new, through the same services as the browser forms;
- unchanged rerun: the same file again (every row matched and found equal, nothing written).
Between repeats the imported rows are deleted, so each cold import starts from the same state.
Runs in a throw-away test database (SQLite in memory, or `test_<name>` next to DATABASE_URL's
PostgreSQL database). Run: `.venv/bin/python bench/register_import.py [repeats]`.
"""

import io
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("REGIE_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from contracts.imports import register_import  # noqa: E402
from contracts.models import Contract, Service, ServiceHours, ServiceLevel  # noqa: E402
from governance.platform.access import Access  # noqa: E402
from governance.platform.models import Organisation, Role, Supplier  # noqa: E402

CONTRACTS, SERVICES_PER, LEVELS = 100, 20, 7_900


def rows():
    contracts = [["reference", "title", "supplier", "start_date", "notice_period_months"]]
    contracts += [
        [f"B-{c:03d}", f"Contract {c}", "Bench supplier", "2026-01-01", "6"]
        for c in range(CONTRACTS)
    ]
    services = [["contract", "name", "criticality", "hours"]]
    services += [
        [f"B-{c:03d}", f"Service {s}", "medium", "mon-fri 08:00-18:00"]
        for c in range(CONTRACTS)
        for s in range(SERVICES_PER)
    ]
    levels = [["contract", "code", "name", "metric_kind", "direction", "target", "dimensions"]]
    levels += [
        [
            f"B-{n % CONTRACTS:03d}",
            f"L{n:05d}",
            f"Level {n}",
            "percentage",
            "higher",
            "95",
            "reliability:1",
        ]
        for n in range(LEVELS)
    ]
    return {"contracts": contracts, "services": services, "service_levels": levels}


def workbook(sheets) -> bytes:
    book = Workbook(write_only=True)
    for title, table in sheets.items():
        sheet = book.create_sheet(title)
        for row in table:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def clear(organisation):
    ServiceLevel.objects.filter(organisation=organisation).delete()
    ServiceHours.objects.filter(organisation=organisation).delete()
    Service.objects.filter(organisation=organisation).delete()
    Contract.objects.filter(organisation=organisation).delete()


def bulk_insert(organisation, supplier) -> float:
    start = time.perf_counter()
    with transaction.atomic():
        contracts = Contract.objects.bulk_create(
            Contract(
                organisation=organisation,
                supplier=supplier,
                reference=f"B-{c:03d}",
                title=f"Contract {c}",
                start_date=date(2026, 1, 1),
                notice_period_months=6,
            )
            for c in range(CONTRACTS)
        )
        services = Service.objects.bulk_create(
            Service(organisation=organisation, contract=contract, name=f"Service {s}")
            for contract in contracts
            for s in range(SERVICES_PER)
        )
        ServiceHours.objects.bulk_create(
            ServiceHours(
                organisation=organisation, service=service, weekday=d, opens="08:00", closes="18:00"
            )
            for service in services
            for d in range(5)
        )
        ServiceLevel.objects.bulk_create(
            ServiceLevel(
                organisation=organisation,
                contract=contracts[n % CONTRACTS],
                code=f"L{n:05d}",
                name=f"Level {n}",
                metric_kind="percentage",
                direction="higher",
                target=Decimal("95"),
                valid_from=date(2026, 1, 1),
            )
            for n in range(LEVELS)
        )
    return time.perf_counter() - start


def imported(access, content) -> tuple[float, dict]:
    start = time.perf_counter()
    result = register_import(access=access, name="register.xlsx", content=content, dry_run=False)
    elapsed = time.perf_counter() - start
    assert not result.problems, result.problems[:3]
    return elapsed, dict(result.counts)


def spread(values) -> str:
    low, high = min(values) * 1000, max(values) * 1000
    return f"{statistics.median(values) * 1000:9.0f} ms  [{low:.0f}–{high:.0f}]"


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with scopes_disabled():
            organisation = Organisation.objects.create(name="Bench", slug="bench")
            supplier = Supplier.objects.create(name="Bench supplier")
            access = Access(organisation=organisation, user_id=None, role=Role.CONTRACT_MANAGER)
            content = workbook(rows())
            base, cold, rerun = [], [], []
            for _ in range(repeats):
                clear(organisation)
                base.append(bulk_insert(organisation, supplier))
                clear(organisation)
                elapsed, counts = imported(access, content)
                assert counts["service_levels.created"] == LEVELS, counts
                cold.append(elapsed)
                elapsed, counts = imported(access, content)
                assert counts["service_levels.unchanged"] == LEVELS, counts
                rerun.append(elapsed)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    total = CONTRACTS + CONTRACTS * SERVICES_PER + LEVELS
    b = statistics.median(base)
    size = len(content) // 1024
    print(f"Register import: {total:,} rows ({size} KB .xlsx), median of {repeats} [range]")
    print(f"  database: {connection.vendor}")
    print(f"  baseline bulk insert         {spread(base)}")
    cold_ratio, rerun_ratio = statistics.median(cold) / b, statistics.median(rerun) / b
    print(f"  cold import (all new)        {spread(cold)}   {cold_ratio:5.1f}× baseline")
    print(f"  unchanged rerun              {spread(rerun)}   {rerun_ratio:5.1f}× baseline")


if __name__ == "__main__":
    main()
