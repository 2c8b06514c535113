"""Complaint API serializers, one per audience: the client's team, the supplier (contact details
only with consent, no internal notes), and the public submission."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints import uploads
from complaints.models import (
    DESCRIPTION_MAX,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Impact,
    ImprovementProposal,
    Status,
    no_control_characters,
    phone_validator,
)
from complaints.permissions import may_see_contact
from contracts.selectors import service_list
from governance.platform.access import system_access
from governance.platform.api import ScopedModelSerializer


class ComplaintSerializer(ScopedModelSerializer):
    """A complaint as the client's team and the assigned supplier see it. Contact details are
    empty (and the consent null) unless `may_see_contact` allows them: contract managers, and
    the assigned supplier with the complainant's consent."""

    category = serializers.CharField(source="category.name_nl", read_only=True)
    service = serializers.CharField(source="service.name", read_only=True, allow_null=True)
    assigned_supplier = serializers.CharField(
        source="assigned_supplier.name", read_only=True, allow_null=True
    )
    consent_to_contact = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    resolved_for_me = serializers.SerializerMethodField()
    handling_score = serializers.SerializerMethodField()
    kept_informed = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "status",
            "category",
            "service",
            "description",
            "occurred_at",
            "outside_window",
            "channel",
            "impact",
            "received_at",
            "acknowledge_due",
            "resolve_due",
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "resolution",
            "rejection_reason",
            "assigned_supplier",
            "consent_to_contact",
            "name",
            "email",
            "phone",
            "resolved_for_me",
            "handling_score",
            "kept_informed",
        ]
        read_only_fields = fields

    def _contact(self, complaint, field):
        """Contact details only for whom `may_see_contact` allows (the one rule)."""
        access = self.context.get("access")
        return getattr(complaint, field) if access and may_see_contact(access, complaint) else ""

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_consent_to_contact(self, complaint):
        access = self.context.get("access")
        if access and may_see_contact(access, complaint):
            return complaint.consent_to_contact
        return None

    def get_name(self, complaint) -> str:
        return self._contact(complaint, "name")

    def get_email(self, complaint) -> str:
        return self._contact(complaint, "email")

    def get_phone(self, complaint) -> str:
        return self._contact(complaint, "phone")

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_resolved_for_me(self, complaint):
        verdict = getattr(complaint, "verdict", None)
        return verdict.resolved_for_me if verdict else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_handling_score(self, complaint):
        verdict = getattr(complaint, "verdict", None)
        return verdict.handling_score if verdict else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_kept_informed(self, complaint):
        """The optional answer given with the verdict on the tracking page (1–5)."""
        verdict = getattr(complaint, "verdict", None)
        return verdict.kept_informed if verdict else None


class ComplaintEventSerializer(ScopedModelSerializer):
    complaint = serializers.CharField(source="complaint.reference", read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["id", "complaint", "kind", "at", "party", "from_status", "to_status", "text"]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX)


class VerdictSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_score = serializers.DictField(child=serializers.IntegerField())
    resolved_for_me = serializers.IntegerField()
    not_resolved_for_me = serializers.IntegerField()
    closed_not_resolved = serializers.IntegerField(
        help_text=_("Closed by procedure but not resolved for the complainant.")
    )
    mean_handling_score = serializers.FloatField(allow_null=True)


class StatisticsQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text=_("First day (default: a year ago)."))
    until = serializers.DateField(required=False, help_text=_("Last day (default: today)."))
    service = serializers.IntegerField(
        required=False, help_text=_("A service id: its window is judged in the hour grid.")
    )

    def validate(self, data):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise serializers.ValidationError({"until": _("The period ends before it starts.")})
        return data


class HeadlineSerializer(serializers.Serializer):
    handled = serializers.IntegerField()
    verdicts = serializers.IntegerField()
    closed_not_resolved = serializers.IntegerField(
        help_text=_("Closed by procedure but not resolved for the complainant.")
    )
    not_resolved = serializers.IntegerField()
    mean_handling_score = serializers.FloatField(allow_null=True)
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()


class HourCellSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text=_("0 = Monday"))
    hour = serializers.IntegerField()
    count = serializers.IntegerField()
    inside_window = serializers.BooleanField(allow_null=True)


class NamedCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class MonthTrendSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("YYYY-MM"))
    total = serializers.IntegerField()
    outside_window = serializers.IntegerField()
    not_resolved_for_complainant = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    """The analysis page in figures: the headline, when complaints happened (weekday × hour in
    the organisation's time zone) and how many outside the window, counts per category and
    service over the period, and the last twelve months."""

    since = serializers.DateField()
    until = serializers.DateField()
    headline = HeadlineSerializer()
    total = serializers.IntegerField()
    judged = serializers.IntegerField(help_text=_("Complaints about a known service."))
    outside_window = serializers.IntegerField()
    outside_share_percent = serializers.FloatField(allow_null=True)
    hours = HourCellSerializer(many=True)
    by_category = NamedCountSerializer(many=True)
    by_service = NamedCountSerializer(many=True)
    months = MonthTrendSerializer(many=True)


class ProposalSerializer(ScopedModelSerializer):
    service = serializers.CharField(source="service.name", read_only=True)

    class Meta:
        model = ImprovementProposal
        fields = [
            "id",
            "title",
            "service",
            "weekdays",
            "opens",
            "closes",
            "staff",
            "period_start",
            "period_end",
            "complaints_total",
            "complaints_outside",
            "complaints_avoided",
            "extra_hours_per_week",
            "hourly_rate",
            "annual_cost",
            "avoided_per_year",
            "cost_per_avoided",
            "contacts_per_week",
            "cost_per_contact",
            "contacts_source",
            "benefit",
            "status",
            "decision_note",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class PublicComplaintSerializer(serializers.Serializer):
    """What an end user (or the organisation's intranet on its behalf) submits."""

    service = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("A service id, or null for “don't know”.")
    )
    category = serializers.IntegerField()
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    occurred_at = serializers.DateTimeField(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices)
    impact = serializers.ChoiceField(choices=Impact.choices)
    # Control characters are refused in validate_name/validate_email rather than by a validator
    # on the field: the schema generator would publish the refusing pattern as a required one.
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=20, validators=[phone_validator]
    )
    consent_to_contact = serializers.BooleanField(required=False, default=False)
    language = serializers.ChoiceField(choices=["nl", "en"], required=False, default="nl")

    @staticmethod
    def _one_line(value: str) -> str:
        try:
            no_control_characters(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return value

    def validate_name(self, value):
        return self._one_line(value)

    def validate_email(self, value):
        return self._one_line(value)

    def validate(self, data):
        organisation = self.context["organisation"]
        service_id = data.get("service")
        data["service"] = None
        if service_id is not None:
            service = service_list(access=system_access(organisation)).filter(pk=service_id).first()
            if service is None:
                raise serializers.ValidationError({"service": _("Unknown service.")})
            data["service"] = service
        category = Category.objects.filter(
            organisation=organisation, pk=data["category"], active=True
        ).first()
        if category is None:
            raise serializers.ValidationError({"category": _("Unknown category.")})
        data["category"] = category
        now = timezone.now()
        occurred = data.get("occurred_at") or now
        if occurred > now + timedelta(minutes=5):
            raise serializers.ValidationError({"occurred_at": _("This moment lies in the future.")})
        if occurred < now - timedelta(days=366):
            raise serializers.ValidationError(
                {"occurred_at": _("Complaints can be filed up to a year later.")}
            )
        data["occurred_at"] = occurred
        if data.get("consent_to_contact") and not (data.get("email") or data.get("phone")):
            raise serializers.ValidationError(
                {"consent_to_contact": _("Leave an e-mail address or phone number.")}
            )
        return data


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.FileField):
    """A file part of a multipart request (documented as binary)."""


class PublicComplaintUploadSerializer(PublicComplaintSerializer):
    """The public submission as multipart/form-data, with optional attachments: checked by
    content exactly as on the web form."""

    attachments = serializers.ListField(
        child=UploadField(allow_empty_file=False, use_url=False),
        required=False,
        default=list,
        help_text=_(
            "PDF, PNG or JPEG files, recognised by their content (the name must match it); "
            "at most 3 of 5 MB each by default. Repeat the field for each file."
        ),
    )

    def validate_attachments(self, files):
        try:
            return uploads.check_uploads(files)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class PublicReceiptSerializer(serializers.Serializer):
    reference = serializers.CharField()
    tracking_url = serializers.URLField()
    status = serializers.CharField()


class RegisterSerializer(serializers.Serializer):
    """The open register: aggregated figures only; null means hidden (fewer than k)."""

    period_start = serializers.DateField()
    period_end = serializers.DateField()
    k = serializers.IntegerField()
    handled = serializers.IntegerField()
    median_handling_days = serializers.FloatField(allow_null=True)
    within_deadline_percent = serializers.FloatField(allow_null=True)
    by_category_and_month = serializers.ListField(child=serializers.DictField())
    verdict_scores = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    verdict_resolved = serializers.DictField(child=serializers.IntegerField(allow_null=True))
