"""Forms of the gap settings page: a threshold row and the digest schedule.

Both are model forms, so the model's own rules (`clean()`) put their errors beside the field;
the services check them again before anything is stored."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts import selectors as contract_selectors
from governance.platform.access import Access
from governance.platform.dimensions import Dimension
from kto.gaps.models import COMMENT_MAX, GapDigestSchedule, GapSettings, GapThreshold


class GapThresholdForm(forms.ModelForm):
    """One row of thresholds: the organisation's (no contract) or a contract's, for one
    dimension or all of them."""

    contract = forms.ModelChoiceField(
        label=_("Contract"),
        queryset=None,
        required=False,
        empty_label=_("Every contract (organisation default)"),
    )
    dimension = forms.ChoiceField(
        label=_("Dimension"),
        required=False,
        choices=[("", _("Every dimension")), *Dimension.choices],
    )

    class Meta:
        model = GapThreshold
        fields = ["contract", "dimension", "target", "delta", "k"]
        help_texts = {
            "target": _("1 to 5; leave empty to use a less specific row or the survey's target."),
            "delta": _("How far below T the confidence interval must lie; 0 or more."),
            "k": _("Fewer answers than k and the cell counts as insufficient data; at least 5."),
        }

    def __init__(self, *args, access: Access, **kwargs):
        kwargs.setdefault("instance", GapThreshold(organisation=access.organisation))
        super().__init__(*args, **kwargs)
        # Only this organisation's contracts: a forged id is a form error, never a write.
        self.fields["contract"].queryset = contract_selectors.contract_list(access=access)
        self.fields["contract"].label_from_instance = lambda c: f"{c.reference} · {c.title}"
        # The browser's hints; the model's rules decide.
        self.fields["target"].widget.attrs.update(step="0.01", min=1, max=5)
        self.fields["delta"].widget.attrs.update(step="0.01", min=0)
        self.fields["k"].widget.attrs.update(min=5)


class GapDigestScheduleForm(forms.ModelForm):
    class Meta:
        model = GapDigestSchedule
        fields = [
            "frequency",
            "day_of_month",
            "weekday",
            "include_contract_managers",
            "include_business_owners",
            "include_suppliers",
        ]
        help_texts = {
            "day_of_month": _("Monthly digests: 1 to 28."),
            "weekday": _("Weekly digests."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day_of_month"].widget.attrs.update(min=1, max=28)


class GapFlagCommentForm(forms.Form):
    """A short comment on a flag (the client's own)."""

    text = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GapSettingsForm(forms.ModelForm):
    """The amber margin (0 ≤ margin < 1; the model's `clean()` says so beside the field)."""

    class Meta:
        model = GapSettings
        fields = ["amber_margin"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amber_margin"].widget.attrs.update(step="0.0001", min=0, max="0.9999")
