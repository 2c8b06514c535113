"""Forms of the meetings app; every related choice is limited to what the user may see."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.selectors import contract_list, service_level_list
from governance.platform.access import Access
from governance.platform.concurrency import VersionedFormMixin
from governance.platform.forms import IsoDateInput, IsoDateTimeInput
from meetings.models import (
    DEFAULT_CADENCE_MONTHS,
    SIP,
    ActionItem,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingSeries,
    Outcome,
    SIPMilestone,
)
from meetings.selectors import client_people, supplier_people


class SeriesForm(VersionedFormMixin, forms.ModelForm):
    contract = forms.ModelChoiceField(
        label=_("Contract"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for an organisation-wide series (client only)."),
    )
    topics = forms.CharField(
        label=_("Standard agenda"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("One topic per line; empty for the tier's standard agenda."),
    )
    roles = forms.CharField(
        label=_("Required roles"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            'One per line, e.g. "client: Contract manager" or "supplier: Service manager".'
        ),
    )

    class Meta:
        model = MeetingSeries
        fields = [
            "contract",
            "tier",
            "title",
            "cadence_months",
            "chair",
            "preparation_days",
            "escalate_after",
            "location",
        ]

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's own checks compare the contract's organisation with the series'.
        self.instance.organisation = access.organisation
        self.fields["contract"].queryset = contract_list(access=access)
        self.fields["chair"].queryset = client_people(access=access)
        self.fields["cadence_months"].required = False
        if self.instance.pk:
            self.fields["topics"].initial = "\n".join(self.instance.agenda_template)
            self.fields["roles"].initial = "\n".join(
                f"{r.side}: {r.role}" for r in self.instance.required_roles.all()
            )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("cadence_months") and cleaned.get("tier"):
            # Empty: the tier's usual cadence (monthly, quarterly, twice a year).
            cleaned["cadence_months"] = DEFAULT_CADENCE_MONTHS[cleaned["tier"]]
            self.instance.cadence_months = cleaned["cadence_months"]
        return cleaned

    def topic_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["topics"].splitlines() if line.strip()]


class MeetingForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["starts_at", "ends_at", "location"]
        widgets = {"starts_at": IsoDateTimeInput(), "ends_at": IsoDateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_at"].required = False


class ItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "detail", "needs_preparation"]


class SupplierPrepForm(forms.Form):
    supplier_results = forms.CharField(
        label=_("Results and deviation analysis"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ClientPrepForm(forms.Form):
    client_impact = forms.CharField(
        label=_("End-user impact analysis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    client_notes = forms.CharField(
        label=_("Internal preparation notes (client only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class MinutesForm(VersionedFormMixin, forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, required=False)
    resolved = forms.BooleanField(label=_("Resolved"), required=False)


class ActionForm(forms.ModelForm):
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None, required=False)

    class Meta:
        model = ActionItem
        fields = ["item", "title", "owner_side", "owner_name", "supplier_owner_name", "due_date"]
        widgets = {"due_date": IsoDateInput()}

    def __init__(self, *args, meeting: Meeting, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].required = False


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["side", "role", "name", "email"]


SIP_FIELDS = [
    "contract",
    "title",
    "goal",
    "client_owner",
    "supplier_owner",
    "service_level",
    "sla_baseline",
    "sla_target",
    "dimension",
    "perception_baseline",
    "perception_target",
    "baseline_period",
    "status",
]


class SIPForm(VersionedFormMixin, forms.ModelForm):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    service_level = forms.ModelChoiceField(label=_("SLA metric"), queryset=None)

    class Meta:
        model = SIP
        fields = SIP_FIELDS
        widgets = {"baseline_period": IsoDateInput(), "goal": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = access.organisation
        if "contract" in self.fields:
            self.fields["contract"].queryset = contract_list(access=access)
        self.fields["client_owner"].queryset = client_people(access=access)
        self.fields["supplier_owner"].queryset = supplier_people(access=access)
        self.fields["service_level"].queryset = service_level_list(access=access).filter(
            valid_to__isnull=True
        )


class SIPFromFlagForm(SIPForm):
    """The SIP form for a programme started from a gap flag: the flag's contract, a metric
    among the service levels behind the flag, a supplier owner of the contract's supplier."""

    contract = None  # the flag's

    class Meta(SIPForm.Meta):
        fields = [name for name in SIPForm.Meta.fields if name != "contract"]

    def __init__(self, *args, access: Access, flag, levels, **kwargs):
        super().__init__(*args, access=access, **kwargs)
        # The model's own checks compare the metric's contract with the SIP's.
        self.instance.contract = flag.contract
        self.fields["service_level"].queryset = service_level_list(access=access).filter(
            pk__in=[level.pk for level in levels]
        )
        self.fields["supplier_owner"].queryset = supplier_people(access=access).filter(
            supplier_membership__supplier_id=flag.contract.supplier_id
        )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = SIPMilestone
        fields = ["title", "due_date"]
        widgets = {"due_date": IsoDateInput()}


class SIPLinkForm(forms.Form):
    target = forms.ChoiceField(label=_("Linked data"))

    def __init__(self, *args, candidates: list[tuple[str, str, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {value: (kind, label, link) for value, kind, label, link in candidates}
        self.fields["target"].choices = [(value, label) for value, _k, label, _l in candidates]
