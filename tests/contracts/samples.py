"""Sample contract objects of tenant Alpha for the route walk (tests/test_route_isolation.py)."""

from datetime import date
from decimal import Decimal

from django_scopes import scopes_disabled

from contracts.models import (
    Expectation,
    InformationNeed,
    Measurement,
    Service,
    ServiceLevel,
    SLAReport,
)


def contract_samples(world) -> dict:
    """One submitted SLA report of Alpha's contract A-1 (supplier Northwind) with a
    measurement, its service and service level, an expectation and an information need the
    supplier delivers; idempotent."""
    contract = world.alpha_contract
    with scopes_disabled():
        service, _ = Service.objects.get_or_create(
            contract=contract, name="Sample desk", defaults={"organisation": world.alpha}
        )
        level, _ = ServiceLevel.objects.get_or_create(
            contract=contract,
            code="SAMPLE",
            valid_from=date(2024, 1, 1),
            defaults={
                "organisation": world.alpha,
                "service": service,
                "name": "Sample level",
                "metric_kind": "percentage",
                "direction": "higher",
                "target": Decimal("90"),
            },
        )
        report, _ = SLAReport.objects.get_or_create(
            contract=contract,
            period_start=date(2025, 1, 1),
            version=1,
            defaults={
                "organisation": world.alpha,
                "period_end": date(2025, 1, 31),
                "status": SLAReport.Status.SUBMITTED,
                "source_name": "sample.csv",
                "source_file": b"code,value\nSAMPLE,95\n",
                "checksum": "0" * 64,
            },
        )
        measurement, _ = Measurement.objects.get_or_create(
            report=report,
            service_level=level,
            defaults={"organisation": world.alpha, "value": Decimal("95"), "state": "met"},
        )
        expectation, _ = Expectation.objects.get_or_create(
            contract=contract,
            statement="Sample expectation",
            defaults={"organisation": world.alpha, "measured_by": "Sample", "owner": "Sample"},
        )
        need, _ = InformationNeed.objects.get_or_create(
            contract=contract,
            what="Sample need",
            defaults={
                "organisation": world.alpha,
                "format": "PDF",
                "delivered_by": InformationNeed.Party.SUPPLIER,
                "recipient": "Sample",
            },
        )
    return {
        "expectation": expectation,
        "information_need": need,
        "service": service,
        "service_level": level,
        "sla_report": report,
        "measurement": measurement,
    }
