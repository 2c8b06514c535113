from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from governance.platform.access import organisations_for, supplier_of


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The six digits from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RecoveryCodesForm(forms.Form):
    """New recovery codes need the password or a code from the authenticator app."""

    password = forms.CharField(
        label=_("Your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Or a code from your authenticator app"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("password") and not data.get("code"):
            raise forms.ValidationError(
                _("Enter your password or a code from your authenticator app.")
            )
        return data


class TokenForm(forms.Form):
    """A new API token: a name, a scope among what the user can reach, a lifetime."""

    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(label=_("For"))
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=366,
        initial=settings.REGIE_API_TOKEN_DAYS,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {}
        supplier = supplier_of(user)
        if supplier is not None:
            self.targets[f"s{supplier.pk}"] = {"supplier": supplier}
        for organisation in organisations_for(user):
            self.targets[f"o{organisation.pk}"] = {"organisation": organisation}
        labels = {
            key: (
                _("%(supplier)s: every organisation it serves") % {"supplier": target["supplier"]}
                if "supplier" in target
                else str(target["organisation"])
            )
            for key, target in self.targets.items()
        }
        self.fields["scope"].choices = list(labels.items())

    def clean_scope(self):
        return self.targets[self.cleaned_data["scope"]]


class OrganisationSecurityForm(forms.Form):
    mfa_required = forms.BooleanField(
        label=_("Require two-factor authentication"),
        required=False,
        help_text=_(
            "Members and supplier users reach this organisation only after an authenticator "
            "code, and API tokens need one too."
        ),
    )
