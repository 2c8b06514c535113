"""Audit API: programmes, audits, checklist items, findings (with the ranking) and corrective
actions. Writes go through audits.services, which decide who may do what; a rule broken is a
400 naming field and reason, an action the caller may not take a 403."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from audits import selectors, services
from audits.api.serializers import (
    ActionCreateSerializer,
    ActionSerializer,
    ActionUpdateSerializer,
    AuditCreateSerializer,
    AuditSerializer,
    AuditTransitionSerializer,
    AuditUpdateSerializer,
    CheckCreateSerializer,
    ChecklistItemCreateSerializer,
    ChecklistItemSerializer,
    ChecklistItemUpdateSerializer,
    CheckSerializer,
    FindingClientSerializer,
    FindingCreateSerializer,
    FindingRespondSerializer,
    FindingSupplierSerializer,
    PrioritySerializer,
    ProgrammeCreateSerializer,
    ProgrammeSerializer,
    RankedFindingSerializer,
    SharedReportResultSerializer,
    SharedReportSerializer,
)
from audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Finding,
    SupplierReport,
)
from audits.permissions import may_set_priority, may_upload_report
from governance.platform.api import ScopedReadViewSet
from governance.platform.concurrency import VersionedViewSetMixin
from governance.platform.history_api import HistoryActionMixin


def _call(service, **kwargs):
    """Run a service; its ValidationError becomes a 400 with the same field names."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(error.message_dict) from error
        raise ValidationError({"detail": error.messages}) from error


class AuditsViewSet(ScopedReadViewSet):
    """Base of the audit endpoints, which suppliers and client auditors write to as well."""

    def may_write(self, access) -> bool:
        # Suppliers and client auditors/managers write; each service checks the object.
        return access.may("audits.record")


def _choice_param(request, name, choices) -> str:
    """A filter on one of `choices`: absent or blank is no filter, anything else a 400 naming
    the parameter."""
    value = request.query_params.get(name, "").strip()
    if value and value not in choices:
        raise ValidationError(
            {name: [_("Select a valid choice. That choice is not one of the available choices.")]}
        )
    return value


# The largest id or year a database column holds; beyond it a filter cannot match anything.
INT_LIMIT = 2**31 - 1


def _year_param(request, name="year"):
    """A year filter: a whole number from 1 to 9999 (a calendar year), else a 400."""
    year = _int_param(request, name)
    if year is not None and not 1 <= year <= 9999:
        raise ValidationError({name: [_("Enter a whole number.")]})
    return year


def _int_param(request, name):
    """A whole-number filter: absent or blank is no filter, anything else not a number a 400
    naming the parameter."""
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None
    if abs(number) > INT_LIMIT:
        raise ValidationError({name: [_("Enter a whole number.")]})
    return number


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Only this year's programmes."),
            OpenApiParameter("contract", int, description="Only this contract's programmes."),
        ]
    ),
    create=extend_schema(
        request=ProgrammeCreateSerializer,
        responses={201: ProgrammeSerializer},
        description=(
            "Plan a contract's yearly programme; with `plan_audits` (default) one planned audit "
            "per interval of the recurrence is created."
        ),
    ),
)
class ProgrammeViewSet(
    VersionedViewSetMixin, HistoryActionMixin, mixins.CreateModelMixin, AuditsViewSet
):
    """Yearly audit programmes per contract (and so per supplier)."""

    model = AuditProgramme

    def visible(self):
        return selectors.programme_list(
            access=self.access,
            year=_year_param(self.request),
            contract_id=_int_param(self.request, "contract"),
        )

    def get_serializer_class(self):
        return ProgrammeCreateSerializer if self.action == "create" else ProgrammeSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = _call(
            services.programme_create, access=self.access, **serializer.validated_data
        )
        return Response(ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={201: ProgrammeSerializer},
        description=(
            "Next year's programme of the same contract from this one: the same recurrence, "
            "level, clauses and notes. The client plans it with its audits (accepting the "
            "supplier's proposal for that year if there is one); the contract's supplier "
            'proposes it (`status` "proposed", no audits) for the client to accept. 400 '
            "when that year has a programme already."
        ),
    )
    @action(detail=True, methods=["post"], url_path="next-year")
    def next_year(self, request, pk=None, **kwargs):
        """The yearly recurrence of the plan: next year's programme from this one."""
        programme = self.get_object()
        write = (
            services.programme_propose_next_year
            if self.access.is_supplier
            else services.programme_next_year
        )
        planned = _call(write, access=self.access, programme=programme)
        return Response(ProgrammeSerializer(planned).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Search title, contract and processes."),
            OpenApiParameter("status", str, enum=Audit.Status.values),
            OpenApiParameter("type", str, enum=Audit.Type.values),
            OpenApiParameter("contract", int),
            OpenApiParameter("year", int),
        ]
    ),
    create=extend_schema(request=AuditCreateSerializer, responses={201: AuditSerializer}),
    partial_update=extend_schema(request=AuditUpdateSerializer, responses={200: AuditSerializer}),
)
class AuditViewSet(VersionedViewSetMixin, HistoryActionMixin, AuditsViewSet):
    """Audits with type, level, scope, clauses, dates, auditors and status."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    model = Audit

    def visible(self):
        request = self.request
        return selectors.audit_list(
            access=self.access,
            search=request.query_params.get("q", ""),
            status=_choice_param(request, "status", Audit.Status.values),
            audit_type=_choice_param(request, "type", Audit.Type.values),
            contract_id=_int_param(request, "contract"),
            year=_year_param(request),
        ).prefetch_related(
            "services",
            "observers",
            Prefetch("supplier_reports", queryset=SupplierReport.objects.defer("content")),
        )

    def get_serializer_class(self):
        return {
            "create": AuditCreateSerializer,
            "partial_update": AuditUpdateSerializer,
            "transition": AuditTransitionSerializer,
        }.get(self.action, AuditSerializer)

    def _output(self, audit):
        return AuditSerializer(self.get_queryset().get(pk=audit.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        audit = _call(services.audit_create, access=self.access, **serializer.validated_data)
        return Response(self._output(audit), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        audit = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        audit = _call(
            services.audit_update,
            access=self.access,
            audit=audit,
            services=data.pop("services", None),
            observers=data.pop("observers", None),
            **data,
        )
        return Response(self._output(audit))

    @extend_schema(request=AuditTransitionSerializer, responses={200: AuditSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None, **kwargs):
        """Move the audit on: planned → in_progress → reported → closed."""
        audit = self.get_object()
        serializer = AuditTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        audit = _call(
            services.audit_transition,
            access=self.access,
            audit=audit,
            status=serializer.validated_data["status"],
        )
        return Response(self._output(audit))

    @extend_schema(
        request={"multipart/form-data": SharedReportSerializer},
        responses={
            201: SharedReportResultSerializer,
            200: SharedReportResultSerializer,
            400: SharedReportResultSerializer,
        },
        description=(
            "The supplier shares its internal audit report for an audit of type "
            "`shared_report`: the PDF `file` with its structured findings, as JSON rows "
            "(`findings`, a JSON array string in the multipart form) or a CSV/XLSX "
            "`findings_file`. Everything is validated as a whole: 400 lists every problem (row, "
            "column, value, message) and stores nothing. `dry_run=true` validates only (200). "
            "Stored (201): the audit is in progress with the given `actual_date`, the report "
            "and the findings are recorded, and with `mark_reported` (default) the audit is "
            "reported. The findings are ranked and prioritised like any other. Only the "
            "contract's supplier may share (403 otherwise)."
        ),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="shared-report",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def shared_report(self, request, pk=None, **kwargs):
        """Share the supplier's internal audit report (PDF) with its findings, in one go."""
        audit = self.get_object()
        if not may_upload_report(self.access, audit):
            raise PermissionDenied
        serializer = SharedReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload, findings_file = data["file"], data.get("findings_file")
        result = services.shared_report_submit(
            access=self.access,
            audit=audit,
            name=upload.name,
            content=upload.read(),
            json_rows=data.get("findings"),
            findings_file=(findings_file.name, findings_file.read()) if findings_file else None,
            actual_date=data.get("actual_date"),
            summary=data.get("summary"),
            mark_reported=data["mark_reported"],
            dry_run=data["dry_run"],
        )
        body = {
            "dry_run": result.dry_run,
            "created": result.report is not None,
            "problems": [p.as_dict() for p in result.problems],
            "rows": [
                {
                    "row": r.row,
                    "reference": r.reference,
                    "title": r.title,
                    "grade": r.grade,
                    "clause": r.clause,
                    "services": [s.pk for s in r.services],
                }
                for r in result.rows
            ],
            "report": result.report,
            "findings": [f.pk for f in result.findings],
        }
        if result.problems:
            code = status.HTTP_400_BAD_REQUEST
        elif result.report is not None:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_200_OK
        return Response(SharedReportResultSerializer(body).data, status=code)

    @extend_schema(request=None, responses={200: ChecklistItemSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="generate-checklist")
    def generate_checklist(self, request, pk=None, **kwargs):
        """Add the checklist from the contract's agreed way of working and the standard set."""
        audit = self.get_object()
        _call(services.checklist_generate, access=self.access, audit=audit)
        items = selectors.checklist_for_audit(audit=audit)
        return Response(ChecklistItemSerializer(items, many=True).data)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("audit", int)]),
    create=extend_schema(
        request=ChecklistItemCreateSerializer,
        responses={201: ChecklistItemSerializer},
        description="Add an auditor's own question to a planned or in-progress audit.",
    ),
    partial_update=extend_schema(
        request=ChecklistItemUpdateSerializer, responses={200: ChecklistItemSerializer}
    ),
)
class ChecklistItemViewSet(VersionedViewSetMixin, HistoryActionMixin, AuditsViewSet):
    """Checklist items with their result, evidence and the interviewee's role (no names);
    auditors add their own questions while the audit is planned or in progress."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return {
            "create": ChecklistItemCreateSerializer,
            "partial_update": ChecklistItemUpdateSerializer,
        }.get(self.action, ChecklistItemSerializer)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = _call(services.checklist_item_add, access=self.access, **serializer.validated_data)
        return Response(ChecklistItemSerializer(item).data, status=status.HTTP_201_CREATED)

    model = ChecklistItem

    def visible(self):
        queryset = selectors.checklist_item_list(access=self.access).order_by(
            "audit", "position", "pk"
        )
        if audit_id := _int_param(self.request, "audit"):
            queryset = queryset.filter(audit_id=audit_id)
        return queryset

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = ChecklistItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = _call(
            services.checklist_item_record,
            access=self.access,
            item=item,
            **serializer.validated_data,
        )
        return Response(ChecklistItemSerializer(item).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("grade", str),
            OpenApiParameter("status", str, enum=Finding.Status.values),
            OpenApiParameter("contract", int),
            OpenApiParameter("audit", int),
        ],
        responses=FindingClientSerializer(many=True),
        description="`client_note` is present for client users only.",
    ),
    retrieve=extend_schema(responses=FindingClientSerializer),
    create=extend_schema(request=FindingCreateSerializer, responses={201: FindingClientSerializer}),
    partial_update=extend_schema(
        request=FindingRespondSerializer, responses={200: FindingClientSerializer}
    ),
)
class FindingViewSet(VersionedViewSetMixin, HistoryActionMixin, AuditsViewSet):
    """Findings with grade, root cause, affected services, the client's priority, actions and
    effectiveness checks; `ranking` gives the ranked bottlenecks with their end-user impact."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def may_write(self, access) -> bool:
        # The client's priority is also the business owner's to set.
        if self.action == "priority":
            return access.may("audits.prioritise")
        return super().may_write(access)

    model = Finding

    def visible(self):
        request = self.request
        return selectors.finding_list(
            access=self.access,
            search=request.query_params.get("q", ""),
            grade=request.query_params.get("grade", ""),
            status=_choice_param(request, "status", Finding.Status.values),
            contract_id=_int_param(request, "contract"),
            audit_id=_int_param(request, "audit"),
        ).order_by("pk")

    def output_class(self):
        access = getattr(self.request, "access", None)
        if access is not None and access.is_supplier:
            return FindingSupplierSerializer
        return FindingClientSerializer

    def get_serializer_class(self):
        return {
            "create": FindingCreateSerializer,
            "partial_update": FindingRespondSerializer,
            "priority": PrioritySerializer,
            "effectiveness_check": CheckCreateSerializer,
            "ranking": RankedFindingSerializer,
        }.get(self.action) or self.output_class()

    def _output(self, finding):
        return self.output_class()(self.get_queryset().get(pk=finding.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        finding = _call(services.finding_create, access=self.access, **serializer.validated_data)
        return Response(self._output(finding), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        finding = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _call(
            services.finding_respond,
            access=self.access,
            finding=finding,
            **serializer.validated_data,
        )
        return Response(self._output(finding))

    @extend_schema(request=PrioritySerializer, responses={200: FindingClientSerializer})
    @action(detail=True, methods=["post"])
    def priority(self, request, pk=None, **kwargs):
        """The client's priority (1–5, null to clear): contract managers and business owners."""
        finding = self.get_object()
        if not may_set_priority(self.access):
            raise PermissionDenied
        serializer = PrioritySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _call(
            services.finding_set_priority,
            access=self.access,
            finding=finding,
            priority=serializer.validated_data["client_priority"],
            note=serializer.validated_data.get("client_note"),
        )
        return Response(self._output(finding))

    @extend_schema(request=CheckCreateSerializer, responses={201: CheckSerializer})
    @action(detail=True, methods=["post"], url_path="effectiveness-check")
    def effectiveness_check(self, request, pk=None, **kwargs):
        """Record an effectiveness check; an effective verdict closes the finding."""
        finding = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = _call(
            services.effectiveness_check_record,
            access=self.access,
            finding=finding,
            **serializer.validated_data,
        )
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: FindingClientSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, **kwargs):
        """Close the finding: refused without an effective effectiveness check."""
        finding = self.get_object()
        _call(services.finding_close, access=self.access, finding=finding)
        return Response(self._output(finding))

    @extend_schema(
        parameters=[OpenApiParameter("contract", int), OpenApiParameter("grade", str)],
        responses={200: RankedFindingSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def ranking(self, request, **kwargs):
        """Open findings (strengths left out) ranked by the client's priority and the
        end-user impact; `end_user_impact` and `figures` are null when no data is known."""
        ranked = selectors.bottleneck_ranking(
            access=self.access,
            contract_id=_int_param(request, "contract"),
            grade=request.query_params.get("grade", ""),
        )
        # Every open finding, but only three of its columns: read as values, not as models.
        rows = [
            {
                "rank": n,
                "finding": r.entry.pk,
                "title": columns["title"],
                "grade": r.entry.grade,
                "contract_reference": columns["audit__contract__reference"],
                "priority": r.priority,
                "impact": r.impact,
                "score": r.score,
                "figures": r.figures,
            }
            for n, (r, columns) in enumerate(
                ranked.values("title", "audit__contract__reference"), start=1
            )
        ]
        return Response(RankedFindingSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("owner_side", str, enum=CorrectiveAction.OwnerSide.values),
            OpenApiParameter("status", str, enum=CorrectiveAction.Status.values),
            OpenApiParameter("finding", int),
        ]
    ),
    create=extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer}),
    partial_update=extend_schema(request=ActionUpdateSerializer, responses={200: ActionSerializer}),
)
class ActionViewSet(VersionedViewSetMixin, HistoryActionMixin, AuditsViewSet):
    """Corrective actions: owner side (supplier, client, joint), owners, due date, status."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def may_write(self, access) -> bool:
        # Action owners at the client may be business owners; the service checks the object.
        return access.is_supplier or access.is_client

    model = CorrectiveAction

    def visible(self):
        request = self.request
        return selectors.action_list(
            access=self.access,
            owner_side=_choice_param(request, "owner_side", CorrectiveAction.OwnerSide.values),
            status=_choice_param(request, "status", CorrectiveAction.Status.values),
            finding_id=_int_param(request, "finding"),
        )

    def get_serializer_class(self):
        return {
            "create": ActionCreateSerializer,
            "partial_update": ActionUpdateSerializer,
        }.get(self.action, ActionSerializer)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = _call(services.action_create, access=self.access, **serializer.validated_data)
        return Response(ActionSerializer(created).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = ActionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = _call(
            services.action_update,
            access=self.access,
            action=item,
            status=serializer.validated_data["status"],
        )
        return Response(ActionSerializer(item).data)
