"""API shapes of the simulations app. Supplier users get serializers without the client's
internal notes; the field lists are explicit for every audience."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from governance.platform.api import ScopedModelSerializer
from simulations.models import (
    STEP_SETTINGS,
    Action,
    Chain,
    Escalation,
    Exercise,
    Inject,
    Lesson,
    Observation,
    Participant,
    Proposal,
    Scenario,
    ScenarioChange,
    SimulationRun,
    Step,
)

CHAIN_FIELDS = [
    "id",
    "contract",
    "service",
    "name",
    "description",
    "arrival_profile",
    "profile_source",
]


class SimulationChainSupplierSerializer(ScopedModelSerializer):
    """The chain as the supplier sees it: no internal notes."""

    class Meta:
        model = Chain
        fields = CHAIN_FIELDS
        read_only_fields = fields


class SimulationChainSerializer(ScopedModelSerializer):
    class Meta:
        model = Chain
        fields = [*CHAIN_FIELDS, "internal_notes"]
        read_only_fields = fields


class StepEscalationSerializer(ScopedModelSerializer):
    class Meta:
        model = Escalation
        fields = ["target", "probability"]
        read_only_fields = fields


class ChainStepSerializer(ScopedModelSerializer):
    escalations = StepEscalationSerializer(many=True, read_only=True)

    class Meta:
        model = Step
        fields = ["id", "chain", "position", *STEP_SETTINGS, "escalations"]
        read_only_fields = fields


class ScenarioChangeSerializer(ScopedModelSerializer):
    class Meta:
        model = ScenarioChange
        fields = ["step", "extra_staff", "opening_hours", "service_time_factor"]
        read_only_fields = fields


class SimulationScenarioSerializer(ScopedModelSerializer):
    changes = ScenarioChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Scenario
        fields = ["id", "chain", "name", "description", "arrival_factor", "changes"]
        read_only_fields = fields


RUN_FIELDS = [
    "id",
    "chain",
    "scenario",
    "label",
    "status",
    "progress",
    "replications",
    "horizon_days",
    "warmup_hours",
    "seed",
    "created_at",
    "started_at",
    "finished_at",
    "error",
]


class SimulationRunListSerializer(ScopedModelSerializer):
    # Why a run failed, in the reader's language.
    error = serializers.CharField(source="display_error", read_only=True)

    class Meta:
        model = SimulationRun
        fields = RUN_FIELDS
        read_only_fields = fields


class SimulationRunSerializer(ScopedModelSerializer):
    """A run with the model it simulated and its results (times in seconds, shares 0–1, each
    figure a mean with its 95 % confidence interval over the replications)."""

    error = serializers.CharField(source="display_error", read_only=True)

    class Meta:
        model = SimulationRun
        fields = [*RUN_FIELDS, "model", "results"]
        read_only_fields = fields


class SimulationRunStartSerializer(ScopedModelSerializer):
    """Start a simulation of a chain, or of one of its scenarios."""

    class Meta:
        model = SimulationRun
        fields = ["chain", "scenario", "replications", "horizon_days", "warmup_hours", "seed"]
        extra_kwargs = {"scenario": {"required": False, "allow_null": True}}

    def validate(self, attrs):
        scenario = attrs.get("scenario")
        if scenario is not None and scenario.chain_id != attrs["chain"].pk:
            raise serializers.ValidationError(
                {"scenario": _("The scenario belongs to another chain.")}
            )
        return attrs


class ExerciseInjectSerializer(ScopedModelSerializer):
    class Meta:
        model = Inject
        fields = ["at_minute", "description"]
        read_only_fields = fields


class ExerciseParticipantSerializer(ScopedModelSerializer):
    class Meta:
        model = Participant
        fields = ["name", "role", "party"]
        read_only_fields = fields


class ExerciseObservationSerializer(ScopedModelSerializer):
    class Meta:
        model = Observation
        fields = [
            "step",
            "expected_minutes",
            "observed_minutes",
            "expected_outcome",
            "observed_outcome",
        ]
        read_only_fields = fields


class ExerciseActionSerializer(ScopedModelSerializer):
    class Meta:
        model = Action
        fields = ["step", "bottleneck", "action", "owner_side", "due", "done"]
        read_only_fields = fields


class ExerciseLessonSerializer(ScopedModelSerializer):
    class Meta:
        model = Lesson
        fields = ["category", "text"]
        read_only_fields = fields


EXERCISE_FIELDS = [
    "id",
    "chain",
    "title",
    "kind",
    "scenario",
    "scheduled_for",
    "status",
    "recurs_yearly",
    "next_due",
    "summary",
    "injects",
    "participants",
    "observations",
    "actions",
    "lessons",
]


class ExerciseSupplierSerializer(ScopedModelSerializer):
    """The exercise as the supplier sees it: no internal notes."""

    injects = ExerciseInjectSerializer(many=True, read_only=True)
    participants = ExerciseParticipantSerializer(many=True, read_only=True)
    observations = ExerciseObservationSerializer(many=True, read_only=True)
    actions = ExerciseActionSerializer(many=True, read_only=True)
    lessons = ExerciseLessonSerializer(many=True, read_only=True)

    class Meta:
        model = Exercise
        fields = EXERCISE_FIELDS
        read_only_fields = fields


class ExerciseSerializer(ExerciseSupplierSerializer):
    class Meta:
        model = Exercise
        fields = [*EXERCISE_FIELDS, "internal_notes"]
        read_only_fields = fields


class SimulationProposalSerializer(ScopedModelSerializer):
    """An improvement proposal from a simulation run or an exercise, for the tactical meeting;
    the rationale keeps the figures as they were when it was made."""

    class Meta:
        model = Proposal
        fields = [
            "id",
            "chain",
            "finding",
            "run",
            "exercise",
            "action",
            "title",
            "rationale",
            "owner_side",
            "status",
            "decision_note",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields
