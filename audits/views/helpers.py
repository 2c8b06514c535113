"""What the audit pages share: the page size, reading parameters, reporting problems."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from audits import selectors
from audits.models import Audit, Finding
from governance.access import get_object_for

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


def _audit(request, pk) -> Audit:
    return get_object_for(request.access, selectors.audit_list(access=request.access), pk=pk)


def _finding(request, pk) -> Finding:
    return get_object_for(request.access, selectors.finding_list(access=request.access), pk=pk)


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _url(name, org_slug, *args):
    from django.urls import reverse

    return reverse(name, args=[org_slug, *args])
