"""Browser forms of the contracts app: thin — they parse input; the services and the models
decide what is valid."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from contracts.models import (
    Contract,
    Expectation,
    InformationDelivery,
    InformationNeed,
    Service,
    ServiceHours,
    ServiceLevel,
)
from contracts.templatetags.contracts_tags import plain
from contracts.uploads import MAX_UPLOAD_BYTES
from governance.platform.concurrency import VersionedFormMixin
from governance.platform.dimensions import Dimension
from governance.platform.forms import IsoDateInput, IsoTimeInput, MonthInput

# The window editor offers at least a row per weekday, plus room for split days.
HOURS_SPARE_ROWS = 3
HOURS_MAX_ROWS = 28


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month input), cleaned to its first day."""

    widget = MonthInput

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Give the month as YYYY-MM.")) from None


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
    period = MonthField(label=_("Month"), help_text=_("The month the report covers (YYYY-MM)."))
    # Empty files reach the upload validation, which reports them with the other problems.
    file = forms.FileField(label=_("File (.csv or .xlsx)"), allow_empty_file=True)

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


# --- terms ---------------------------------------------------------------------------------

CONTRACT_FIELDS = [
    "reference",
    "title",
    "description",
    "status",
    "start_date",
    "end_date",
    "notice_period_months",
    "renewal",
    "renewal_term_months",
    "value",
    "currency",
    "report_window_opens_day",
    "report_window_closes_day",
    "late_reports_until_day",
]


class ContractForm(VersionedFormMixin, forms.ModelForm):
    """A contract's terms. The supplier is chosen once, among the suppliers the organisation
    already works with: engaging a new supplier opens the organisation to that company's users,
    which the platform operator does."""

    class Meta:
        model = Contract
        fields = ["supplier", *CONTRACT_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": IsoDateInput(),
            "end_date": IsoDateInput(),
        }
        localized_fields = ["value"]

    def __init__(self, *args, organisation, suppliers=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's own checks (unique reference) need the organisation.
        self.instance.organisation = organisation
        if self.instance.pk:
            del self.fields["supplier"]
        else:
            self.fields["supplier"].queryset = suppliers
            self.fields["supplier"].help_text = _(
                "A supplier the organisation already works with; the platform operator "
                "engages new ones."
            )


class ServiceForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "description", "criticality", "open_on_holidays"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "open_on_holidays": _("Unticked, the service is closed on Dutch public holidays.")
        }

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.contract = contract
        self.instance.organisation_id = contract.organisation_id


def _hours_label(name: str):
    return capfirst(ServiceHours._meta.get_field(name).verbose_name)


class HoursRowForm(forms.Form):
    """One row of the weekly window: a weekday with its opening and closing time. A row
    without times is left out."""

    weekday = forms.TypedChoiceField(
        label=_hours_label("weekday"),
        choices=ServiceHours.Weekday.choices,
        coerce=int,
        widget=forms.Select(attrs={"aria-label": _hours_label("weekday")}),
    )
    opens = forms.TimeField(
        label=_hours_label("opens"),
        required=False,
        widget=IsoTimeInput(attrs={"aria-label": _hours_label("opens")}),
    )
    closes = forms.TimeField(
        label=_hours_label("closes"),
        required=False,
        widget=IsoTimeInput(attrs={"aria-label": _hours_label("closes")}),
    )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("opens")) != bool(cleaned.get("closes")) and not self.errors:
            raise forms.ValidationError(_("Give both the opening and the closing time."))
        return cleaned

    def interval(self):
        data = self.cleaned_data
        return (data["weekday"], data["opens"], data["closes"]) if data.get("opens") else None


HoursFormSet = forms.formset_factory(
    HoursRowForm, extra=0, max_num=HOURS_MAX_ROWS, validate_max=True, absolute_max=HOURS_MAX_ROWS
)


def hours_formset(data=None, *, service: Service | None = None):
    """The window editor: the service's intervals, then empty rows so that every weekday has
    one, and a few spare rows for split days."""
    existing = list(service.opening_hours.all()) if service is not None else []
    initial = [{"weekday": h.weekday, "opens": h.opens, "closes": h.closes} for h in existing]
    days = {h.weekday for h in existing}
    initial += [{"weekday": day} for day in ServiceHours.Weekday.values if day not in days]
    initial.sort(key=lambda row: (row["weekday"], "opens" not in row))
    initial += [{"weekday": 0}] * HOURS_SPARE_ROWS
    return HoursFormSet(data, initial=initial, prefix="hours")


def hours_from(formset) -> list:
    return [row.interval() for row in formset.forms if row.interval() is not None]


LEVEL_FIELDS = [
    "code",
    "name",
    "metric_kind",
    "unit",
    "direction",
    "target",
    "breach_threshold",
    "period",
    "valid_from",
]


class ServiceLevelForm(forms.Form):
    """A new service level with its perception dimensions: one weight per dimension.

    A plain form over the model's fields: the service (`service_level_add`) judges the level
    as a whole, so a code already agreed is reported as such, not as an overlapping version."""

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "service": forms.ModelChoiceField(
                label=ServiceLevel._meta.get_field("service").verbose_name,
                queryset=contract.services.order_by("name"),
                required=False,
            ),
            **forms.fields_for_model(
                ServiceLevel,
                fields=LEVEL_FIELDS,
                widgets={"valid_from": IsoDateInput()},
                localized_fields=["target", "breach_threshold"],
            ),
        }
        for value, label in Dimension.choices:
            self.fields[f"weight_{value}"] = forms.DecimalField(
                label=_("Weight for %(dimension)s") % {"dimension": label},
                required=False,
                min_value=Decimal("0.01"),
                max_value=Decimal("1"),
                decimal_places=2,
                localize=True,
                help_text=_("0.01–1; empty when the level does not map to this dimension."),
            )

    def level_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ["service", *LEVEL_FIELDS]}

    def dimensions(self) -> dict:
        return {
            value: weight
            for value, _label in Dimension.choices
            if (weight := self.cleaned_data.get(f"weight_{value}")) is not None
        }


class ServiceLevelAmendForm(forms.Form):
    """An amendment: what changes, from which day (`service_level_amend` judges it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = forms.fields_for_model(
            ServiceLevel,
            fields=["valid_from", "name", "unit", "target", "breach_threshold", "period"],
            widgets={"valid_from": IsoDateInput()},
            localized_fields=["target", "breach_threshold"],
            help_texts={
                "valid_from": _(
                    "Usually the first day of a month. The version in force at the end of a "
                    "period judges it."
                )
            },
        )

    @classmethod
    def for_level(cls, data=None, *, level: ServiceLevel):
        initial = {name: getattr(level, name) for name in ("name", "unit", "period")}
        for name in ("target", "breach_threshold"):
            value = getattr(level, name)
            # 80.0000 shows as people write it: 80 (Dutch: 99,5).
            initial[name] = Decimal(plain(value)) if value is not None else None
        return cls(data, initial=initial)


class ExpectationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Expectation
        fields = ["statement", "measured_by", "owner"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "measured_by": forms.Textarea(attrs={"rows": 3}),
        }


class InformationNeedForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = InformationNeed
        fields = ["what", "format", "frequency", "delivered_by", "recipient", "due_days"]


class DeliveryForm(forms.Form):
    period = MonthField(
        label=_("Period"),
        help_text=_("A month of the period delivered (YYYY-MM); quarters and years follow."),
    )
    delivered_on = forms.DateField(
        label=capfirst(InformationDelivery._meta.get_field("delivered_on").verbose_name),
        widget=IsoDateInput(),
    )
