"""The register import in the browser: a template workbook, a dry run, then the import."""

import io

import openpyxl
from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from contracts.imports import COLUMNS, KINDS, SHEET_LABELS, register_import
from contracts.permissions import may_manage_contract


class RegisterImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook or file"))
    kind = forms.ChoiceField(
        label=_("Rows in a single .csv file"),
        required=False,
        choices=[("", _("A workbook with a sheet per kind")), *SHEET_LABELS.items()],
    )
    store = forms.BooleanField(
        label=_("Store the rows when there is no problem (otherwise: check only)"),
        required=False,
    )


def register_import_view(request, org_slug):
    access = request.access
    access.require(may_manage_contract(access))
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = register_import(
            access=access,
            name=upload.name,
            content=upload.read(),
            kind=form.cleaned_data["kind"] or None,
            dry_run=not form.cleaned_data["store"],
        )
    return render(
        request,
        "contracts/register_import.html",
        {
            "organisation": access.organisation,
            "form": form,
            "result": result,
            "counts": [
                (
                    SHEET_LABELS[kind],
                    *(
                        result.counts[f"{kind}.{what}"]
                        for what in ("created", "updated", "unchanged")
                    ),
                )
                for kind in KINDS
            ]
            if result
            else [],
        },
    )


def register_import_template(request, org_slug):
    """An empty workbook with a sheet per kind and its column headings."""
    access = request.access
    access.require(may_manage_contract(access))
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for kind in KINDS:
        workbook.create_sheet(kind).append(list(COLUMNS[kind]))
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="regie-register.xlsx"'
    return response
