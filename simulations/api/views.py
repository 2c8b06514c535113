from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from governance.platform.api import ScopedReadViewSet
from simulations import selectors, services
from simulations.api.serializers import (
    ChainStepSerializer,
    ExerciseSerializer,
    ExerciseSupplierSerializer,
    SimulationChainSerializer,
    SimulationChainSupplierSerializer,
    SimulationProposalSerializer,
    SimulationRunListSerializer,
    SimulationRunSerializer,
    SimulationRunStartSerializer,
    SimulationScenarioSerializer,
)
from simulations.models import Chain, Exercise, Proposal, Scenario, SimulationRun, Step


class ChainViewSet(ScopedReadViewSet):
    """Delivery chains of the organisation's contracts (a supplier: of its own contracts, and
    without the client's internal notes)."""

    model = Chain
    serializer_class = SimulationChainSerializer
    filterset_fields = ["contract"]
    search_fields = ["name"]

    def get_serializer_class(self):
        if getattr(self.request, "access", None) and self.access.is_supplier:
            return SimulationChainSupplierSerializer
        return SimulationChainSerializer

    def visible(self):
        return selectors.chain_list(access=self.access)


def _visible_chains(access):
    return selectors.chain_list(access=access).values("pk")


class StepViewSet(ScopedReadViewSet):
    """Steps of the visible chains, in chain order, with their escalation probabilities."""

    model = Step
    serializer_class = ChainStepSerializer
    filterset_fields = ["chain"]

    def visible(self):
        return (
            Step.objects.filter(
                organisation=self.access.organisation, chain__in=_visible_chains(self.access)
            )
            .prefetch_related("escalations")
            .order_by("chain", "position")
        )


class ScenarioViewSet(ScopedReadViewSet):
    """What-if scenarios of the visible chains and their changes per step."""

    model = Scenario
    serializer_class = SimulationScenarioSerializer
    filterset_fields = ["chain"]

    def visible(self):
        return (
            Scenario.objects.filter(
                organisation=self.access.organisation, chain__in=_visible_chains(self.access)
            )
            .prefetch_related("changes")
            .order_by("chain", "name")
        )


class RunViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """Simulation runs: start one (contract managers), follow its status and progress, read
    its results. A run is simulated by a worker, never inside the request."""

    model = SimulationRun
    filterset_fields = ["chain", "status"]

    def visible(self):
        return selectors.run_list(access=self.access)

    def get_serializer_class(self):
        if self.action == "create":
            return SimulationRunStartSerializer
        if self.action == "list":
            return SimulationRunListSerializer
        return SimulationRunSerializer

    @extend_schema(request=SimulationRunStartSerializer, responses={201: SimulationRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            run = services.simulation_run_start(access=self.access, **serializer.validated_data)
        except ValidationError as error:
            raise APIValidationError(error.message_dict) from None
        output = SimulationRunSerializer(run, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)


class ExerciseViewSet(ScopedReadViewSet):
    """Exercises of the visible chains with injects, participants, expected versus observed per
    step, actions and lessons learned."""

    model = Exercise
    filterset_fields = ["chain", "status", "kind"]
    search_fields = ["title", "scenario"]

    def get_serializer_class(self):
        if getattr(self.request, "access", None) and self.access.is_supplier:
            return ExerciseSupplierSerializer
        return ExerciseSerializer

    def visible(self):
        return selectors.exercise_list(access=self.access).prefetch_related(
            "injects", "participants", "observations", "actions", "lessons"
        )


class ProposalViewSet(ScopedReadViewSet):
    """Improvement proposals from simulations and exercises. A supplier sees those of its own
    contracts whose owner side is the supplier or joint; the client's own stay with the client."""

    model = Proposal
    serializer_class = SimulationProposalSerializer
    filterset_fields = ["chain", "status", "owner_side", "finding"]
    search_fields = ["title"]

    def visible(self):
        return selectors.proposal_list(access=self.access)
