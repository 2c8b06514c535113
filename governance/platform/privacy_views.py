"""Privacy pages: the public privacy statement of an organisation (/k/<org>/privacy/) and the
contract managers' privacy page (/o/<org>/privacy/): retention settings, erasure requests and
the record of erasures."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from governance.platform import privacy
from governance.platform.access import system_access, tenant_scope
from governance.platform.forms import apply_errors
from governance.platform.models import ErasureRecord, Organisation, PrivacySettings

SETTINGS_FIELDS = [
    "complaint_contact_months",
    "participant_email_months",
    "contact_name",
    "contact_email",
]


class PrivacySettingsForm(forms.ModelForm):
    class Meta:
        model = PrivacySettings
        fields = SETTINGS_FIELDS


class ErasureForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address of the person"), max_length=254)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


def _statement_rows(current: PrivacySettings) -> list[dict]:
    return [
        {
            "kept": handler.kept(),
            "purpose": handler.purpose(),
            "period": handler.period_label(getattr(current, handler.period_setting)),
        }
        for handler in privacy.handlers()
    ]


def privacy_statement(request, org_slug):
    """What the organisation keeps of complainants and survey participants, why and how long
    (read from its retention settings). Public: linked from the complaint form and surveys."""
    organisation = Organisation.objects.filter(slug=org_slug).first()
    if organisation is None:
        raise Http404
    with tenant_scope(system_access(organisation)):
        current = privacy.privacy_settings_for(organisation=organisation)
        return render(
            request,
            "governance/privacy_statement.html",
            {
                "public_organisation": organisation,
                "settings": current,
                "rows": _statement_rows(current),
            },
        )


def _page(request, *, form=None, erasure_form=None, preview=None, status=200):
    access = request.access
    current = privacy.privacy_settings_for(organisation=access.organisation)
    return render(
        request,
        "governance/privacy_settings.html",
        {
            "form": form or PrivacySettingsForm(instance=current),
            "erasure_form": erasure_form or ErasureForm(),
            "preview": preview,
            "records": privacy.erasure_records(organisation=access.organisation),
            "rows": _statement_rows(current),
        },
        status=status,
    )


def privacy_settings(request, org_slug):
    """Retention periods and the privacy contact; erasure requests below (managers only)."""
    access = request.access
    access.require(privacy.may_handle_privacy(access))
    if request.method != "POST":
        return _page(request)
    current = privacy.privacy_settings_for(organisation=access.organisation)
    form = PrivacySettingsForm(request.POST, instance=current)
    if form.is_valid():
        try:
            privacy.privacy_settings_update(
                access=access, **{name: form.cleaned_data[name] for name in SETTINGS_FIELDS}
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Privacy settings saved."))
            return redirect("privacy:settings", org_slug=org_slug)
    return _page(request, form=form, status=400)


@require_POST
def privacy_erase(request, org_slug):
    """An erasure request for a named person: first the counts of what would go, then, on
    confirmation, the erasure and its record."""
    access = request.access
    access.require(privacy.may_handle_privacy(access))
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _page(request, erasure_form=form, status=400)
    email = privacy.normalise_email(form.cleaned_data["email"])
    if not form.cleaned_data["confirm"]:
        counts = privacy.person_count(organisation=access.organisation, email=email)
        confirm = ErasureForm(initial={"email": email, "confirm": True})
        return _page(
            request, erasure_form=confirm, preview={"email": email, "total": sum(counts.values())}
        )
    record = privacy.person_erase(access=access, email=email, reason=ErasureRecord.Reason.MANAGER)
    messages.success(
        request,
        _("The person's data has been erased: %(count)s records anonymised.")
        % {"count": record.total},
    )
    return redirect("privacy:settings", org_slug=org_slug)
