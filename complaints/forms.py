"""Forms of the public complaint form, the verdict and the internal pages."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints import antiabuse, uploads
from complaints.models import (
    DESCRIPTION_MAX,
    Category,
    Channel,
    ComplaintSettings,
    Impact,
    ProposalStatus,
    Status,
    no_control_characters,
    phone_validator,
)
from contracts.selectors import service_list
from governance.platform.access import system_access
from governance.platform.concurrency import VersionedFormMixin
from governance.platform.forms import IsoDateInput, IsoTimeInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        return uploads.check_uploads(data if isinstance(data, (list, tuple)) else [data])


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label(get_language() or "nl")


class ComplaintForm(forms.Form):
    """The public form. Honeypot and start time are checked by the view before validation."""

    service = forms.ModelChoiceField(
        label=_("Which service is it about?"),
        queryset=None,
        required=False,
        empty_label=_("I don't know"),
    )
    category = CategoryChoiceField(
        label=_("What kind of complaint?"), queryset=None, empty_label=_("Choose a kind")
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("At most 4,000 characters. Please leave out other people's personal data."),
    )
    occurred_date = forms.DateField(label=_("On which day?"), widget=IsoDateInput())
    occurred_time = forms.TimeField(label=_("At what time?"), widget=IsoTimeInput())
    channel = forms.ChoiceField(
        label=_("How did you try to get help?"), choices=Channel.choices, widget=forms.RadioSelect
    )
    impact = forms.ChoiceField(
        label=_("What did it mean for you?"), choices=Impact.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=120,
        validators=[no_control_characters],
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        max_length=254,
        validators=[no_control_characters],
        help_text=_("We send the reference, updates and the question how it went to it."),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=20,
        validators=[phone_validator],
    )
    consent_to_contact = forms.BooleanField(
        label=_("You may contact me about this complaint, also the party that handles it."),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=_("PDF, PNG or JPEG; at most 3 files of 5 MB each."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.now = now or timezone.now()
        self.fields["service"].queryset = service_list(access=system_access(organisation)).order_by(
            "name"
        )
        self.fields["category"].queryset = Category.objects.filter(
            organisation=organisation, active=True
        )
        local = self.now.astimezone(ZoneInfo(organisation.time_zone))
        self.fields["occurred_date"].initial = local.date()
        self.fields["occurred_time"].initial = local.strftime("%H:%M")
        self.fields["started"].initial = antiabuse.started_token()

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean(self):
        data = super().clean()
        day, moment = data.get("occurred_date"), data.get("occurred_time")
        if day and moment:
            occurred = datetime.combine(day, moment, tzinfo=ZoneInfo(self.organisation.time_zone))
            if occurred > self.now + timedelta(minutes=5):
                self.add_error("occurred_date", _("This moment lies in the future."))
            elif occurred < self.now - timedelta(days=366):
                self.add_error("occurred_date", _("Complaints can be filed up to a year later."))
            data["occurred_at"] = occurred
        if data.get("consent_to_contact") and not (data.get("email") or data.get("phone")):
            self.add_error(
                "consent_to_contact",
                _("Leave an e-mail address or phone number so we can contact you."),
            )
        return data


class VerdictForm(forms.Form):
    resolved_for_me = forms.TypedChoiceField(
        label=_("Is your complaint resolved for you?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    handling_score = forms.TypedChoiceField(
        label=_("How was your complaint handled? (1 = very badly, 5 = very well)"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    kept_informed = forms.TypedChoiceField(
        label=_(
            "Were you kept informed while it was handled? (optional; 1 = not at all, 5 = very well)"
        ),
        choices=[("", _("No answer")), *[(n, str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- internal ------------------------------------------------------------------------------


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *Status.choices])
    category = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    service = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(required=False)

    def __init__(self, *args, categories, services, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "nl"
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.pk, c.label(language)) for c in categories
        ]
        self.fields["service"].choices = [("", _("All services"))] + [
            (s.pk, f"{s.name} ({s.contract.reference})") for s in services
        ]


class AssignForm(VersionedFormMixin, forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args, members, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.suppliers = {str(s.pk): s for s in suppliers}
        self.fields["assignee"].choices = [
            ("", _("Nobody")),
            (
                _("Client team"),
                [(f"user:{pk}", m.get_full_name() or m.email) for pk, m in self.members.items()],
            ),
            (_("Supplier"), [(f"supplier:{pk}", s.name) for pk, s in self.suppliers.items()]),
        ]

    def chosen(self):
        value = self.cleaned_data.get("assignee") or ""
        kind, _sep, pk = value.partition(":")
        if kind == "user":
            return self.members[pk], None
        if kind == "supplier":
            return None, self.suppliers[pk]
        return None, None


class TransitionForm(VersionedFormMixin, forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    text = forms.CharField(required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea)


class TextForm(forms.Form):
    text = forms.CharField(max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class SettingsForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ComplaintSettings
        fields = [
            "intake_open",
            "acknowledge_days",
            "resolve_days",
            "register_public",
            "min_group_size",
            "hourly_rate",
        ]


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name_nl", "name_en"]


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ExtensionForm(forms.Form):
    """A candidate longer window for one service, to be costed."""

    service = forms.ModelChoiceField(
        label=_("Service"), queryset=None, empty_label=_("Choose a service")
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    opens = forms.TimeField(label=_("Opens"), widget=IsoTimeInput())
    closes = forms.TimeField(label=_("Closes"), widget=IsoTimeInput())
    staff = forms.IntegerField(label=_("Staff on duty in the extra hours"), min_value=1, initial=1)
    period_start = forms.DateField(label=_("Complaints from"), widget=IsoDateInput())
    period_end = forms.DateField(label=_("Complaints until"), widget=IsoDateInput())

    def __init__(self, *args, services, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["period_start"].initial = today - timedelta(days=364)
        self.fields["period_end"].initial = today

    def clean(self):
        data = super().clean()
        if data.get("opens") and data.get("closes") and data["closes"] <= data["opens"]:
            self.add_error("closes", _("Closing time must be after opening time."))
        if (
            data.get("period_start")
            and data.get("period_end")
            and data["period_end"] < data["period_start"]
        ):
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    benefit = forms.CharField(
        label=_("Expected benefit"), required=False, max_length=4000, widget=forms.Textarea
    )


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[c for c in ProposalStatus.choices if c[0] != ProposalStatus.PROPOSED],
    )
    note = forms.CharField(
        label=_("Reasoning"), required=False, max_length=4000, widget=forms.Textarea
    )
