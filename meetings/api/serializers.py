"""API shapes of the meetings app. Output serializers list their fields per audience (the
supplier's item serializer leaves out the client's internal preparation notes); input
serializers take every related id from what the caller may see, so an id of another
organisation (or of what a supplier may not see) is a 400, never a write."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.selectors import contract_list, service_level_list
from governance.platform.access import Access
from governance.platform.api import ScopedModelSerializer
from governance.platform.dimensions import Dimension
from meetings import selectors
from meetings.forms import SIP_FIELDS
from meetings.models import (
    SIP,
    ActionItem,
    ActionSide,
    AgendaItem,
    Meeting,
    MeetingSeries,
    Outcome,
    RequiredRole,
    Side,
    SIPLink,
    SIPMilestone,
    Tier,
)


class RequiredRoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredRole
        fields = ["side", "role"]
        read_only_fields = fields


class ScopedOutput(ScopedModelSerializer):
    """A meetings resource as the caller may see it."""

    # Output only: every related field is read-only, so no choices need limiting.

    def limit_unscoped_queryset(self, queryset, access):
        return queryset.none()


class SeriesSerializer(ScopedOutput):
    """A meeting series: tier, cadence, chair, the standard agenda (predefined topics), the
    working days before a meeting that pre-reads are due, after how many meetings an unresolved
    item escalates, and the roles that must attend from each side."""

    required_roles = RequiredRoleSerializer(many=True, read_only=True)

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "contract",
            "tier",
            "title",
            "cadence_months",
            "chair",
            "agenda_template",
            "preparation_days",
            "escalate_after",
            "location",
            "required_roles",
        ]
        read_only_fields = fields


class MeetingSerializer(ScopedOutput):
    """A meeting of a series: planned → agenda published → held → minutes approved."""

    class Meta:
        model = Meeting
        fields = [
            "id",
            "series",
            "starts_at",
            "ends_at",
            "location",
            "status",
            "agenda_generated_at",
            "published_at",
            "minutes_approved_at",
        ]
        read_only_fields = fields


ITEM_FIELDS = [
    "id",
    "meeting",
    "position",
    "title",
    "detail",
    "source",
    "link",
    "streak",
    "escalated_from",
    "needs_preparation",
    "prep_due",
    "supplier_results",
    "supplier_delivered_at",
    "client_impact",
    "client_delivered_at",
    "minutes",
    "outcome",
    "resolved",
]


class AgendaItemSupplierSerializer(ScopedOutput):
    """An item as the supplier sees it: no internal notes, no client-only flag. Generated
    titles and details come in the request's language."""

    title = serializers.CharField(source="display_title", read_only=True)
    detail = serializers.CharField(source="display_detail", read_only=True)

    class Meta:
        model = AgendaItem
        fields = ITEM_FIELDS
        read_only_fields = fields


class AgendaItemSerializer(ScopedOutput):
    """An agenda item as the client sees it, with the internal preparation notes."""

    title = serializers.CharField(source="display_title", read_only=True)
    detail = serializers.CharField(source="display_detail", read_only=True)

    class Meta:
        model = AgendaItem
        fields = [*ITEM_FIELDS, "client_only", "client_notes"]
        read_only_fields = fields


class PreparationSerializer(serializers.Serializer):
    """A pre-read as the API takes it: the supplier sends `supplier_results` (required from
    the supplier), the client `client_impact` and `client_notes`."""

    supplier_results = serializers.CharField(max_length=20000, required=False)
    client_impact = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    client_notes = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class SupplierPreparationSerializer(serializers.Serializer):
    supplier_results = serializers.CharField(max_length=20000)


class ClientPreparationSerializer(serializers.Serializer):
    client_impact = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    client_notes = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class OutcomeSerializer(serializers.Serializer):
    minutes = serializers.CharField(max_length=20000, allow_blank=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    resolved = serializers.BooleanField()


class ActionItemSerializer(ScopedOutput):
    """An action agreed in a meeting: owner side and person, due date, status."""

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "series",
            "meeting",
            "item",
            "title",
            "owner_side",
            "owner_name",
            "supplier_owner_name",
            "due_date",
            "status",
            "done_at",
        ]
        read_only_fields = fields


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionItem.Status.choices)


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = SIPMilestone
        fields = ["id", "sip", "title", "due_date", "done"]
        read_only_fields = fields


class SIPLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = SIPLink
        fields = ["kind", "label", "link"]
        read_only_fields = fields


class TrackSerializer(serializers.Serializer):
    baseline = serializers.FloatField()
    target = serializers.FloatField()
    current = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)


class SIPSerializer(ScopedOutput):
    """A Service Improvement Programme with its measured progress: on the SLA metric and on
    the perception score, the baseline (start), the latest later period (current) and their
    change; `current` and `change` are null until a later period is measured."""

    milestones = MilestoneSerializer(many=True, read_only=True)
    links = SIPLinkSerializer(many=True, read_only=True)
    progress_sla = serializers.SerializerMethodField()
    progress_perception = serializers.SerializerMethodField()

    class Meta:
        model = SIP
        fields = [
            "id",
            *SIP_FIELDS,
            "milestones",
            "links",
            "progress_sla",
            "progress_perception",
        ]
        read_only_fields = fields

    def _progress(self, sip):
        # In a list, the whole page is measured at once (one batch, not one SIP at a time).
        cache = self.context.setdefault("_progress", {})
        if sip.pk not in cache:
            batch = (
                self.parent.instance
                if isinstance(self.parent, serializers.ListSerializer)
                else None
            )
            cache.update(
                selectors.sip_progress_for(sips=batch or [sip], access=self.context["access"])
            )
        return cache[sip.pk]

    def _track(self, track) -> dict:
        return {
            "baseline": track.baseline,
            "target": track.target,
            "current": track.current,
            "change": track.change,
        }

    def get_progress_sla(self, sip) -> TrackSerializer:
        return self._track(self._progress(sip).sla)

    def get_progress_perception(self, sip) -> TrackSerializer:
        return self._track(self._progress(sip).perception)


# --- input ---------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A related id whose choices the enclosing serializer derives from the caller's access."""

    def get_queryset(self):
        serializer = self.parent
        return serializer.choices(self.field_name, serializer.context.get("access"))


def _choices(name: str, access: Access | None):
    if access is None:
        return SIP.objects.none()
    return {
        "contract": lambda: contract_list(access=access),
        "chair": lambda: selectors.client_people(access=access),
        "client_owner": lambda: selectors.client_people(access=access),
        "supplier_owner": lambda: selectors.supplier_people(access=access),
        # A programme is measured against a service level in force.
        "service_level": lambda: service_level_list(access=access).filter(valid_to__isnull=True),
        "series": lambda: selectors.series_list(access=access),
        "meeting": lambda: selectors.meeting_list(access=access),
        "item": lambda: selectors.item_list(access=access),
        "sip": lambda: selectors.sip_list(access=access),
    }[name]()


class ScopedInput(serializers.Serializer):
    """An input serializer whose related choices come from the caller's access."""

    def choices(self, name, access):
        return _choices(name, access)


class RequiredRoleInputSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    role = serializers.CharField(max_length=100)


class SeriesWriteSerializer(ScopedInput):
    """A series: a contract's (or, left empty, the whole organisation's) meetings of one tier.
    Without `cadence_months` the tier's usual cadence; without `agenda_template` (on create)
    the tier's standard agenda. `required_roles`, when given, replace the series' roles."""

    contract = ScopedPK(required=False, allow_null=True)
    tier = serializers.ChoiceField(choices=Tier.choices)
    title = serializers.CharField(max_length=200)
    cadence_months = serializers.IntegerField(
        min_value=1, max_value=24, required=False, allow_null=True
    )
    chair = ScopedPK(required=False, allow_null=True)
    agenda_template = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=30
    )
    preparation_days = serializers.IntegerField(min_value=0, max_value=30, required=False)
    escalate_after = serializers.IntegerField(min_value=1, max_value=12, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    required_roles = RequiredRoleInputSerializer(many=True, required=False)


class MeetingCreateSerializer(ScopedInput):
    series = ScopedPK()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Two hours after the start when left out."
    )
    location = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The series' location when empty.",
    )


class MeetingUpdateSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Left out or null: the meeting keeps its length.",
    )
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MeetingTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=[
            (Meeting.Status.PUBLISHED, Meeting.Status.PUBLISHED.label),
            (Meeting.Status.HELD, Meeting.Status.HELD.label),
            (Meeting.Status.APPROVED, Meeting.Status.APPROVED.label),
        ],
        help_text=(
            "published: publish the agenda and invite both sides (with the calendar event); "
            "held: the meeting took place; approved: approve its minutes."
        ),
    )


class AgendaItemCreateSerializer(ScopedInput):
    meeting = ScopedPK()
    title = serializers.CharField(max_length=300)
    detail = serializers.CharField(required=False, allow_blank=True, default="")
    needs_preparation = serializers.BooleanField(required=False, default=False)


class MeetingActionCreateSerializer(ScopedInput):
    meeting = ScopedPK()
    item = ScopedPK(required=False, allow_null=True, help_text="An item of the same meeting.")
    title = serializers.CharField(max_length=300)
    owner_side = serializers.ChoiceField(choices=ActionSide.choices)
    owner_name = serializers.CharField(
        max_length=200, help_text="The owner; for a joint action the client's owner."
    )
    supplier_owner_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Only for a joint action: the owner on the supplier's side.",
    )
    due_date = serializers.DateField()


class SIPWriteSerializer(ScopedInput):
    contract = ScopedPK()
    title = serializers.CharField(max_length=200)
    goal = serializers.CharField()
    client_owner = ScopedPK(help_text="A member of the organisation.")
    supplier_owner = ScopedPK(help_text="A user of the contract's supplier.")
    service_level = ScopedPK(help_text="A service level in force of the same contract.")
    sla_baseline = serializers.DecimalField(max_digits=14, decimal_places=4)
    sla_target = serializers.DecimalField(max_digits=14, decimal_places=4)
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    perception_baseline = serializers.DecimalField(max_digits=5, decimal_places=2)
    perception_target = serializers.DecimalField(max_digits=5, decimal_places=2)
    baseline_period = serializers.DateField(
        help_text="The first day of the baseline month; progress counts from the month after."
    )
    status = serializers.ChoiceField(choices=SIP.Status.choices, required=False)


class MilestoneCreateSerializer(ScopedInput):
    sip = ScopedPK()
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


class MilestoneUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    due_date = serializers.DateField(required=False)
    done = serializers.BooleanField(required=False)
