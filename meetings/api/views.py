"""Meetings API: series, meetings (with agenda generation and the meeting's transitions),
agenda items (with preparation and outcome), actions, SIPs and their milestones.

Writes go through meetings.services with the same rules as the pages: contract managers plan
and run meetings and SIPs; a supplier's user reads its contracts' meetings, delivers its
pre-reads and updates the actions its side owns. A broken rule is a 400 naming the field, an
action the caller may not take a 403, an object it may not see a 404."""

from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from governance.platform.api import ScopedReadViewSet
from governance.platform.concurrency import VersionedViewSetMixin
from governance.platform.history_api import HistoryActionMixin
from meetings import selectors, services
from meetings.api.serializers import (
    ActionItemSerializer,
    ActionStatusSerializer,
    AgendaItemCreateSerializer,
    AgendaItemSerializer,
    AgendaItemSupplierSerializer,
    ClientPreparationSerializer,
    MeetingActionCreateSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    MeetingTransitionSerializer,
    MeetingUpdateSerializer,
    MilestoneCreateSerializer,
    MilestoneSerializer,
    MilestoneUpdateSerializer,
    OutcomeSerializer,
    PreparationSerializer,
    SeriesSerializer,
    SeriesWriteSerializer,
    SIPSerializer,
    SIPWriteSerializer,
    SupplierPreparationSerializer,
)
from meetings.models import (
    DEFAULT_CADENCE_MONTHS,
    SIP,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingSeries,
    SIPMilestone,
)
from meetings.permissions import may_manage


class ReadViewSet(ScopedReadViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]

    def may_write(self, access):
        # Managers write; a viewset whose detail actions let suppliers write says so itself.
        return may_manage(access)

    def _output(self, instance, code=status.HTTP_200_OK):
        instance = self.get_queryset().get(pk=instance.pk)
        serializer = self.output_class()(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def output_class(self):
        return self.serializer_class


def _call(service, **kwargs):
    """Run a service in one transaction; its ValidationError becomes a 400 with the same
    field names (nothing of a refused write is stored)."""
    try:
        with transaction.atomic():
            return service(**kwargs)
    except ValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise APIValidationError(detail) from error


def _input(serializer_class, view, *, partial=False):
    serializer = serializer_class(
        data=view.request.data, partial=partial, context=view.get_serializer_context()
    )
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    create=extend_schema(
        request=SeriesWriteSerializer,
        responses={201: SeriesSerializer},
        description="Plan a series (contract managers). An organisation-wide series (no "
        "contract) is the client's own.",
    ),
    partial_update=extend_schema(
        request=SeriesWriteSerializer,
        responses={200: SeriesSerializer},
        description="Change a series' settings; `required_roles`, when given, replace its roles.",
    ),
)
class SeriesViewSet(VersionedViewSetMixin, HistoryActionMixin, ReadViewSet):
    """Meeting series per contract (or organisation-wide) and tier, with the standard agenda
    and the roles that must attend. A supplier sees the series of its own contracts."""

    model = MeetingSeries
    serializer_class = SeriesSerializer
    filterset_fields = ["tier", "contract"]

    def visible(self):
        return selectors.series_list(access=self.access).prefetch_related("required_roles")

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return SeriesWriteSerializer
        return SeriesSerializer

    def create(self, request, *args, **kwargs):
        data = _input(SeriesWriteSerializer, self)
        roles = [(r["side"], r["role"]) for r in data.pop("required_roles", [])]
        data = {k: v for k, v in data.items() if v is not None or k in ("contract", "chair")}
        series = _call(services.series_create, access=self.access, required_roles=roles, **data)
        return self._output(series, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        series = self.get_object()
        data = _input(SeriesWriteSerializer, self, partial=True)
        roles = data.pop("required_roles", None)
        if roles is not None:
            roles = [(r["side"], r["role"]) for r in roles]
        if "cadence_months" in data and data["cadence_months"] is None:
            # Null: the tier's usual cadence (monthly, quarterly, twice a year).
            data["cadence_months"] = DEFAULT_CADENCE_MONTHS[data.get("tier", series.tier)]
        series = _call(services.series_update, series=series, roles=roles, **data)
        return self._output(series)


@extend_schema_view(
    create=extend_schema(
        request=MeetingCreateSerializer,
        responses={201: MeetingSerializer},
        description="Plan a meeting of a series (contract managers).",
    ),
    partial_update=extend_schema(
        request=MeetingUpdateSerializer,
        responses={200: MeetingSerializer},
        description="Move or relocate a meeting; once its agenda is published, calendars "
        "update the event.",
    ),
)
class MeetingViewSet(VersionedViewSetMixin, HistoryActionMixin, ReadViewSet):
    """Meetings of the visible series; `generate` fills the agenda from the data, `transition`
    publishes the agenda, marks the meeting held or approves its minutes."""

    model = Meeting
    serializer_class = MeetingSerializer
    filterset_fields = ["series", "status"]

    def visible(self):
        return selectors.meeting_list(access=self.access).order_by("starts_at", "pk")

    def get_serializer_class(self):
        return {
            "create": MeetingCreateSerializer,
            "partial_update": MeetingUpdateSerializer,
            "transition": MeetingTransitionSerializer,
        }.get(self.action, MeetingSerializer)

    def create(self, request, *args, **kwargs):
        data = _input(MeetingCreateSerializer, self)
        meeting = _call(services.meeting_schedule, **data)
        return self._output(meeting, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        data = _input(MeetingUpdateSerializer, self, partial=True)
        meeting = _call(services.meeting_update, meeting=meeting, **data)
        return self._output(meeting)

    @extend_schema(request=None, responses={200: AgendaItemSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def generate(self, request, *args, **kwargs):
        """Fill the agenda from the standard topics and the data routed to the series' tier
        (regenerating updates items instead of duplicating them)."""
        meeting = self.get_object()
        _call(services.agenda_generate, meeting=meeting)
        items = selectors.item_list(access=self.access, meeting=meeting)
        return Response(AgendaItemSerializer(items, many=True).data)

    @extend_schema(request=MeetingTransitionSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        """Publish the agenda (both sides are invited), mark the meeting held, or approve
        the minutes of a held meeting."""
        meeting = self.get_object()
        to = _input(MeetingTransitionSerializer, self)["to"]
        if to == Meeting.Status.PUBLISHED:
            meeting = _call(services.agenda_publish, meeting=meeting)
        elif to == Meeting.Status.HELD:
            meeting = _call(services.meeting_mark_held, meeting=meeting)
        else:
            meeting = _call(services.minutes_approve, meeting=meeting, access=self.access)
        return self._output(meeting)


@extend_schema_view(
    list=extend_schema(
        responses=AgendaItemSerializer(many=True),
        description="`client_only` and `client_notes` are present for client users only.",
    ),
    retrieve=extend_schema(responses=AgendaItemSerializer),
    create=extend_schema(
        request=AgendaItemCreateSerializer,
        responses={201: AgendaItemSerializer},
        description="Add an item by hand to a meeting that has not been held (contract managers).",
    ),
)
class AgendaItemViewSet(VersionedViewSetMixin, HistoryActionMixin, ReadViewSet):
    """Agenda items with their preparation, minutes and outcome. A supplier never sees
    client-only items nor the client's internal notes; it delivers its pre-read with
    `prepare`, the client its impact analysis and notes; managers record the outcome."""

    model = AgendaItem
    serializer_class = AgendaItemSerializer
    filterset_fields = ["meeting", "source", "outcome"]
    http_method_names = ["get", "post", "head", "options"]

    def may_write(self, access):
        # Suppliers deliver pre-reads; every write below checks who may do it.
        return True

    def output_class(self):
        if getattr(self.request, "access", None) and self.access.is_supplier:
            return AgendaItemSupplierSerializer
        return AgendaItemSerializer

    def get_serializer_class(self):
        if self.action == "create":
            return AgendaItemCreateSerializer
        return self.output_class()

    def visible(self):
        return selectors.item_list(access=self.access)

    def create(self, request, *args, **kwargs):
        if not may_manage(self.access):
            raise PermissionDenied
        data = _input(AgendaItemCreateSerializer, self)
        item = _call(services.agenda_item_add, **data)
        return self._output(item, status.HTTP_201_CREATED)

    @extend_schema(request=PreparationSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def prepare(self, request, *args, **kwargs):
        """Deliver a pre-read: the supplier's results and deviation analysis
        (`supplier_results`), or the client's `client_impact` and `client_notes`."""
        item = self.get_object()
        # Every field keeps to its published limits, whichever side sends it.
        PreparationSerializer(data=request.data).is_valid(raise_exception=True)
        if self.access.is_supplier:
            data = SupplierPreparationSerializer(data=request.data)
        elif self.access.may("meetings.manage"):
            data = ClientPreparationSerializer(data=request.data)
        else:
            raise PermissionDenied
        data.is_valid(raise_exception=True)
        item = _call(services.item_prepare, item=item, access=self.access, **data.validated_data)
        return self._output(item)

    @extend_schema(request=OutcomeSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, *args, **kwargs):
        """Record the item's minutes and outcome (information, decision, action)."""
        item = self.get_object()
        if not self.access.may("meetings.manage"):
            raise PermissionDenied
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = _call(services.item_record, item=item, **data.validated_data)
        return self._output(item)


@extend_schema_view(
    create=extend_schema(
        request=MeetingActionCreateSerializer,
        responses={201: ActionItemSerializer},
        description="Record an action agreed in a meeting (contract managers); it is carried "
        "over to the series' next meetings until done.",
    ),
)
class ActionItemViewSet(VersionedViewSetMixin, HistoryActionMixin, ReadViewSet):
    """Actions agreed in meetings, carried over until done."""

    model = ActionItem
    serializer_class = ActionItemSerializer
    filterset_fields = ["series", "meeting", "status", "owner_side"]
    http_method_names = ["get", "post", "head", "options"]

    def may_write(self, access):
        # A supplier updates the actions its side owns; every write below checks it.
        return True

    def get_serializer_class(self):
        return {"create": MeetingActionCreateSerializer, "status": ActionStatusSerializer}.get(
            self.action, ActionItemSerializer
        )

    def visible(self):
        return selectors.action_list(access=self.access)

    def create(self, request, *args, **kwargs):
        if not may_manage(self.access):
            raise PermissionDenied
        data = _input(MeetingActionCreateSerializer, self)
        action_item = _call(services.action_create, **data)
        return self._output(action_item, status.HTTP_201_CREATED)

    @extend_schema(request=ActionStatusSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, *args, **kwargs):
        """Change an action's status: managers any, a supplier the actions its side owns."""
        action_item = self.get_object()
        allowed = self.access.may("meetings.manage") or (
            self.access.is_supplier and action_item.supplier_owns
        )
        if not allowed:
            raise PermissionDenied
        data = ActionStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action_item = _call(
            services.action_set_status, action=action_item, status=data.validated_data["status"]
        )
        return self._output(action_item)


@extend_schema_view(
    create=extend_schema(
        request=SIPWriteSerializer,
        responses={201: SIPSerializer},
        description="Start a Service Improvement Programme (contract managers).",
    ),
    partial_update=extend_schema(
        request=SIPWriteSerializer,
        responses={200: SIPSerializer},
        description="Change a programme: owners, baseline and targets, status.",
    ),
)
class SIPViewSet(VersionedViewSetMixin, HistoryActionMixin, ReadViewSet):
    """Service Improvement Programmes with their milestones, linked data and measured progress
    (start, current, change on the SLA metric and on the perception score)."""

    model = SIP
    serializer_class = SIPSerializer
    filterset_fields = ["contract", "status"]

    def visible(self):
        return selectors.sip_list(access=self.access)

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return SIPWriteSerializer
        return SIPSerializer

    def create(self, request, *args, **kwargs):
        data = _input(SIPWriteSerializer, self)
        sip = _call(services.sip_create, access=self.access, **data)
        return self._output(sip, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        sip = self.get_object()
        data = _input(SIPWriteSerializer, self, partial=True)
        sip = _call(services.sip_update, sip=sip, **data)
        return self._output(sip)


@extend_schema_view(
    create=extend_schema(
        request=MilestoneCreateSerializer,
        responses={201: MilestoneSerializer},
        description="Add a milestone to a programme (contract managers).",
    ),
    partial_update=extend_schema(
        request=MilestoneUpdateSerializer,
        responses={200: MilestoneSerializer},
        description="Rename or move a milestone, or mark it done (contract managers).",
    ),
)
class SIPMilestoneViewSet(VersionedViewSetMixin, HistoryActionMixin, ReadViewSet):
    """Milestones of the visible programmes."""

    model = SIPMilestone
    serializer_class = MilestoneSerializer
    filterset_fields = ["sip", "done"]

    def visible(self):
        return SIPMilestone.objects.filter(
            organisation=self.access.organisation, sip__in=selectors.sip_list(access=self.access)
        ).order_by("sip", "due_date", "pk")

    def get_serializer_class(self):
        return {
            "create": MilestoneCreateSerializer,
            "partial_update": MilestoneUpdateSerializer,
        }.get(self.action, MilestoneSerializer)

    def create(self, request, *args, **kwargs):
        data = _input(MilestoneCreateSerializer, self)
        milestone = _call(services.milestone_add, **data)
        return self._output(milestone, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        milestone = self.get_object()
        data = _input(MilestoneUpdateSerializer, self, partial=True)
        milestone = _call(services.milestone_update, milestone=milestone, **data)
        return self._output(milestone)
