"""What the audit pages share: reading parameters, putting a write through, reporting problems."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse

from audits import selectors
from audits.models import Audit, Finding
from governance.platform.access import get_object_for

PAGE_SIZE = 25


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _report_errors(request, error: ValidationError, form=None) -> None:
    """Every problem as a message that names the field and the reason."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            label = ""
            if form is not None and field in form.fields:
                label = str(form.fields[field].label)
            elif field != "__all__":
                label = field.replace("_", " ").capitalize()
            for problem in problems:
                messages.error(request, f"{label}: {problem}" if label else problem)
    else:
        for problem in error.messages:
            messages.error(request, problem)


def _form_errors(request, form) -> None:
    for field, problems in form.errors.items():
        label = str(form.fields[field].label) if field in form.fields else ""
        for problem in problems:
            messages.error(request, f"{label}: {problem}" if label else problem)


def _attempt(request, write, success=None, form=None):
    """Run a write. A refusal (ValidationError) becomes messages naming field and reason;
    otherwise `success` is shown: a text, or a function of what the write returned.
    Returns what the write returned, or None when nothing was written."""
    try:
        result = write()
    except ValidationError as error:
        _report_errors(request, error, form)
        return None
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return result


def _submit(request, form, write, success=None):
    """A posted form: its errors as messages, or else `_attempt` the write with its cleaned
    data (`write` takes them)."""
    if not form.is_valid():
        _form_errors(request, form)
        return None
    return _attempt(request, lambda: write(form.cleaned_data), success, form)


def _form_page(request, form, title, **context):
    """The plain form page; shown again after a post, the post failed (400)."""
    return render(
        request,
        "audits/form.html",
        {"form": form, "title": title, **context},
        status=400 if request.method == "POST" else 200,
    )


def _audit(request, pk) -> Audit:
    return get_object_for(request.access, selectors.audit_list(access=request.access), pk=pk)


def _finding(request, pk) -> Finding:
    return get_object_for(request.access, selectors.finding_list(access=request.access), pk=pk)


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _url(name, org_slug, *args):
    return reverse(name, args=[org_slug, *args])
