"""The shared spreadsheet reader: CSV (also as Dutch Excel saves it) and XLSX into text cells,
with the size, row and zip-bomb limits of the app that reads."""

import io
import zipfile

import openpyxl
import pytest
from django.utils import translation

from governance.platform import spreadsheets

LIMITS = spreadsheets.Limits(max_bytes=2**20, max_rows=3, xlsx_max_uncompressed=4 * 2**20)
SPEC = spreadsheets.Spec(
    aliases={"code": "code", "value": "value", "waarde": "value", "note": "note"},
    required=("code", "value"),
    limits=LIMITS,
    too_many_parts="The .xlsx file has too many parts to be a simple report.",
)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the Dutch test asks for Dutch explicitly."""
    with translation.override("en"):
        yield


def read(content: bytes, name: str = "r.csv", spec: spreadsheets.Spec = SPEC):
    return spreadsheets.read_table(name=name, content=content, spec=spec)


def refusal(content: bytes, name: str = "r.csv", spec: spreadsheets.Spec = SPEC) -> list:
    with pytest.raises(spreadsheets.Rejected) as rejected:
        read(content, name, spec)
    return [(p.row, p.column, p.value, p.message) for p in rejected.value.problems]


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_with_commas_gives_text_cells_and_a_decimal_point():
    table = read(b"code,value,note\nA1,99.5,fine\nB2,98,\n")
    assert (table.delimiter, table.decimal_comma) == (",", False)
    assert list(table.records()) == [
        (2, {"code": "A1", "value": "99.5", "note": "fine"}),
        (3, {"code": "B2", "value": "98", "note": ""}),
    ]


def test_dutch_excel_csv_with_bom_and_semicolons_uses_a_decimal_comma():
    content = "\ufeffCode;Waarde\r\nA1;99,5\r\nB2;1.234,5\r\n".encode()
    table = read(content)
    assert (table.delimiter, table.decimal_comma) == (";", True)
    assert table.positions == {"code": 0, "value": 1}
    assert list(table.records()) == [
        (2, {"code": "A1", "value": "99,5"}),
        (3, {"code": "B2", "value": "1.234,5"}),
    ]


def test_headings_are_normalised_and_the_first_of_two_wins():
    table = read(b" VALUE ,Code,waarde\n1,A1,2\n")
    assert table.positions == {"value": 0, "code": 1}
    assert list(table.records()) == [(2, {"value": "1", "code": "A1"})]


def test_blank_rows_are_skipped_keeping_row_numbers_and_short_rows_are_padded():
    table = read(b"code,value,note\n\n , ,\nA1\n\n\n")
    assert list(table.records()) == [(4, {"code": "A1", "value": "", "note": ""})]
    assert len(table.rows) == 4  # trailing blank rows dropped


def test_xlsx_round_trip_through_openpyxl():
    content = xlsx([["code", "value", "note"], ["A1", 99.5, None], ["B2", 98.0, " late "], [8, 7]])
    table = read(content, "report.XLSX")
    assert (table.delimiter, table.decimal_comma) == (None, False)
    assert list(table.records()) == [
        (2, {"code": "A1", "value": "99.5", "note": ""}),
        (3, {"code": "B2", "value": "98", "note": "late"}),
        (4, {"code": "8", "value": "7", "note": ""}),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [(99.5, "99.5"), (98.0, "98"), (8.5, "8.5"), (0.1, "0.1"), (1e-7, "0.0000001"), (42, "42")],
)
def test_cell_text_is_what_excel_shows(value, text):
    assert spreadsheets.cell_text(value) == text


def test_missing_required_columns_are_all_named():
    assert refusal(b"note\nx\n") == [
        (1, "code", "", "Required column is missing."),
        (1, "value", "", "Required column is missing."),
    ]


def test_too_many_rows_are_refused_and_the_limit_itself_is_accepted():
    assert len(list(read(b"code,value\n" + b"A,1\n" * 3).records())) == 3
    assert refusal(b"code,value\n" + b"A,1\n" * 4) == [
        (None, "", "", "The file has more than 3 rows.")
    ]
    rows = [["code", "value"]] + [["A", 1]] * 50
    assert refusal(xlsx(rows), "r.xlsx") == [(None, "", "", "The file has more than 3 rows.")]


def test_zip_with_too_many_parts_gets_the_apps_message():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(LIMITS.xlsx_max_entries + 1):
            archive.writestr(f"part{n}.xml", b"<x/>")
    assert refusal(out.getvalue(), "r.xlsx") == [
        (None, "", "", "The .xlsx file has too many parts to be a simple report.")
    ]


def test_zip_bomb_is_refused_for_its_compression_ratio():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 3 * 2**20)
    assert refusal(out.getvalue(), "r.xlsx") == [
        (None, "", "", "The .xlsx file is compressed suspiciously well; refused.")
    ]


def test_zip_unpacking_to_more_than_the_limit_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (LIMITS.xlsx_max_uncompressed + 1))
    assert refusal(out.getvalue(), "r.xlsx") == [
        (None, "", "", "The .xlsx file unpacks to more than we accept.")
    ]


def test_macro_workbook_is_refused_by_name_and_by_content():
    macro = "Macro-enabled and old Excel files (.xls, .xlsm) are refused; save as .xlsx."
    assert refusal(b"PK", "r.xlsm") == [(None, "", "r.xlsm", macro)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/vbaProject.bin", b"macro")
    assert refusal(out.getvalue(), "r.xlsx") == [(None, "", "", macro)]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("r.pdf", b"x", (None, "", "r.pdf", "Wrong file type: upload a .csv or .xlsx file.")),
        ("r.csv", b"x" * (2**20 + 1), (None, "", "", "The file is larger than 1 MB.")),
        ("r.csv", b" \n", (None, "", "r.csv", "The file is empty.")),
        ("r.csv", b",\n,,\n", (None, "", "", "The file is empty.")),
        ("r.xlsx", b"code,value\n", (None, "", "", "This is not a valid .xlsx file.")),
        ("r.xlsx", b"PK\x03\x04 broken", (None, "", "", "This is not a valid .xlsx file.")),
    ],
)
def test_unreadable_files_are_refused(name, content, problem):
    assert refusal(content, name) == [problem]


def test_wrong_encoding_names_the_line():
    message = "Wrong encoding: save the file as UTF-8 (CSV UTF-8 in Excel)."
    assert refusal(b"code,value\nA,1\nB,caf\xe9\n") == [(3, "", "", message)]


def test_file_problems_go_to_the_apps_file_column():
    spec = spreadsheets.Spec(
        aliases=SPEC.aliases,
        required=SPEC.required,
        limits=LIMITS,
        too_many_parts=SPEC.too_many_parts,
        file_column="findings_file",
    )
    assert refusal(b"", "r.txt", spec)[0][:2] == (None, "findings_file")
    assert refusal(b"\xff\n", "r.csv", spec)[0][:2] == (1, "findings_file")
    assert refusal(b"code\nA\n", "r.csv", spec)[0][:2] == (1, "value")  # a column's own


def test_messages_come_from_the_dutch_catalogue():
    with translation.override("nl"):
        assert refusal(b"x" * (2**20 + 1)) == [(None, "", "", "Het bestand is groter dan 1 MB.")]


def test_problem_as_dict():
    problem = spreadsheets.Problem(2, "value", "n/a", "The value is not a number.")
    assert problem.as_dict() == {
        "row": 2,
        "column": "value",
        "value": "n/a",
        "message": "The value is not a number.",
    }


def test_an_unreadable_csv_is_rejected_with_its_line():
    # A field beyond the csv module's limit (128 KiB) used to escape as an uncaught error.
    content = b"code,value\nA," + b'"' + b"x" * (200 * 1024) + b'"\n'
    [(row, _column, _value, message)] = refusal(content)
    assert row == 2 and "cannot be read (near line 2)" in message
