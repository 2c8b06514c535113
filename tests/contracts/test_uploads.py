"""Every upload problem through the API (400, every row listed) and the web form (shown),
with row counts proving nothing was stored."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from contracts import uploads
from contracts.models import Measurement, ServiceLevel, SLAReport, add_months
from contracts.services import sla_report_upload
from governance.platform.access import tenant_scope
from tests.contracts.conftest import GOOD_ROWS, csv_file, in_window, last_month, xlsx_file

MISSING_ANALYSIS = (
    "The target was not met: a deviation analysis (cause, end-user impact, corrective action) "
    "is required."
)


def period_text(day: date) -> str:
    return f"{day:%Y-%m}"


def counts():
    with scopes_disabled():
        return SLAReport.objects.count(), Measurement.objects.count()


def xlsm_file() -> bytes:
    """An .xlsx renamed or saved with macros: the content type says macroEnabled."""
    buffer = io.BytesIO(xlsx_file(GOOD_ROWS))
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            target.writestr(item, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return out.getvalue()


# case id → (file name, content, period offset in months from last month, expected problems)
CASES = {
    "unknown-code": (
        "r.csv",
        csv_file([*GOOD_ROWS, ["XYZ", "5"]]),
        0,
        [(5, "code", "XYZ", "Unknown code: no such service level in this contract.")],
    ),
    "missing-code": (
        "r.csv",
        csv_file([*GOOD_ROWS, ["", "5"]]),
        0,
        [(5, "code", "", "The code is missing.")],
    ),
    "duplicate-code": (
        "r.csv",
        csv_file([*GOOD_ROWS, ["RES", "97"]]),
        0,
        [(5, "code", "RES", "Duplicate code: already reported in row 3.")],
    ),
    "non-numeric": (
        "r.csv",
        csv_file([["ANS30", "veel"], GOOD_ROWS[1], ["RESTORE", "3 uur"]]),
        0,
        [
            (2, "value", "veel", "The value is not a number."),
            (4, "value", "3 uur", "The value is not a number."),
        ],
    ),
    "out-of-range": (
        "r.csv",
        csv_file([["ANS30", "101"], GOOD_ROWS[1], ["RESTORE", "-1"]]),
        0,
        [
            (2, "value", "101", "A percentage must lie between 0 and 100."),
            (4, "value", "-1", "A duration cannot be negative."),
        ],
    ),
    "missing-deviation-analysis": (
        "r.csv",
        csv_file([GOOD_ROWS[0], ["RES", "90", "Oorzaak", "", ""], GOOD_ROWS[2]]),
        0,
        [(3, "impact", "", MISSING_ANALYSIS), (3, "corrective_action", "", MISSING_ANALYSIS)],
    ),
    "missing-level": (
        "r.csv",
        csv_file(GOOD_ROWS[:2]),
        0,
        [(None, "code", "RESTORE", "No value reported for this service level.")],
    ),
    "period-outside-contract": (
        "r.csv",
        csv_file(GOOD_ROWS),
        None,
        [(None, "period", "2023-12", "The period lies outside the contract.")],
    ),
    "window-not-open": ("r.csv", csv_file(GOOD_ROWS), 1, "opens on"),
    "window-closed": ("r.csv", csv_file(GOOD_ROWS), -3, "has closed"),
    "wrong-file-type": (
        "r.pdf",
        b"%PDF-1.4",
        0,
        [(None, "", "r.pdf", "Wrong file type: upload a .csv or .xlsx file.")],
    ),
    "empty-file": ("r.csv", b"", 0, [(None, "", "r.csv", "The file is empty.")]),
    "header-only": (
        "r.csv",
        b"code,value\n",
        0,
        [(None, "", "", "The file has a header but no rows.")],
    ),
    "missing-column": (
        "r.csv",
        b"code,waarde_x\nANS30,81\n",
        0,
        [(1, "value", "", "Required column is missing.")],
    ),
    "wrong-encoding": (
        "r.csv",
        "code,value,cause\nANS30,81,\nRES,96,storing\nRESTORE,3,café\n".encode("latin-1"),
        0,
        [(4, "", "", "Wrong encoding: save the file as UTF-8 (CSV UTF-8 in Excel).")],
    ),
    "xlsm": (
        "r.xlsm",
        xlsm_file(),
        0,
        [
            (
                None,
                "",
                "r.xlsm",
                "Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx.",
            )
        ],
    ),
    "xlsm-disguised": (
        "r.xlsx",
        xlsm_file(),
        0,
        [
            (
                None,
                "",
                "",
                "Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx.",
            )
        ],
    ),
    "xls": (
        "r.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
        0,
        [
            (
                None,
                "",
                "r.xls",
                "Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx.",
            )
        ],
    ),
    "zip-bomb": (
        "r.xlsx",
        zip_bomb(),
        0,
        [(None, "", "", "The .xlsx file is compressed suspiciously well; refused.")],
    ),
    "not-a-zip": (
        "r.xlsx",
        b"code,value\n",
        0,
        [(None, "", "", "This is not a valid .xlsx file.")],
    ),
}


def case_period(offset):
    if offset is None:
        return date(2023, 12, 1)
    return add_months(last_month(), offset)


def check(problems, expected):
    if isinstance(expected, str):
        assert len(problems) == 1 and expected in problems[0]["message"], problems
        return
    assert [(p["row"], p["column"], p["value"], p["message"]) for p in problems] == expected


@pytest.mark.parametrize("case", list(CASES))
def test_api_answers_400_with_every_problem_and_stores_nothing(case, sla, world):
    name, content, offset, expected = CASES[case]
    client = APIClient()
    client.force_login(world.bob)
    response = client.post(
        reverse("api:slareport-list", kwargs={"org_slug": "alpha"}),
        {
            "contract": sla.contract.pk,
            "period": period_text(case_period(offset)),
            "file": SimpleUploadedFile(name, content),
        },
        format="multipart",
    )
    assert response.status_code == 400, response.json()
    check(response.json()["problems"], expected)
    assert (response.json()["report"], counts()) == (None, (0, 0))


@pytest.mark.parametrize("case", list(CASES))
def test_web_form_shows_every_problem_and_stores_nothing(case, sla, world, client_as):
    name, content, offset, expected = CASES[case]
    client = client_as(world.bob)
    response = client.post(
        reverse("contracts:report_upload", kwargs={"org_slug": "alpha", "pk": sla.contract.pk}),
        {"period": period_text(case_period(offset)), "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    problems = [p.as_dict() for p in response.context["result"].problems]
    check(problems, expected)
    body = response.content.decode()
    for problem in problems:
        assert problem["message"].replace("'", "&#x27;") in body
    assert counts() == (0, 0)


def test_web_form_shows_problems_in_dutch(sla, world, client_as):
    client = client_as(world.bob)
    client.cookies["django_language"] = "nl"
    response = client.post(
        reverse("contracts:report_upload", kwargs={"org_slug": "alpha", "pk": sla.contract.pk}),
        {
            "period": period_text(last_month()),
            "file": SimpleUploadedFile("r.csv", csv_file([*GOOD_ROWS, ["XYZ", "5"]])),
        },
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    messages = [p.message for p in response.context["result"].problems]
    assert messages == ["Onbekende code: deze servicelevel bestaat niet in dit contract."]


def test_ten_thousand_rows_with_three_bad_rows_reports_all_three(sla, bob_access):
    with scopes_disabled():
        ServiceLevel.objects.bulk_create(
            ServiceLevel(
                organisation=sla.contract.organisation,
                contract=sla.contract,
                code=f"L{n:05d}",
                name=f"Level {n}",
                metric_kind="percentage",
                direction="higher",
                target=Decimal("90"),
                valid_from=date(2024, 1, 1),
            )
            for n in range(10_000 - 3)
        )
    rows = [*GOOD_ROWS, *([f"L{n:05d}", "95"] for n in range(10_000 - 3))]
    rows[0] = ["ANS30", "n/a"]  # file row 2
    rows[4998] = [rows[4998][0], "150"]  # file row 5,000
    rows[9997] = [rows[9997][0], ""]  # file row 9,999
    content = csv_file(rows, header=("code", "value"))
    period = last_month()
    with tenant_scope(bob_access):
        result = sla_report_upload(
            access=bob_access,
            contract=sla.contract,
            period_start=period,
            content=content,
            name="big.csv",
            dry_run=False,
            now=in_window(period),
        )
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (2, "value", "n/a"),
        (5000, "value", "150"),
        (9999, "value", ""),
    ]
    assert counts() == (0, 0)


def test_defusedxml_is_active_for_xlsx():
    assert openpyxl.DEFUSEDXML is True
    from openpyxl.xml import functions

    assert functions.fromstring.__module__.startswith("defusedxml")


def test_xlsx_billion_laughs_is_refused(sla, bob_access):
    base = io.BytesIO(xlsx_file(GOOD_ROWS))
    out = io.BytesIO()
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = bomb + re.sub(rb"^<\?xml[^>]*\?>", b"", data.lstrip())
            target.writestr(item, data)
    with pytest.raises(uploads.UploadRejected) as rejected:
        uploads.read_file(name="r.xlsx", content=out.getvalue())
    assert [p.message for p in rejected.value.problems] == ["This is not a valid .xlsx file."]


def test_too_large_file_is_refused():
    with pytest.raises(uploads.UploadRejected) as rejected:
        uploads.read_file(name="r.csv", content=b"x" * (uploads.MAX_UPLOAD_BYTES + 1))
    assert [p.message for p in rejected.value.problems] == ["The file is larger than 10 MB."]


def test_zip_with_too_many_entries_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(uploads.XLSX_MAX_ENTRIES + 1):
            archive.writestr(f"part{n}.xml", b"<x/>")
    with pytest.raises(uploads.UploadRejected) as rejected:
        uploads.read_file(name="r.xlsx", content=out.getvalue())
    assert [p.message for p in rejected.value.problems] == [
        "The .xlsx file has too many parts to be a simple report."
    ]


@pytest.mark.parametrize(
    ("text", "comma", "expected"),
    [
        ("99,5", True, Decimal("99.5")),
        ("1.234,5", True, Decimal("1234.5")),
        ("99.5", True, Decimal("99.5")),
        ("99.5", False, Decimal("99.5")),
        ("97,2%", True, Decimal("97.2")),
        ("\u00a0 12", False, Decimal("12")),
        ("NaN", False, None),
        ("abc", False, None),
    ],
)
def test_parse_number(text, comma, expected):
    assert uploads.parse_number(text, decimal_comma=comma) == expected
