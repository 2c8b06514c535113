"""Contracts fixtures: Alpha's contract A-1 (supplier Northwind, user bob) with service levels
mapped to perception dimensions, and helpers to build report files."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django_scopes import scopes_disabled
from openpyxl import Workbook

from contracts.models import Contract, ServiceLevel, add_months
from contracts.services import service_create, service_level_create
from governance.platform.access import access_for

AMS = ZoneInfo("Europe/Amsterdam")


@dataclass
class Sla:
    contract: Contract
    answered: ServiceLevel  # ANS30: percentage, higher, 80 (near miss down to 75)
    resolved: ServiceLevel  # RES: percentage, higher, 95, no breach threshold
    restore: ServiceLevel  # RESTORE: duration in hours, lower, 4 (near miss up to 8)


def last_month() -> date:
    return add_months(date.today().replace(day=1), -1)


def in_window(period_start: date) -> datetime:
    """A moment inside the report window of the month starting `period_start` (day 5)."""
    return datetime.combine(add_months(period_start, 1).replace(day=5), time(12), tzinfo=AMS)


GOOD_ROWS = [
    ["ANS30", "82.5", "", "", ""],
    ["RES", "96", "", "", ""],
    ["RESTORE", "3.5", "", "", ""],
]
MIXED_ROWS = [
    ["ANS30", "77", "Piek na storing", "Langer wachten", "Extra bezetting"],
    ["RES", "90", "Leverancier ketenpartner", "Twee dagen vertraging", "Afspraken herzien"],
    ["RESTORE", "2", "", "", ""],
]


def csv_file(rows, *, header=("code", "value", "cause", "impact", "corrective_action")) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def dutch_csv_file(rows) -> bytes:
    """As Dutch Excel saves "CSV UTF-8": BOM, semicolons, decimal commas, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["code", "value", "cause", "impact", "corrective_action"])
    for code, value, *rest in rows:
        writer.writerow([code, value.replace(".", ","), *rest])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_file(rows, *, numbers=True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "value", "cause", "impact", "corrective_action"])
    for code, value, *rest in rows:
        cell = float(value) if numbers else value
        sheet.append([code, cell, *rest])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in English; the Dutch test asks for Dutch explicitly."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sla(world) -> Sla:
    with scopes_disabled():
        contract = world.alpha_contract
        contract.start_date = date(2024, 1, 1)
        contract.status = Contract.Status.ACTIVE
        contract.save()
        desk = service_create(contract=contract, name="Servicedesk")
        common = {"contract": contract, "service": desk, "valid_from": date(2024, 1, 1)}
        answered = service_level_create(
            code="ANS30",
            name="Answered within 30 s",
            metric_kind="percentage",
            unit="%",
            direction="higher",
            target=Decimal("80"),
            breach_threshold=Decimal("75"),
            dimensions={"responsiveness": Decimal("0.6"), "empathy": Decimal("0.4")},
            **common,
        )
        resolved = service_level_create(
            code="RES",
            name="Incidents resolved in time",
            metric_kind="percentage",
            unit="%",
            direction="higher",
            target=Decimal("95"),
            dimensions={"reliability": Decimal("1")},
            **common,
        )
        restore = service_level_create(
            code="RESTORE",
            name="Restore time",
            metric_kind="duration",
            unit="h",
            direction="lower",
            target=Decimal("4"),
            breach_threshold=Decimal("8"),
            dimensions={"reliability": Decimal("0.5"), "responsiveness": Decimal("0.5")},
            **common,
        )
    return Sla(contract=contract, answered=answered, resolved=resolved, restore=restore)


@pytest.fixture
def bob_access(world):
    return access_for(world.bob, world.alpha)


@pytest.fixture
def alice_access(world):
    return access_for(world.alice, world.alpha)
