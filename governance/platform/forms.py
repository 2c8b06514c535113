from datetime import date

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _

from governance.platform.outbox import outbox_enqueue


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the outbox: the request never waits on SMTP."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        text = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        outbox_enqueue(to=[to_email], subject=subject, text=text, html=html)


class LoginForm(AuthenticationForm):
    """Regie's accounts log in with their e-mail address as user name."""

    username = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


def apply_errors(form, error: ValidationError, *, aside: str = "") -> list[str]:
    """Put a service's validation errors on the form's fields (those of unknown fields above
    the form). The errors of `aside`, a part of the page outside the form, are returned to be
    shown there."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return []
    found = error.message_dict
    kept = found.pop(aside, []) if aside else []
    for field, errors in found.items():
        form.add_error(field if field in form.fields else None, errors)
    return kept


def saved(request, form, save):
    """The create and edit pages' flow: on a POST whose form is valid, what `save(cleaned_data)`
    returns (the saved object); otherwise None, also when the service refuses, its
    ValidationError then put on the form by `apply_errors`.

        chain = saved(request, form, lambda data: services.chain_create(access=access, **data))
        if chain is not None:
            return redirect("simulations:chain_detail", org_slug, chain.pk)
        return render(...)  # the form, with its errors
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None


# Django's label of an empty choice ("- Select an option -") has no Dutch in Django's own
# catalogue; naming it here puts it in ours, so every select without its own label reads Dutch.
BLANK_CHOICE_LABEL = _("- Select an option -")


# Browser date, time and month inputs take ISO values only ("2026-12-02", "08:30",
# "2026-12"), whatever the language: a Dutch-formatted "02-12-2026" leaves the field empty.
# Use these widgets for every such input instead of Django's localised defaults.


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class IsoDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MonthInput(forms.DateInput):
    """The browser's month picker; its value is "YYYY-MM"."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


def parse_month(raw: str) -> date | None:
    """The first day of the month in "YYYY-MM" (a month input) or "YYYY-MM-DD" (older links),
    or None when `raw` is neither."""
    parts = (raw or "").strip().split("-")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        return None
