"""The SLA template for Dutch Excel: XLSX first, a ";" CSV with Dutch headings and decimal
commas, and the upload reads it back as it was filled in."""

import csv
import io

import openpyxl
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts.models import Measurement
from contracts.services import sla_report_upload
from contracts.uploads import ALIASES, DUTCH_HEADINGS
from governance.platform.access import access_for, tenant_scope
from governance.platform.spreadsheets import normalise_heading
from tests.contracts.conftest import in_window, last_month


def template(client, sla, **params):
    return client.get(
        reverse("contracts:report_template", args=["alpha", sla.contract.pk]),
        {"period": f"{last_month():%Y-%m}", **params},
    )


def test_dutch_csv_template_has_semicolons_dutch_headings_and_decimal_commas(sla, world, client_as):
    response = template(client_as(world.bob), sla, format="csv", dialect="nl")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffcode;waarde;oorzaak;impact_eindgebruiker;")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [
        ["code", "waarde", "oorzaak", "impact_eindgebruiker", "corrigerende_maatregel"]
        + ["naam", "eenheid", "doel"],
        ["ANS30", "", "", "", "", "Answered within 30 s", "%", "80"],
        ["RES", "", "", "", "", "Incidents resolved in time", "%", "95"],
        ["RESTORE", "", "", "", "", "Restore time", "h", "4"],
    ]
    xlsx = template(client_as(world.bob), sla, format="xlsx", dialect="nl")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert next(sheet.iter_rows(values_only=True))[:2] == ("code", "waarde")


def test_every_dutch_heading_is_read_back_by_the_upload():
    for column, heading in DUTCH_HEADINGS.items():
        if column in ("name", "unit", "target"):
            continue  # informative columns, ignored on upload
        assert ALIASES[normalise_heading(heading)] == column


def test_filled_in_dutch_csv_template_uploads(sla, world, client_as):
    text = template(client_as(world.bob), sla, format="csv", dialect="nl").content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    filled = {"ANS30": ["77,5", "Piek na storing", "Langer wachten", "Extra bezetting"]}
    filled |= {"RES": ["96", "", "", ""], "RESTORE": ["3,5", "", "", ""]}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([row[0], *filled[row[0]], *row[5:]])
    access = access_for(world.bob, world.alpha)
    with tenant_scope(access):
        result = sla_report_upload(
            access=access,
            contract=sla.contract,
            period_start=last_month(),
            content=("\ufeff" + buffer.getvalue()).encode(),
            name="sla.csv",
            dry_run=False,
            now=in_window(last_month()),
        )
    assert result.problems == []
    with scopes_disabled():
        stored = {
            m.service_level.code: (str(m.value.normalize()), m.state, m.deviation_cause)
            for m in Measurement.objects.filter(report=result.report)
        }
    assert stored == {
        "ANS30": ("77.5", "near_miss", "Piek na storing"),
        "RES": ("96", "met", ""),
        "RESTORE": ("3.5", "met", ""),
    }


def test_contract_page_offers_xlsx_first_and_the_dutch_csv_to_dutch_users(sla, world, client_as):
    body = (
        client_as(world.alice)
        .get(
            reverse("contracts:contract_detail", args=["alpha", sla.contract.pk]),
            headers={"accept-language": "nl"},
        )
        .content.decode()
    )
    xlsx = body.index('data-testid="template-xlsx"')
    csv_nl = body.index('data-testid="template-csv"')
    assert xlsx < csv_nl
    link = body[:csv_nl].rsplit("<a href=", 1)[1]
    assert "format=csv&amp;dialect=nl" in link
