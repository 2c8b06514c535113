"""REST interface of the gap analysis: flags (aggregates only), runs, and the settings
(thresholds and the digest schedule).

Settings writes go through kto.gaps.services with the same rules as the page: contract managers
change them, the organisation's other members read them, a supplier's user gets a 404. A broken
rule is a 400 naming the field; nothing of a refused write is stored."""

from decimal import Decimal

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import path
from django_scopes import scopes_disabled
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from governance.platform.api import OrganisationScopedViewSet, ScopedModelSerializer
from governance.platform.history_api import HistoryActionMixin
from governance.platform.pagination import NarrowSortPagination
from kto.gaps.engine import DEFAULT_DELTA, DEFAULT_K
from kto.gaps.models import (
    GapAnalysisRun,
    GapDigestSchedule,
    GapFlag,
    GapFlagComment,
    GapSettings,
    GapThreshold,
)
from kto.gaps.selectors import (
    gap_digest_schedule_for,
    gap_flag_comment_list,
    gap_flag_list,
    gap_run_list,
    gap_settings_for,
    gap_threshold_list,
)
from kto.gaps.services import (
    DIGEST_FIELDS,
    gap_digest_schedule_update,
    gap_flag_comment_add,
    gap_run_create,
    gap_settings_update,
    gap_threshold_delete,
    gap_threshold_set,
)


class GapWaveSerializer(serializers.Serializer):
    """One survey wave a flag's perception rests on: its own sample of respondents."""

    survey = serializers.IntegerField()
    title = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    n = serializers.IntegerField(help_text="Respondents of this wave in the cell.")


class GapFlagSerializer(ScopedModelSerializer):
    """A flag as every audience sees it: aggregates and reasons, never answers."""

    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    waves = GapWaveSerializer(many=True, read_only=True)

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
            "sla_attainment",
            "levels",
            "perception_state",
            "drift",
            "n",
            "waves",
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

    # As the flag page shows them: mean and interval to 2 decimals, p and q to 4 significant
    # digits (the page writes "< 0,0001" below that), and nothing of the perception below the
    # anonymity floor.
    ROUNDED = ("mean", "ci_low", "ci_high")
    SIGNIFICANT = ("p_value", "q_value")

    def to_representation(self, instance):
        data = self.lean_representation(instance)
        below_floor = (instance.n or 0) < (instance.k or 0)
        for name in (*self.ROUNDED, *self.SIGNIFICANT):
            if data.get(name) is None:
                continue
            if below_floor:
                data[name] = None
            elif name in self.ROUNDED:
                data[name] = round(data[name], 2)
            else:
                data[name] = float(f"{data[name]:.4g}")
        return data

    @staticmethod
    def lean_representation(flag: GapFlag) -> dict:
        """The fields above written out one by one: the same keys, order and values as
        ModelSerializer's own field-by-field path (a test holds the two equal), at a fraction
        of its cost on a page of 50 flags with their levels and waves."""
        return {
            "id": flag.pk,
            "contract": flag.contract_id,
            "contract_reference": _text(flag.contract.reference),
            "dimension": flag.dimension,
            "period_start": _day(flag.period_start),
            "period_end": _day(flag.period_end),
            "flag": flag.flag,
            "confirmed": None if flag.confirmed is None else bool(flag.confirmed),
            "first_period_start": _day(flag.first_period_start),
            "sla_state": flag.sla_state,
            "min_margin": _float(flag.min_margin),
            "sla_attainment": _float(flag.sla_attainment),
            "levels": flag.levels,
            "perception_state": flag.perception_state,
            "drift": flag.drift,
            "n": _int(flag.n),
            "waves": None if flag.waves is None else [_wave(wave) for wave in flag.waves],
            "mean": _float(flag.mean),
            "ci_low": _float(flag.ci_low),
            "ci_high": _float(flag.ci_high),
            "p_value": _float(flag.p_value),
            "q_value": _float(flag.q_value),
            "target": _float(flag.target),
            "delta": _float(flag.delta),
            "k": _int(flag.k),
            "reason_en": _text(flag.reason_en),
            "reason_nl": _text(flag.reason_nl),
        }


# What DRF's fields give for a value (None stays None): FloatField, IntegerField, CharField,
# and DateField, which writes a date in ISO 8601 and passes a stored string on as it is.
def _float(value):
    return None if value is None else float(value)


def _int(value):
    return None if value is None else int(value)


def _text(value):
    return None if value is None else str(value)


def _day(value):
    if not value:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _wave(wave: dict) -> dict:
    """One stored wave as GapWaveSerializer writes it."""
    return {
        "survey": _int(wave["survey"]),
        "title": _text(wave["title"]),
        "period_start": _day(wave["period_start"]),
        "period_end": _day(wave["period_end"]),
        "n": _int(wave["n"]),
    }


# django-filter inspects the related model's default manager when the class is built (at
# import, outside any request): the guard is lifted for that inspection only.
with scopes_disabled():

    class GapFlagFilter(django_filters.FilterSet):
        period_start = django_filters.DateFilter()

        class Meta:
            model = GapFlag
            fields = ["contract", "dimension", "period_start", "flag", "confirmed"]


class GapFlagCommentSerializer(serializers.ModelSerializer):
    """A comment on a flag: the client's own, never shown to a supplier."""

    author = serializers.CharField(source="author_name", read_only=True)

    class Meta:
        model = GapFlagComment
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class GapFlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    serializer_class = GapFlagSerializer
    filterset_class = GapFlagFilter
    ordering_fields = ["period_start", "dimension", "flag"]
    # Each flag carries its evidence (levels, waves, two reasons): the page is sorted on ids.
    pagination_class = NarrowSortPagination

    def initial(self, request, *args, **kwargs):
        # The comments are the client's own: a supplier's user gets a 404 whatever the method
        # (before the write permission could answer 403).
        access = getattr(request, "access", None)
        if self.action == "comments" and access is not None and not access.is_client:
            raise Http404
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GapFlag.objects.none()
        return gap_flag_list(access=self.access)

    @extend_schema(methods=["GET"], responses=GapFlagCommentSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        request=GapFlagCommentSerializer,
        responses={201: GapFlagCommentSerializer},
        filters=False,
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=GapFlagCommentSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def comments(self, request, *args, **kwargs):
        """The flag's comments, oldest first; a contract manager adds one with `text`. The
        client's own notes: a supplier's user gets a 404."""
        flag = self.get_object()
        if request.method == "POST":
            serializer = GapFlagCommentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = _call(
                gap_flag_comment_add,
                access=self.access,
                flag=flag,
                text=serializer.validated_data["text"],
            )
            return Response(GapFlagCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        comments = gap_flag_comment_list(access=self.access, flag=flag)
        return Response(GapFlagCommentSerializer(comments, many=True).data)


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


def _call(service, **kwargs):
    """Run a service in one transaction; its ValidationError becomes a 400 with the same field
    names (nothing of a refused write is stored)."""
    try:
        with transaction.atomic():
            return service(**kwargs)
    except ValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise APIValidationError(detail) from error


class ClientSettingsViewSet(OrganisationScopedViewSet):
    """The organisation's own settings: its members read, contract managers write, a supplier's
    user gets a 404 whatever the method (before the write permission could answer 403)."""

    def initial(self, request, *args, **kwargs):
        access = getattr(request, "access", None)
        if access is not None and not access.is_client:
            raise Http404
        super().initial(request, *args, **kwargs)


class GapThresholdSerializer(ScopedModelSerializer):
    """One threshold row: without `contract` the organisation's default, with a blank
    `dimension` for every dimension. A contract of another organisation is a 400."""

    contract_reference = serializers.CharField(
        source="contract.reference", read_only=True, allow_null=True
    )

    class Meta:
        model = GapThreshold
        fields = ["id", "contract", "contract_reference", "dimension", "target", "delta", "k"]
        read_only_fields = ["id", "contract_reference"]
        # Left out of a new row: the engine's built-in values.
        extra_kwargs = {
            "delta": {"default": Decimal(str(DEFAULT_DELTA))},
            "k": {"default": DEFAULT_K},
        }


with scopes_disabled():

    class GapThresholdFilter(django_filters.FilterSet):
        organisation_wide = django_filters.BooleanFilter(
            field_name="contract", lookup_expr="isnull", label="Organisation defaults only"
        )

        class Meta:
            model = GapThreshold
            fields = ["contract", "dimension"]


class GapThresholdViewSet(
    HistoryActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ClientSettingsViewSet,
):
    """T, δ and k of the gap rule per organisation, contract and dimension. A change reruns
    the months that already have flags for the contracts it touches."""

    serializer_class = GapThresholdSerializer
    filterset_class = GapThresholdFilter
    ordering_fields = ["dimension"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GapThreshold.objects.none()
        return gap_threshold_list(access=self.access)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _call(
            gap_threshold_set,
            access=self.access,
            contract=data.get("contract"),
            dimension=data.get("dimension", ""),
            target=data.get("target"),
            delta=data["delta"],
            k=data["k"],
        )

    def perform_update(self, serializer):
        threshold = serializer.instance
        # A PATCH keeps what it does not name.
        values = {
            name: serializer.validated_data.get(name, getattr(threshold, name))
            for name in ("contract", "dimension", "target", "delta", "k")
        }
        serializer.instance = _call(
            gap_threshold_set, access=self.access, threshold=threshold, **values
        )

    def perform_destroy(self, instance):
        _call(gap_threshold_delete, access=self.access, threshold=instance)


class GapDigestScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = GapDigestSchedule
        fields = list(DIGEST_FIELDS)


class GapDigestScheduleViewSet(HistoryActionMixin, ClientSettingsViewSet):
    """When the organisation's gap digest goes out and to whom: the contract managers, the
    business owners, and each supplier a version about its own contracts."""

    serializer_class = GapDigestScheduleSerializer

    def get_queryset(self):
        # Read by the schema generator only: the one row comes from `get_object`.
        return GapDigestSchedule.objects.none()

    def get_object(self):
        return gap_digest_schedule_for(access=self.access)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def update(self, request, *args, partial=False, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        schedule = _call(
            gap_digest_schedule_update, access=self.access, **serializer.validated_data
        )
        return Response(self.get_serializer(schedule).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class GapSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = GapSettings
        fields = ["amber_margin"]


class GapSettingsViewSet(HistoryActionMixin, ClientSettingsViewSet):
    """The organisation's amber margin (0 ≤ margin < 1): a service level met by less than it
    makes the SLA state amber. A change reruns the months already flagged."""

    serializer_class = GapSettingsSerializer

    def get_queryset(self):
        # Read by the schema generator only: the one row comes from `get_object`.
        return GapSettings.objects.none()

    def get_object(self):
        return gap_settings_for(access=self.access)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def update(self, request, *args, partial=False, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        found = _call(
            gap_settings_update,
            access=self.access,
            amber_margin=serializer.validated_data.get(
                "amber_margin", serializer.instance.amber_margin
            ),
        )
        return Response(self.get_serializer(found).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


router = SimpleRouter()
router.register("gap-flags", GapFlagViewSet, basename="gap-flag")
router.register("gap-runs", GapRunViewSet, basename="gap-run")
router.register("gap-thresholds", GapThresholdViewSet, basename="gap-threshold")
urlpatterns = [
    *router.urls,
    path(
        "gap-digest-schedule/",
        GapDigestScheduleViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update"}
        ),
        name="gap-digest-schedule",
    ),
    path(
        "gap-settings/",
        GapSettingsViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"}),
        name="gap-settings",
    ),
    path(
        "gap-digest-schedule/history/",
        GapDigestScheduleViewSet.as_view(
            {"get": "history"}, pagination_class=None, filter_backends=[]
        ),
        name="gap-digest-schedule-history",
    ),
    path(
        "gap-settings/history/",
        GapSettingsViewSet.as_view({"get": "history"}, pagination_class=None, filter_backends=[]),
        name="gap-settings-history",
    ),
]
