from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.platform.concurrency import VersionedFormMixin
from governance.platform.dimensions import Dimension
from governance.platform.forms import IsoDateInput
from kto.models import (
    LIKERT_MAX,
    LIKERT_MIN,
    AnonymityMode,
    KtoSettings,
    QuestionKind,
    Recurrence,
    StakeholderGroup,
    SurveyGroup,
    SurveyKind,
)

DATE = IsoDateInput()


def _target_fields() -> dict:
    return {
        f"target_{value}": forms.DecimalField(
            label=_("Target T: %(dimension)s") % {"dimension": label},
            required=False,
            min_value=Decimal(LIKERT_MIN),
            max_value=Decimal(LIKERT_MAX),
            decimal_places=2,
        )
        for value, label in Dimension.choices
    }


class TargetsMixin:
    def targets(self) -> dict:
        return {
            value: float(self.cleaned_data[f"target_{value}"])
            for value in Dimension.values
            if self.cleaned_data.get(f"target_{value}") is not None
        }


class SurveyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *SurveyKind.choices],
        widget=forms.Select(attrs={"aria-label": _("Kind")}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        widget=forms.Select(attrs={"aria-label": _("State")}),
        choices=[
            ("", _("All states")),
            ("draft", _("Draft")),
            ("open", _("Open")),
            ("closed", _("Closed")),
        ],
    )


class SurveyCreateForm(TargetsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Template"),
        choices=[c for c in SurveyKind.choices if c[0] != SurveyKind.VERDICT],
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    contracts = forms.ModelMultipleChoiceField(
        label=_("Contracts"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services (optional: adds their own questions)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.MultipleChoiceField(
        label=_("Stakeholder groups"),
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[StakeholderGroup.END_USERS],
    )
    period_start = forms.DateField(label=_("Period covered from"), widget=DATE)
    period_end = forms.DateField(label=_("Period covered until"), widget=DATE)
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)
    anonymity_mode = forms.ChoiceField(
        label=_("Anonymity"), choices=AnonymityMode.choices, initial=AnonymityMode.STANDARD
    )

    def __init__(self, *args, contracts, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contracts"].queryset = contracts
        self.fields["services"].queryset = services
        self.fields.update(_target_fields())


class SurveyEditForm(VersionedFormMixin, TargetsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Period covered from"), widget=DATE)
    period_end = forms.DateField(label=_("Period covered until"), widget=DATE)
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)
    anonymity_mode = forms.ChoiceField(label=_("Anonymity"), choices=AnonymityMode.choices)
    fatigue_days = forms.IntegerField(
        label=_("Fatigue cap (days)"),
        min_value=0,
        max_value=365,
        help_text=_("Nobody is invited more than once in this many days across all surveys."),
    )

    def __init__(self, *args, locked: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_target_fields())
        if locked:
            self.fields["anonymity_mode"].disabled = True
            self.fields["anonymity_mode"].help_text = _("Locked: answers have already arrived.")


class GroupPlanForm(forms.ModelForm):
    class Meta:
        model = SurveyGroup
        fields = ["population", "confidence", "margin", "margin_unit", "sd", "response_rate"]


class ParticipantImportForm(forms.Form):
    file = forms.FileField(
        label=_("Participants (CSV)"),
        help_text=_(
            "Columns: email, group (end_users, business or it), and optionally contract "
            "(reference), department and language (nl or en)."
        ),
    )


class QuestionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            c
            for c in QuestionKind.choices
            if c[0] in (QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.OPEN)
        ],
    )
    dimension = forms.ChoiceField(
        label=_("Dimension"), choices=[("", "—"), *Dimension.choices], required=False
    )
    text_nl = forms.CharField(label=_("Text (Dutch)"), max_length=400)
    text_en = forms.CharField(label=_("Text (English)"), max_length=400)
    proxy_text_nl = forms.CharField(
        label=_("Mirrored text (Dutch)"), max_length=400, required=False
    )
    proxy_text_en = forms.CharField(
        label=_("Mirrored text (English)"), max_length=400, required=False
    )
    service = forms.ModelChoiceField(label=_("Service"), queryset=None, required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class CampaignForm(forms.Form):
    """Repeat a survey: how often, how far ahead, which questions to leave out or add."""

    recurrence = forms.ChoiceField(label=_("Repeats"), choices=Recurrence.choices)
    lead_days = forms.IntegerField(
        label=_("Prepared days ahead"),
        min_value=1,
        max_value=120,
        initial=21,
        help_text=_("The next wave is prepared and proposed this many days before it opens."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    left_out = forms.ModelMultipleChoiceField(
        label=_("Questions of this survey to leave out"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    added = forms.ModelMultipleChoiceField(
        label=_("Questions of the bank to add"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, on_template, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_out"].queryset = on_template
        self.fields["added"].queryset = bank


class KtoSettingsForm(forms.ModelForm):
    class Meta:
        model = KtoSettings
        fields = ["reminder_after_days", "max_reminders"]
