from django import forms
from django.utils.translation import gettext_lazy as _

from governance.platform.models import Role


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class SupplierInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    is_admin = forms.BooleanField(
        label=_("Administrator (may invite and remove your users)"), required=False
    )


class AcceptForm(forms.Form):
    """A newcomer's name and password (checked against the settings' password validators)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
