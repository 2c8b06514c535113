from datetime import date

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from contracts import selectors, services
from contracts.api.filters import (
    ContractFilter,
    MeasurementFilter,
    ServiceFilter,
    ServiceLevelFilter,
    SLAReportFilter,
)
from contracts.api.register import RegisterWriteMixin, register_writes
from contracts.api.serializers import (
    AppealSerializer,
    ContractSerializer,
    DisputeSerializer,
    ErrorSerializer,
    MeasurementSerializer,
    ServiceLevelSerializer,
    ServiceSerializer,
    SLAReportListSerializer,
    SLAReportSerializer,
    SLAReportUploadSerializer,
    UploadResultSerializer,
)
from contracts.api.writes import (
    ContractCreateSerializer,
    ContractUpdateSerializer,
    ServiceCreateSerializer,
    ServiceLevelAmendSerializer,
    ServiceLevelCreateSerializer,
    ServiceUpdateSerializer,
    error_body,
)
from contracts.models import Contract, Measurement, Service, ServiceLevel, SLAReport
from contracts.permissions import may_manage_contract, may_review_report, may_upload_report
from governance.platform.api import ScopedReadViewSet
from governance.platform.concurrency import VersionedViewSetMixin
from governance.platform.history_api import HistoryActionMixin


@register_writes(
    ContractSerializer,
    ContractCreateSerializer,
    ContractUpdateSerializer,
    "a contract's terms (dates, notice, renewal, value, reporting calendar)",
)
class ContractViewSet(
    VersionedViewSetMixin, HistoryActionMixin, RegisterWriteMixin, ScopedReadViewSet
):
    """Contracts of the organisation; a supplier's user sees its own contracts only. Contract
    managers create them and change their terms."""

    serializer_class = ContractSerializer
    create_serializer_class = ContractCreateSerializer
    update_serializer_class = ContractUpdateSerializer
    search_fields = ["reference", "title", "supplier__name"]
    ordering_fields = ["reference", "title", "end_date"]
    filterset_class = ContractFilter
    model = Contract

    def visible(self):
        return selectors.contract_list(access=self.access)


@register_writes(
    ServiceSerializer,
    ServiceCreateSerializer,
    ServiceUpdateSerializer,
    "a service of a contract with its weekly window",
)
class ServiceViewSet(
    VersionedViewSetMixin, HistoryActionMixin, RegisterWriteMixin, ScopedReadViewSet
):
    """Services with their service window (opening hours per weekday, 0 = Monday)."""

    serializer_class = ServiceSerializer
    create_serializer_class = ServiceCreateSerializer
    update_serializer_class = ServiceUpdateSerializer
    filterset_class = ServiceFilter
    search_fields = ["name"]
    model = Service

    def visible(self):
        return selectors.service_list(access=self.access).order_by("contract", "name")


@extend_schema_view(
    create=extend_schema(
        request=ServiceLevelCreateSerializer,
        responses={
            201: ServiceLevelSerializer,
            400: error_body(ServiceLevelCreateSerializer),
            403: ErrorSerializer,
        },
        description=(
            "Agree a new service level of a contract. Its code must be new to the contract: "
            "changing an agreed level is an amendment (`amend`)."
        ),
    ),
)
class ServiceLevelViewSet(
    VersionedViewSetMixin, HistoryActionMixin, mixins.CreateModelMixin, ScopedReadViewSet
):
    """Service level versions with their perception-dimension mappings. An agreed level is
    never changed in place: an amendment adds the next version."""

    serializer_class = ServiceLevelSerializer
    filterset_class = ServiceLevelFilter
    search_fields = ["code", "name"]
    model = ServiceLevel
    parser_classes = [JSONParser]

    def visible(self):
        return selectors.service_level_list(access=self.access).order_by(
            "contract", "code", "valid_from"
        )

    def may_write(self, access) -> bool:
        return may_manage_contract(access)

    def get_serializer_class(self):
        return {
            "create": ServiceLevelCreateSerializer,
            "amend": ServiceLevelAmendSerializer,
        }.get(self.action, ServiceLevelSerializer)

    @extend_schema(
        request=ServiceLevelAmendSerializer,
        responses={
            201: ServiceLevelSerializer,
            400: error_body(ServiceLevelAmendSerializer),
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, *args, **kwargs):
        """Amend the version in force from `valid_from`: it ends the day before and the answer
        is the new version with the same code. Periods already reported stay judged by the old
        version, so an amendment starts after the last reported period."""
        level = self.get_object()
        serializer = self.get_serializer(
            data=request.data, context={**self.get_serializer_context(), "level": level}
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(
        request={
            "multipart/form-data": SLAReportUploadSerializer,
            "application/json": SLAReportUploadSerializer,
        },
        responses={
            201: UploadResultSerializer,
            200: UploadResultSerializer,
            400: UploadResultSerializer,
            403: ErrorSerializer,
        },
        description=(
            "Upload the supplier's report for a contract and month, as a CSV/XLSX `file` "
            "(multipart) or JSON `rows` [{code, value, cause, impact, corrective_action}]. "
            "Validated as a whole: 400 lists every problem (row, column, value, message) and "
            "stores nothing. `dry_run=true` validates only (200). A stored report is 201; the "
            "same content for the same period again is 200 with `created=false`."
        ),
    ),
)
class SLAReportViewSet(VersionedViewSetMixin, HistoryActionMixin, ScopedReadViewSet):
    """SLA reports (every version) with their measurements, and the review actions."""

    filterset_class = SLAReportFilter
    ordering_fields = ["period_start", "version"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    model = SLAReport

    def visible(self):
        queryset = selectors.sla_report_list(access=self.access)
        if self.action != "list":
            queryset = queryset.prefetch_related("measurements__service_level")
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return SLAReportListSerializer
        if self.action == "create":
            return SLAReportUploadSerializer
        return {
            "dispute": DisputeSerializer,
            "appeal": AppealSerializer,
        }.get(self.action, SLAReportSerializer)

    def may_write(self, access) -> bool:
        # Suppliers upload and appeal, client managers review; each action checks its own.
        return access.is_supplier or may_review_report(access)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        contract = data["contract"]
        if not may_upload_report(self.access, contract):
            raise PermissionDenied
        year, month = (int(p) for p in data["period"].split("-"))
        upload = data.get("file")
        result = services.sla_report_upload(
            access=self.access,
            contract=contract,
            period_start=date(year, month, 1),
            content=upload.read() if upload else b"",
            name=upload.name if upload else "rows.json",
            content_type=(upload.content_type or "") if upload else "application/json",
            json_rows=[dict(row) for row in data["rows"]] if "rows" in data else None,
            dry_run=data["dry_run"],
            submit=data["submit"],
        )
        report = result.report
        if report is not None:
            report = (
                self.get_queryset()
                .prefetch_related("measurements__service_level")
                .get(pk=report.pk)
            )
        body = {
            "dry_run": result.dry_run,
            "created": result.created,
            "problems": [p.as_dict() for p in result.problems],
            "rows": [
                {"row": r.row, "code": r.level.code, "value": r.value, "state": r.state}
                for r in result.rows
            ],
            "report": report,
        }
        if result.problems:
            code = status.HTTP_400_BAD_REQUEST
        elif result.created:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_200_OK
        return Response(
            UploadResultSerializer(body, context=self.get_serializer_context()).data, status=code
        )

    def _review(self, request, service, **kwargs):
        report = self.get_object()
        try:
            service(access=self.access, report=report, **kwargs)
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=400)
        report = self.get_queryset().get(pk=report.pk)
        return Response(SLAReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: SLAReportSerializer, 400: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """The client accepts a submitted or appealed report (contract managers)."""
        if not may_review_report(self.access):
            raise PermissionDenied
        return self._review(request, services.sla_report_accept)

    @extend_schema(responses={200: SLAReportSerializer, 400: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def dispute(self, request, *args, **kwargs):
        """The client disputes measurements, each with a reason (contract managers)."""
        if not may_review_report(self.access):
            raise PermissionDenied
        self.get_object()  # 404 before any validation answer
        serializer = DisputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reasons = {
            item["measurement"]: item["reason"] for item in serializer.validated_data["reasons"]
        }
        return self._review(request, services.sla_report_dispute, reasons=reasons)

    @extend_schema(responses={200: SLAReportSerializer, 400: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request, *args, **kwargs):
        """The supplier stands by a disputed report and says why."""
        report = self.get_object()
        if not may_upload_report(self.access, report.contract):
            raise PermissionDenied
        serializer = AppealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._review(
            request, services.sla_report_appeal, reason=serializer.validated_data["reason"]
        )

    @extend_schema(request=None, responses={200: SLAReportSerializer, 400: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """The client rejects an appeal: the report is withdrawn and a correction is due."""
        if not may_review_report(self.access):
            raise PermissionDenied
        return self._review(request, services.sla_report_withdraw)

    @extend_schema(request=None, responses={200: SLAReportSerializer, 400: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """The supplier submits a draft version."""
        report = self.get_object()
        if not may_upload_report(self.access, report.contract):
            raise PermissionDenied
        return self._review(request, services.sla_report_submit)


class MeasurementViewSet(VersionedViewSetMixin, HistoryActionMixin, ScopedReadViewSet):
    """Reported values with their judged state and deviation analysis."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    model = Measurement

    def visible(self):
        return selectors.measurement_list(access=self.access)
