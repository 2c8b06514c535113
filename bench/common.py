"""What several benchmarks build or measure alike. Import it after `django.setup()`."""

import statistics
import time
from datetime import date, timedelta

from django.db import connection

from audits import services as audit_services
from audits.models import Audit, Finding, Result
from governance.platform.access import system_access

GRADES = [Result.MAJOR, Result.MINOR, Result.MINOR, Result.OBSERVATION, Result.IMPROVEMENT]


def timed(function, repeats: int) -> float:
    """The median wall-clock time of `repeats` calls of `function`."""
    durations = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def queries(function) -> int:
    """How many queries `function` runs (counted as they execute, so no log limit applies)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        function()
    return count


def reported_audits(organisation, contracts, count: int) -> list[Audit]:
    """`count` shared-report audits over `contracts` in turn, planned over the last 300 days;
    all of the organisation's audits are then marked reported."""
    access = system_access(organisation)
    audits = [
        audit_services.audit_create(
            access=access,
            contract=contracts[n % len(contracts)],
            title=f"Audit {n}",
            audit_type=Audit.Type.SHARED_REPORT,
            planned_date=date.today() - timedelta(days=n % 300),
        )
        for n in range(count)
    ]
    Audit.objects.filter(organisation=organisation).update(status=Audit.Status.REPORTED)
    return audits


def open_finding(organisation, audit, n: int, rng) -> Finding:
    """Finding number `n` of `audit`, unsaved (its grade cycles, its priority is drawn)."""
    return Finding(
        organisation=organisation,
        audit=audit,
        title=f"Finding {n}",
        description="Found in the supplier's internal audit",
        grade=GRADES[n % len(GRADES)],
        clause="8.5",
        client_priority=rng.choice([None, None, 1, 2, 3, 4, 5]),
    )


def findings_store(rows: list[Finding], affected: list[list]) -> None:
    """Bulk-inserts the findings and, for each, the services in the same place of `affected`."""
    created = Finding.objects.bulk_create(rows)
    through = Finding.services.through
    through.objects.bulk_create(
        through(finding_id=finding.pk, service_id=service.pk)
        for finding, services_ in zip(created, affected, strict=True)
        for service in services_
    )
