"""API shapes of the meetings app. The supplier's item serializer leaves out the client's
internal preparation notes; every field list is explicit."""

from rest_framework import serializers

from governance.api import ScopedModelSerializer
from meetings.models import (
    SIP,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingSeries,
    Outcome,
    RequiredRole,
    SIPMilestone,
)


class RequiredRoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredRole
        fields = ["side", "role"]
        read_only_fields = fields


class SeriesSerializer(ScopedModelSerializer):
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


class MeetingSerializer(ScopedModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "series",
            "starts_at",
            "ends_at",
            "location",
            "status",
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


class AgendaItemSupplierSerializer(ScopedModelSerializer):
    """An item as the supplier sees it: no internal notes, no client-only flag."""

    class Meta:
        model = AgendaItem
        fields = ITEM_FIELDS
        read_only_fields = fields


class AgendaItemSerializer(ScopedModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [*ITEM_FIELDS, "client_only", "client_notes"]
        read_only_fields = fields


class SupplierPreparationSerializer(serializers.Serializer):
    supplier_results = serializers.CharField(max_length=20000)


class ClientPreparationSerializer(serializers.Serializer):
    client_impact = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    client_notes = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class OutcomeSerializer(serializers.Serializer):
    minutes = serializers.CharField(max_length=20000, allow_blank=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    resolved = serializers.BooleanField()


class ActionItemSerializer(ScopedModelSerializer):
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
        fields = ["title", "due_date", "done"]
        read_only_fields = fields


class TrackSerializer(serializers.Serializer):
    baseline = serializers.FloatField()
    target = serializers.FloatField()
    current = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)


class SIPSerializer(ScopedModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    progress_sla = serializers.SerializerMethodField()
    progress_perception = serializers.SerializerMethodField()

    class Meta:
        model = SIP
        fields = [
            "id",
            "contract",
            "title",
            "goal",
            "client_owner",
            "supplier_owner",
            "service_level",
            "sla_baseline",
            "sla_target",
            "dimension",
            "perception_baseline",
            "perception_target",
            "baseline_period",
            "status",
            "milestones",
            "progress_sla",
            "progress_perception",
        ]
        read_only_fields = fields

    def _progress(self, sip):
        from meetings.selectors import sip_progress

        cache = self.context.setdefault("_progress", {})
        if sip.pk not in cache:
            cache[sip.pk] = sip_progress(sip=sip, access=self.context["access"])
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
