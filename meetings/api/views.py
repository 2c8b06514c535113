from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from governance.api import OrganisationScopedViewSet
from meetings import selectors, services
from meetings.api.serializers import (
    ActionItemSerializer,
    ActionStatusSerializer,
    AgendaItemSerializer,
    AgendaItemSupplierSerializer,
    ClientPreparationSerializer,
    MeetingSerializer,
    OutcomeSerializer,
    SeriesSerializer,
    SIPSerializer,
    SupplierPreparationSerializer,
)
from meetings.models import SIP, ActionItem, AgendaItem, Meeting, MeetingSeries


class ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    model = None

    def visible(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.visible()

    def may_write(self, access):
        # Writes are the detail actions below; each checks who may do it.
        return True


def _invalid(error: ValidationError):
    detail = error.message_dict if hasattr(error, "error_dict") else error.messages
    return APIValidationError(detail)


class SeriesViewSet(ReadViewSet):
    """Meeting series per contract (or organisation-wide) and tier, with the standard agenda
    and the roles that must attend. A supplier sees the series of its own contracts."""

    model = MeetingSeries
    serializer_class = SeriesSerializer
    filterset_fields = ["tier", "contract"]

    def visible(self):
        return selectors.series_list(access=self.access).prefetch_related("required_roles")


class MeetingViewSet(ReadViewSet):
    """Meetings of the visible series."""

    model = Meeting
    serializer_class = MeetingSerializer
    filterset_fields = ["series", "status"]

    def visible(self):
        return selectors.meeting_list(access=self.access).order_by("starts_at", "pk")


class AgendaItemViewSet(ReadViewSet):
    """Agenda items with their preparation, minutes and outcome. A supplier never sees
    client-only items nor the client's internal notes; it delivers its pre-read with
    `prepare`, the client its impact analysis and notes; managers record the outcome."""

    model = AgendaItem
    serializer_class = AgendaItemSerializer
    filterset_fields = ["meeting", "source", "outcome"]

    def get_serializer_class(self):
        if getattr(self.request, "access", None) and self.access.is_supplier:
            return AgendaItemSupplierSerializer
        return AgendaItemSerializer

    def visible(self):
        return selectors.item_list(access=self.access)

    @extend_schema(request=SupplierPreparationSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def prepare(self, request, *args, **kwargs):
        """Deliver a pre-read: the supplier's results and deviation analysis
        (`supplier_results`), or the client's `client_impact` and `client_notes`."""
        item = self.get_object()
        if self.access.is_supplier:
            data = SupplierPreparationSerializer(data=request.data)
        elif self.access.can_manage:
            data = ClientPreparationSerializer(data=request.data)
        else:
            raise PermissionDenied
        data.is_valid(raise_exception=True)
        try:
            item = services.item_prepare(item=item, access=self.access, **data.validated_data)
        except ValidationError as error:
            raise _invalid(error) from error
        return Response(self.get_serializer(item).data)

    @extend_schema(request=OutcomeSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, *args, **kwargs):
        """Record the item's minutes and outcome (information, decision, action)."""
        item = self.get_object()
        if not self.access.can_manage:
            raise PermissionDenied
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = services.item_record(item=item, **data.validated_data)
        except ValidationError as error:
            raise _invalid(error) from error
        return Response(self.get_serializer(item).data)


class ActionItemViewSet(ReadViewSet):
    """Actions agreed in meetings, carried over until done."""

    model = ActionItem
    serializer_class = ActionItemSerializer
    filterset_fields = ["series", "meeting", "status", "owner_side"]

    def visible(self):
        return selectors.action_list(access=self.access)

    @extend_schema(request=ActionStatusSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, *args, **kwargs):
        """Change an action's status: managers any, a supplier the actions its side owns."""
        action_item = self.get_object()
        allowed = self.access.can_manage or (
            self.access.is_supplier and action_item.owner_side == "supplier"
        )
        if not allowed:
            raise PermissionDenied
        data = ActionStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action_item = services.action_set_status(
            action=action_item, status=data.validated_data["status"]
        )
        return Response(self.get_serializer(action_item).data)


class SIPViewSet(ReadViewSet):
    """Service Improvement Programmes with their milestones and measured progress."""

    model = SIP
    serializer_class = SIPSerializer
    filterset_fields = ["contract", "status"]

    def visible(self):
        return selectors.sip_list(access=self.access)
