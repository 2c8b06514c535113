from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from contracts.uploads import MAX_UPLOAD_BYTES


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Contract.Status.choices],
    )
    supplier = forms.TypedChoiceField(
        label=_("Supplier"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = [("", _("All suppliers"))] + [
            (s.pk, s.name) for s in suppliers
        ]


class ReportUploadForm(forms.Form):
    period = forms.CharField(
        label=_("Month"),
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("The month the report covers (YYYY-MM)."),
    )
    # Empty files reach the upload validation, which reports them with the other problems.
    file = forms.FileField(label=_("File (.csv or .xlsx)"), allow_empty_file=True)

    def clean_period(self) -> date:
        value = self.cleaned_data["period"].strip()
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Give the month as YYYY-MM.")) from None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // 2**20}
            )
        return upload


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the report stands"), widget=forms.Textarea(attrs={"rows": 4})
    )
