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
