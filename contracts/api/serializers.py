from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.forms import LEVEL_FIELDS
from contracts.models import (
    Contract,
    Measurement,
    Service,
    ServiceHours,
    ServiceLevel,
    ServiceLevelDimension,
    SLAReport,
)
from contracts.selectors import contract_list
from contracts.uploads import MAX_UPLOAD_BYTES
from governance.platform.api import ScopedModelSerializer


class ContractSerializer(ScopedModelSerializer):
    """The contract as every audience of the API sees it (no client-internal fields)."""

    supplier = serializers.CharField(source="supplier.name", read_only=True)
    next_notice_deadline = serializers.SerializerMethodField()
    current_term_end = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "title",
            "supplier",
            "description",
            "status",
            "start_date",
            "end_date",
            "current_term_end",
            "notice_period_months",
            "renewal",
            "renewal_term_months",
            "next_notice_deadline",
            "value",
            "currency",
            "report_window_opens_day",
            "report_window_closes_day",
            "late_reports_until_day",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_notice_deadline(self, contract):
        return contract.next_notice_deadline()


class ServiceHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceHours
        fields = ["weekday", "opens", "closes"]
        read_only_fields = fields


class ServiceSerializer(ScopedModelSerializer):
    opening_hours = ServiceHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "contract",
            "name",
            "description",
            "criticality",
            "open_on_holidays",
            "opening_hours",
        ]
        read_only_fields = fields


class DimensionMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceLevelDimension
        fields = ["dimension", "weight"]
        read_only_fields = fields


class ServiceLevelSerializer(ScopedModelSerializer):
    dimensions = DimensionMappingSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceLevel
        fields = ["id", "contract", "service", *LEVEL_FIELDS, "valid_to", "dimensions"]
        read_only_fields = fields


class MeasurementSerializer(ScopedModelSerializer):
    code = serializers.CharField(source="service_level.code", read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "report",
            "service_level",
            "code",
            "value",
            "state",
            "deviation_cause",
            "deviation_impact",
            "deviation_action",
            "dispute_reason",
        ]
        read_only_fields = fields


class SLAReportSerializer(ScopedModelSerializer):
    measurements = MeasurementSerializer(many=True, read_only=True)

    class Meta:
        model = SLAReport
        fields = [
            "id",
            "contract",
            "period_start",
            "period_end",
            "version",
            "status",
            "is_current",
            "is_late",
            "submitted_at",
            "reviewed_at",
            "appeal_reason",
            "source_name",
            "checksum",
            "measurements",
        ]
        read_only_fields = fields


class SLAReportListSerializer(SLAReportSerializer):
    class Meta(SLAReportSerializer.Meta):
        fields = [f for f in SLAReportSerializer.Meta.fields if f != "measurements"]
        read_only_fields = fields


class ReportRowSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, required=False, default="")
    # Text, so "98,5" and non-numbers reach the row validation and are reported per row.
    value = serializers.CharField(allow_blank=True, required=False, default="")
    cause = serializers.CharField(allow_blank=True, required=False, default="")
    impact = serializers.CharField(allow_blank=True, required=False, default="")
    corrective_action = serializers.CharField(allow_blank=True, required=False, default="")


class SLAReportUploadSerializer(ScopedModelSerializer):
    """Input: a report for one contract and month, as a CSV/XLSX `file` (multipart) or as
    JSON `rows`. With `dry_run` (default false) nothing is stored."""

    period = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", help_text="The month reported, YYYY-MM."
    )
    file = serializers.FileField(
        required=False, allow_empty_file=True, help_text=_("A .csv or .xlsx file.")
    )
    rows = ReportRowSerializer(many=True, required=False)
    dry_run = serializers.BooleanField(required=False, default=False)
    submit = serializers.BooleanField(
        required=False, default=True, help_text="False stores a draft to submit later."
    )

    class Meta:
        model = SLAReport
        fields = ["contract", "period", "file", "rows", "dry_run", "submit"]

    def get_fields(self):
        fields = super().get_fields()
        access = self.context.get("access")
        if access is not None:
            # Only the user's own contracts: another supplier's contract id is a 400 as well.
            fields["contract"].queryset = contract_list(access=access)
        return fields

    def validate_file(self, upload):
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // 2**20}
            )
        return upload

    def validate(self, attrs):
        if bool(attrs.get("file")) == ("rows" in attrs):
            raise serializers.ValidationError(_("Send either a file or rows, not both or neither."))
        return attrs


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class UploadPreviewRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    code = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    state = serializers.CharField()


class UploadResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.BooleanField()
    problems = ProblemSerializer(many=True)
    rows = UploadPreviewRowSerializer(many=True)
    report = SLAReportSerializer(allow_null=True)


class DisputeItemSerializer(serializers.Serializer):
    measurement = serializers.IntegerField()
    reason = serializers.CharField()


class DisputeSerializer(serializers.Serializer):
    reasons = DisputeItemSerializer(many=True, allow_empty=False)


class AppealSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
