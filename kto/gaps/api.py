"""REST interface of the gap analysis: flags (aggregates only) and runs."""

import django_filters
from django.http import Http404
from django_scopes import scopes_disabled
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from governance.api import OrganisationScopedViewSet, ScopedModelSerializer
from kto.gaps.models import GapAnalysisRun, GapFlag
from kto.gaps.selectors import gap_flag_list, gap_run_list
from kto.gaps.services import gap_run_create


class GapFlagSerializer(ScopedModelSerializer):
    """A flag as every audience sees it: aggregates and reasons, never answers."""

    contract_reference = serializers.CharField(source="contract.reference", read_only=True)

    class Meta:
        model = GapFlag
        fields = [
            "id",
            "contract",
            "contract_reference",
            "dimension",
            "period_start",
            "period_end",
            "flag",
            "confirmed",
            "first_period_start",
            "sla_state",
            "min_margin",
            "levels",
            "perception_state",
            "drift",
            "n",
            "mean",
            "ci_low",
            "ci_high",
            "p_value",
            "q_value",
            "target",
            "delta",
            "k",
            "reason_en",
            "reason_nl",
        ]
        read_only_fields = fields


# django-filter inspects the related model's default manager when the class is built (at
# import, outside any request): the guard is lifted for that inspection only.
with scopes_disabled():

    class GapFlagFilter(django_filters.FilterSet):
        period_start = django_filters.DateFilter()

        class Meta:
            model = GapFlag
            fields = ["contract", "dimension", "period_start", "flag", "confirmed"]


class GapFlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    serializer_class = GapFlagSerializer
    filterset_class = GapFlagFilter
    ordering_fields = ["period_start", "dimension", "flag"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GapFlag.objects.none()
        return gap_flag_list(access=self.access)


class GapRunSerializer(ScopedModelSerializer):
    class Meta:
        model = GapAnalysisRun
        fields = [
            "id",
            "period_start",
            "period_end",
            "trigger",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "counts",
            "error",
        ]
        read_only_fields = fields


class GapRunStartSerializer(serializers.Serializer):
    period_start = serializers.DateField(help_text="Any day of the month to analyse.")


class GapRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """Runs span every contract of the organisation: the client's own staff only."""

    serializer_class = GapRunSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.access.is_client:
            raise Http404

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GapAnalysisRun.objects.none()
        return gap_run_list(access=self.access)

    @extend_schema(request=GapRunStartSerializer, responses={202: GapRunSerializer})
    def create(self, request, *args, **kwargs):
        """Queue a gap analysis for a month; poll the run until its status is done."""
        start = GapRunStartSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        run = gap_run_create(
            organisation=self.access.organisation,
            period_start=start.validated_data["period_start"],
            trigger=GapAnalysisRun.Trigger.MANUAL,
            user=request.user,
        )
        return Response(GapRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter()
router.register("gap-flags", GapFlagViewSet, basename="gap-flag")
router.register("gap-runs", GapRunViewSet, basename="gap-run")
urlpatterns = router.urls
