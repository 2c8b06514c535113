"""Audit API serializers. Output serializers list their fields per audience (the supplier never
gets the client's internal note); input serializers limit every related choice to what the
caller may see, so a forged id is a 400, never a write."""

import json

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.clauses import CLAUSE_CODES
from audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    EffectivenessCheck,
    Finding,
    Level,
    Result,
    SupplierReport,
)
from audits.selectors import audit_list, finding_list
from contracts.selectors import contract_list, service_list
from governance.platform.access import Access
from governance.platform.api import ScopedModelSerializer


def people_queryset(access: Access | None):
    """Users who may appear in this organisation's audits: its members and the users of the
    suppliers it has contracts with (a supplier's user: its own colleagues and the members)."""
    users = get_user_model().objects.all()
    if access is None:
        return users.none()
    if access.is_supplier:
        suppliers = Q(supplier_membership__supplier=access.supplier)
    else:
        suppliers = Q(supplier_membership__supplier__contracts__organisation=access.organisation)
    return users.filter(Q(memberships__organisation=access.organisation) | suppliers).distinct()


class ScopedOutput(ScopedModelSerializer):
    def limit_unscoped_queryset(self, queryset, access):
        if queryset.model is get_user_model():
            return people_queryset(access)
        return queryset.none()


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


# --- output -----------------------------------------------------------------------------------


class ProgrammeSerializer(ScopedOutput):
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    supplier = serializers.CharField(source="contract.supplier.name", read_only=True)

    class Meta:
        model = AuditProgramme
        fields = [
            "id",
            "contract",
            "contract_reference",
            "supplier",
            "year",
            "recurrence",
            "level",
            "clauses",
            "notes",
            "status",
        ]
        read_only_fields = fields


class SupplierReportSerializer(serializers.ModelSerializer):
    """A report the supplier shared (the file itself downloads from the audit page)."""

    class Meta:
        model = SupplierReport
        fields = ["id", "name", "size", "checksum", "uploaded_at"]
        read_only_fields = fields


class AuditSerializer(ScopedOutput):
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    title = serializers.CharField(
        source="display_title",
        read_only=True,
        help_text="A title Regie generated is in the request's language; a typed one as typed.",
    )
    lead_auditor_name = serializers.SerializerMethodField()
    supplier_reports = SupplierReportSerializer(many=True, read_only=True)

    class Meta:
        model = Audit
        fields = [
            "id",
            "contract",
            "contract_reference",
            "programme",
            "title",
            "audit_type",
            "level",
            "services",
            "processes",
            "clauses",
            "planned_date",
            "actual_date",
            "lead_auditor",
            "lead_auditor_name",
            "observers",
            "status",
            "summary",
            "follow_up_of",
            "supplier_reports",
        ]
        read_only_fields = fields

    def get_lead_auditor_name(self, audit) -> str:
        return _person(audit.lead_auditor)


class ChecklistItemSerializer(ScopedOutput):
    """Generated questions and guidance come in the request's language."""

    question = serializers.CharField(source="display_question", read_only=True)
    guidance = serializers.CharField(source="display_guidance", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "audit",
            "position",
            "source",
            "source_key",
            "level",
            "clause",
            "question",
            "guidance",
            "result",
            "evidence",
            "interviewee_role",
        ]
        read_only_fields = fields


class CheckSerializer(ScopedOutput):
    checked_by_name = serializers.SerializerMethodField()

    class Meta:
        model = EffectivenessCheck
        fields = [
            "id",
            "checked_by",
            "checked_by_name",
            "checked_on",
            "verdict",
            "evidence",
            "follow_up_audit",
        ]
        read_only_fields = fields

    def get_checked_by_name(self, check) -> str:
        return _person(check.checked_by)


class ActionSerializer(ScopedOutput):
    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "finding",
            "description",
            "owner_side",
            "supplier_owner",
            "client_owner",
            "due_date",
            "status",
            "completed_on",
        ]
        read_only_fields = fields


class FindingSupplierSerializer(ScopedOutput):
    """What the supplier sees of a finding: everything but the client's internal note."""

    actions = ActionSerializer(many=True, read_only=True)
    checks = CheckSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "audit",
            "checklist_item",
            "supplier_report",
            "reference",
            "title",
            "description",
            "grade",
            "clause",
            "root_cause",
            "services",
            "client_priority",
            "status",
            "closed_at",
            "actions",
            "checks",
        ]
        read_only_fields = fields


class FindingClientSerializer(FindingSupplierSerializer):
    class Meta(FindingSupplierSerializer.Meta):
        fields = [*FindingSupplierSerializer.Meta.fields, "client_note"]
        read_only_fields = fields


class ImpactFigureSerializer(serializers.Serializer):
    source = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField()
    unit = serializers.CharField()
    severity = serializers.FloatField()


class RankedFindingSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    # The rows are plain dicts from the lean ranking (no Finding instances).
    finding = serializers.IntegerField()
    title = serializers.CharField()
    grade = serializers.CharField()
    contract_reference = serializers.CharField()
    client_priority = serializers.IntegerField(source="priority", allow_null=True)
    end_user_impact = serializers.FloatField(source="impact", allow_null=True)
    score = serializers.FloatField(allow_null=True)
    figures = serializers.SerializerMethodField()

    @extend_schema_field(ImpactFigureSerializer(many=True, allow_null=True))
    def get_figures(self, row):
        if row["figures"] is None:
            return None
        # One figures serializer for all the rows (a new one per row cost more than the rest
        # of a ranking of 2,000 findings).
        if not hasattr(self, "_figures"):
            self._figures = ImpactFigureSerializer(many=True)
        return self._figures.to_representation(row["figures"])


# --- input ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A related id whose choices the enclosing serializer derives from the caller's access."""

    def get_queryset(self):
        field = self.parent if isinstance(self.parent, serializers.ManyRelatedField) else self
        serializer = field.parent
        return serializer.choices(field.field_name, serializer.context.get("access"))


class _Scoped(serializers.Serializer):
    """An input serializer whose related choices come from the caller's access."""

    def choices(self, name, access):
        if access is None:
            return get_user_model().objects.none()
        if name == "contract":
            return contract_list(access=access)
        if name == "services":
            return service_list(access=access)
        if name in ("lead_auditor", "observers", "supplier_owner", "client_owner"):
            return people_queryset(access)
        if name in ("follow_up_of", "audit", "follow_up_audit"):
            return audit_list(access=access)
        if name == "finding":
            return finding_list(access=access)
        if name == "checklist_item":
            return ChecklistItem.objects.filter(
                organisation=access.organisation, audit__in=audit_list(access=access).values("pk")
            )
        raise AssertionError(name)


class ClauseListField(serializers.ListField):
    child = serializers.ChoiceField(choices=CLAUSE_CODES)


class ProgrammeCreateSerializer(_Scoped):
    contract = ScopedPK()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    recurrence = serializers.ChoiceField(choices=AuditProgramme.Recurrence.choices)
    level = serializers.ChoiceField(choices=Level.choices, default=Level.BOTH)
    clauses = ClauseListField(required=False, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    audit_type = serializers.ChoiceField(choices=Audit.Type.choices, default=Audit.Type.SUPPLIER_QA)
    plan_audits = serializers.BooleanField(default=True)


class AuditCreateSerializer(_Scoped):
    contract = ScopedPK()
    title = serializers.CharField(max_length=200)
    audit_type = serializers.ChoiceField(choices=Audit.Type.choices)
    level = serializers.ChoiceField(choices=Level.choices, default=Level.BOTH)
    planned_date = serializers.DateField()
    processes = serializers.CharField(required=False, allow_blank=True, default="")
    clauses = ClauseListField(required=False, default=list)
    services = ScopedPK(many=True, required=False)
    lead_auditor = ScopedPK(required=False, allow_null=True)
    observers = ScopedPK(many=True, required=False)
    follow_up_of = ScopedPK(required=False, allow_null=True)


class AuditUpdateSerializer(_Scoped):
    title = serializers.CharField(max_length=200, required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    planned_date = serializers.DateField(required=False)
    actual_date = serializers.DateField(required=False, allow_null=True)
    processes = serializers.CharField(required=False, allow_blank=True)
    clauses = ClauseListField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    services = ScopedPK(many=True, required=False)
    lead_auditor = ScopedPK(required=False, allow_null=True)
    observers = ScopedPK(many=True, required=False)


class AuditTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Audit.Status.choices)


class ChecklistItemUpdateSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=Result.choices)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    interviewee_role = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120
    )


class FindingCreateSerializer(_Scoped):
    audit = ScopedPK()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    grade = serializers.ChoiceField(choices=Result.choices)
    clause = serializers.ChoiceField(choices=CLAUSE_CODES, required=False, allow_blank=True)
    root_cause = serializers.CharField(required=False, allow_blank=True, default="")
    services = ScopedPK(many=True, required=False)
    checklist_item = ScopedPK(required=False, allow_null=True)


class FindingRespondSerializer(_Scoped):
    root_cause = serializers.CharField()
    services = ScopedPK(many=True, required=False)


class PrioritySerializer(serializers.Serializer):
    client_priority = serializers.IntegerField(min_value=1, max_value=5, allow_null=True)
    client_note = serializers.CharField(required=False, allow_blank=True)


class CheckCreateSerializer(_Scoped):
    verdict = serializers.ChoiceField(choices=EffectivenessCheck.Verdict.choices)
    evidence = serializers.CharField()
    checked_on = serializers.DateField(required=False)
    follow_up_audit = ScopedPK(required=False, allow_null=True)


class ActionCreateSerializer(_Scoped):
    finding = ScopedPK()
    description = serializers.CharField()
    owner_side = serializers.ChoiceField(choices=CorrectiveAction.OwnerSide.choices)
    supplier_owner = ScopedPK(required=False, allow_null=True)
    client_owner = ScopedPK(required=False, allow_null=True)
    due_date = serializers.DateField()


class ActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CorrectiveAction.Status.choices)


class ChecklistItemCreateSerializer(_Scoped):
    """An auditor's own question on the audit's checklist."""

    audit = ScopedPK()
    question = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices, default=Level.BOTH)
    clause = serializers.ChoiceField(choices=CLAUSE_CODES, required=False, allow_blank=True)


class FindingsField(serializers.JSONField):
    """A JSON array of finding rows: a list in a JSON body, or a string holding the JSON array
    in a multipart form (next to the PDF)."""

    def to_internal_value(self, data):
        if isinstance(data, (str, bytes)):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("Send the findings as a JSON array.")) from None
        if not isinstance(data, list):
            raise serializers.ValidationError(_("Send the findings as a JSON array."))
        return data


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "reference": {"type": "string", "maxLength": 40},
                "title": {"type": "string", "maxLength": 200},
                "grade": {"type": "string", "example": "major_nc"},
                "clause": {"type": "string", "example": "8.5"},
                "description": {"type": "string"},
                "root_cause": {"type": "string"},
                "services": {
                    "type": "array",
                    "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                },
            },
            "required": ["title", "grade", "description"],
        },
    }
)
class DocumentedFindingsField(FindingsField):
    pass


class SharedReportSerializer(serializers.Serializer):
    """Input: the supplier's internal audit report (PDF `file`, multipart) with its findings as
    JSON rows (`findings`) or a CSV/XLSX `findings_file`; neither means a report without
    findings."""

    file = serializers.FileField(
        allow_empty_file=True, help_text="The internal audit report (PDF, at most 10 MB)."
    )
    findings = DocumentedFindingsField(
        required=False,
        help_text=(
            "Finding rows [{reference, title, grade, clause, description, root_cause, "
            "services}]; in multipart a string holding the JSON array. `services`: ids or "
            "names of the contract's services."
        ),
    )
    findings_file = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text="The findings as .csv or .xlsx with the columns reference, title, grade, "
        "clause, description, root_cause, services (names separated by semicolons).",
    )
    actual_date = serializers.DateField(
        required=False, help_text="When the internal audit was held (default: kept or today)."
    )
    summary = serializers.CharField(required=False, allow_blank=True)
    mark_reported = serializers.BooleanField(
        required=False, default=True, help_text="Move the audit to reported (default true)."
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Validate only; store nothing."
    )

    def validate(self, attrs):
        if "findings" in attrs and attrs.get("findings_file"):
            raise serializers.ValidationError(
                _("Send the findings as JSON rows or as a file, not both.")
            )
        return attrs


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class FindingPreviewSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    grade = serializers.CharField()
    clause = serializers.CharField()
    services = serializers.ListField(child=serializers.IntegerField())


class SharedReportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.BooleanField()
    problems = ImportProblemSerializer(many=True)
    rows = FindingPreviewSerializer(many=True)
    report = SupplierReportSerializer(allow_null=True)
    findings = serializers.ListField(child=serializers.IntegerField())
