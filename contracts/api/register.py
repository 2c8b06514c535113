"""Writes of the contract register through the API: create and update of contracts, services
with their weekly window, service levels (and their amendments), expectations and information
needs. Contract managers only, as in the browser; the services validate."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.parsers import JSONParser

from contracts import selectors
from contracts.api.serializers import ErrorSerializer
from contracts.api.writes import (
    ExpectationCreateSerializer,
    ExpectationSerializer,
    ExpectationUpdateSerializer,
    InformationNeedCreateSerializer,
    InformationNeedSerializer,
    InformationNeedUpdateSerializer,
    error_body,
)
from contracts.models import Expectation, InformationNeed
from contracts.permissions import may_manage_contract
from governance.platform.api import ScopedReadViewSet
from governance.platform.concurrency import VersionedViewSetMixin
from governance.platform.history_api import HistoryActionMixin


class RegisterWriteMixin(mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """`POST` to the list and `PUT`/`PATCH` of a record, with an input serializer per action
    that calls the record's service and answers the record as read."""

    create_serializer_class = None
    update_serializer_class = None
    # JSON only: windows and dimension mappings are lists of objects, which forms cannot carry.
    parser_classes = [JSONParser]

    def may_write(self, access) -> bool:
        return may_manage_contract(access)

    def get_serializer_class(self):
        if self.action == "create":
            return self.create_serializer_class
        if self.action in ("update", "partial_update"):
            return self.update_serializer_class
        return super().get_serializer_class()


def register_writes(read, create, update, what):
    """The schema of a register viewset's writes: input serializers, the record as read, and
    the error answers."""

    def answers(ok, serializer):
        return {
            ok: read,
            400: error_body(serializer),
            403: ErrorSerializer,
            404: ErrorSerializer,
        }

    return extend_schema_view(
        create=extend_schema(
            request=create, responses=answers(201, create), description=f"Create {what}."
        ),
        update=extend_schema(
            request=update, responses=answers(200, update), description=f"Replace {what}."
        ),
        partial_update=extend_schema(
            request=update,
            responses=answers(200, update),
            description=f"Change {what}: only the fields sent.",
        ),
    )


@register_writes(
    ExpectationSerializer,
    ExpectationCreateSerializer,
    ExpectationUpdateSerializer,
    "an explicit expectation of the client",
)
class ExpectationViewSet(
    VersionedViewSetMixin, HistoryActionMixin, RegisterWriteMixin, ScopedReadViewSet
):
    """The client's explicit expectations of a contract: what, how measured, who owns it."""

    serializer_class = ExpectationSerializer
    create_serializer_class = ExpectationCreateSerializer
    update_serializer_class = ExpectationUpdateSerializer
    model = Expectation

    def visible(self):
        return selectors.expectation_list(access=self.access).order_by("contract", "pk")


@register_writes(
    InformationNeedSerializer,
    InformationNeedCreateSerializer,
    InformationNeedUpdateSerializer,
    "an information need",
)
class InformationNeedViewSet(
    VersionedViewSetMixin, HistoryActionMixin, RegisterWriteMixin, ScopedReadViewSet
):
    """Information the client needs from the supplier (or the other way round), and when."""

    serializer_class = InformationNeedSerializer
    create_serializer_class = InformationNeedCreateSerializer
    update_serializer_class = InformationNeedUpdateSerializer
    model = InformationNeed

    def visible(self):
        return selectors.information_need_list(access=self.access).order_by("contract", "what")
