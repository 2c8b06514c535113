"""Forms of the audit pages. Related choices are limited to what the user may see, so a forged
id is a form error, never a write."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audits.clauses import clause_choices
from audits.imports import MAX_FILE_BYTES, MAX_REFERENCE, MAX_TITLE
from audits.models import (
    Audit,
    AuditProgramme,
    CorrectiveAction,
    EffectivenessCheck,
    Level,
    Result,
)
from audits.permissions import client_records
from audits.services import MAX_REPORT_BYTES
from governance.platform.concurrency import VersionedFormMixin
from governance.platform.forms import IsoDateInput

DATE = IsoDateInput()
# Findings typed in the browser form; longer lists come as a CSV/XLSX file.
MAX_ROWS_IN_FORM = 50


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


def _people(people: dict) -> "forms.QuerySet":
    ids = [p.pk for p in people["client"]] + [p.pk for p in people["supplier"]]
    return get_user_model().objects.filter(pk__in=ids).order_by("first_name", "last_name")


def _type_choices(access):
    if client_records(access):
        return Audit.Type.choices
    return [(v, label) for v, label in Audit.Type.choices if v in Audit.SUPPLIER_TYPES]


class AffectedServicesField(forms.ModelMultipleChoiceField):
    """Checkboxes for the services of the audited contract (the form sets the queryset)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(label=_("Affected services"), queryset=None, required=False, **kwargs)


class ClauseField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=clause_choices, required=False, **kwargs)


class ProgrammeForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=AuditProgramme.Recurrence.choices)
    audit_type = forms.ChoiceField(label=_("Type of the planned audits"))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.BOTH)
    clauses = ClauseField(label=_("ISO 9001 clauses"))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, access, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["audit_type"].choices = _type_choices(access)
        self.fields["year"].initial = date.today().year


class AuditForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    audit_type = forms.ChoiceField(label=_("Type"))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.BOTH)
    planned_date = forms.DateField(label=_("Planned date"), widget=DATE)
    services = forms.ModelMultipleChoiceField(
        label=_("Services in scope"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    processes = forms.CharField(
        label=_("Processes in scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. incident handling, change management, one per line."),
    )
    clauses = ClauseField(label=_("ISO 9001 clauses"))
    lead_auditor = PersonChoiceField(label=_("Lead auditor"), queryset=None, required=False)
    observers = PeopleChoiceField(
        label=_("Observers"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    follow_up_of = forms.ModelChoiceField(
        label=_("Follow-up (re-audit) of"), queryset=None, required=False
    )

    def __init__(self, *args, access, contracts, services, people, audits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["audit_type"].choices = _type_choices(access)
        self.fields["services"].queryset = services
        self.fields["services"].label_from_instance = lambda s: f"{s.contract.reference} · {s}"
        self.fields["lead_auditor"].queryset = _people(people)
        self.fields["observers"].queryset = _people(people)
        self.fields["follow_up_of"].queryset = audits


class AuditEditForm(VersionedFormMixin, AuditForm):
    actual_date = forms.DateField(label=_("Actual date"), widget=DATE, required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["contract"]
        del self.fields["follow_up_of"]


class ChecklistItemForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *Result.choices])
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    interviewee_role = forms.CharField(
        label=_("Interviewee's role"),
        required=False,
        max_length=120,
        help_text=_("A role such as “service desk agent”; no names."),
    )


class ChecklistQuestionForm(forms.Form):
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.BOTH)
    clause = forms.ChoiceField(label=_("ISO 9001 clause"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [("", "—"), *clause_choices()]


class FindingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    grade = forms.ChoiceField(
        label=_("Grade"), choices=[(r.value, r.label) for r in Result if r != Result.CONFORM]
    )
    clause = forms.ChoiceField(label=_("ISO 9001 clause"), required=False)
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    services = AffectedServicesField()
    checklist_item = forms.ModelChoiceField(
        label=_("From checklist item"), queryset=None, required=False
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [("", "—"), *clause_choices()]
        self.fields["services"].queryset = audit.contract.services.order_by("name")
        self.fields["checklist_item"].queryset = audit.checklist.order_by("position")
        self.fields["checklist_item"].label_from_instance = lambda item: item.display_question[:90]


class RespondForm(VersionedFormMixin, forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 3}))
    services = AffectedServicesField()

    def __init__(self, *args, finding, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = finding.audit.contract.services.order_by("name")


class PriorityForm(VersionedFormMixin, forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Client's priority"),
        choices=[("", _("Not set")), *[(n, str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 (low) to 5 (highest)."),
    )
    note = forms.CharField(
        label=_("Internal note (client only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_side = forms.ChoiceField(
        label=_("Owner side"), choices=CorrectiveAction.OwnerSide.choices
    )
    supplier_owner = PersonChoiceField(
        label=_("Owner at the supplier"), queryset=None, required=False
    )
    client_owner = PersonChoiceField(label=_("Owner at the client"), queryset=None, required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DATE)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("first_name", "last_name")
        self.fields["supplier_owner"].queryset = users.filter(
            pk__in=[p.pk for p in people["supplier"]]
        )
        self.fields["client_owner"].queryset = users.filter(pk__in=[p.pk for p in people["client"]])


class ActionStatusForm(VersionedFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CorrectiveAction.Status.choices)


class CheckForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=EffectivenessCheck.Verdict.choices)
    checked_on = forms.DateField(label=_("Checked on"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_audit = forms.ModelChoiceField(label=_("Re-audit"), queryset=None, required=False)

    def __init__(self, *args, audits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up_audit"].queryset = audits
        self.fields["checked_on"].initial = date.today()


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Internal audit report (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_REPORT_BYTES >> 20}
            )
        return upload


class SharedReportForm(forms.Form):
    """The supplier's internal audit report: the PDF, when the audit was held, its summary,
    and optionally its findings as a CSV/XLSX file (else they come from the rows below)."""

    file = forms.FileField(
        label=_("Internal audit report (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    actual_date = forms.DateField(label=_("Date of the internal audit"), widget=DATE)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    findings_file = forms.FileField(
        label=_("Findings as CSV or XLSX (instead of the rows below)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    mark_reported = forms.BooleanField(
        label=_("Mark the audit as reported"), required=False, initial=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_REPORT_BYTES >> 20}
            )
        return upload

    def clean_findings_file(self):
        upload = self.cleaned_data.get("findings_file")
        if upload and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_FILE_BYTES >> 20}
            )
        return upload


class FindingRowForm(forms.Form):
    """One finding of the supplier's report. Every field is optional here: an empty row is
    skipped, and the rules (title, grade, description, clause, services) are checked for all
    rows at once by the import, which names row and column."""

    reference = forms.CharField(label=_("Reference"), required=False, max_length=MAX_REFERENCE)
    title = forms.CharField(label=_("Title"), required=False, max_length=MAX_TITLE)
    grade = forms.ChoiceField(
        label=_("Grade"),
        required=False,
        choices=[("", "—"), *[(r.value, r.label) for r in Result if r != Result.CONFORM]],
    )
    clause = forms.ChoiceField(label=_("ISO 9001 clause"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    services = AffectedServicesField()

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [("", "—"), *clause_choices()]
        self.fields["services"].queryset = audit.contract.services.order_by("name")


def finding_row_formset(*, rows: int = 5):
    """A formset class of `rows` empty finding rows (at most MAX_ROWS_IN_FORM)."""
    return forms.formset_factory(
        FindingRowForm,
        extra=max(1, min(rows, MAX_ROWS_IN_FORM)),
        max_num=MAX_ROWS_IN_FORM,
        absolute_max=MAX_ROWS_IN_FORM,
        validate_max=True,
    )
