"""Complaint API: the organisation's complaints (client team; the supplier its assigned ones),
their timeline, verdict figures and improvement proposals; plus the public submission and the
open register, which need no account."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import antiabuse, selectors, services
from complaints.api.serializers import (
    ComplaintEventSerializer,
    ComplaintSerializer,
    ProposalSerializer,
    PublicComplaintSerializer,
    PublicReceiptSerializer,
    RegisterSerializer,
    TransitionSerializer,
    VerdictSummarySerializer,
)
from complaints.models import Complaint, ImprovementProposal
from complaints.permissions import may_transition
from governance.access import system_access, tenant_scope
from governance.api import OrganisationScopedViewSet
from governance.models import Organisation


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """Complaints of the organisation; a supplier's user sees only those assigned to its
    supplier, with contact details only where the complainant consented."""

    serializer_class = ComplaintSerializer
    lookup_value_regex = r"\d+"
    search_fields = ["reference", "description"]
    ordering_fields = ["received_at", "resolve_due", "reference"]
    filterset_fields = ["status", "channel", "impact", "outside_window"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return selectors.complaint_list(access=self.access)

    def may_write(self, access):
        # Suppliers answer the complaints assigned to them; the service checks each move.
        return access.can_manage or access.is_supplier

    @extend_schema(
        request=TransitionSerializer,
        responses={200: ComplaintSerializer, 400: OpenApiResponse(description="Refused move")},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        """Move the complaint along the procedure (acknowledged, in_progress, resolved with the
        resolution as text, closed, reopened or rejected with a reason)."""
        complaint = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not may_transition(self.access, complaint, payload.validated_data["to"]):
            raise PermissionDenied
        try:
            complaint = services.complaint_transition(
                access=self.access,
                complaint=complaint,
                to=payload.validated_data["to"],
                text=payload.validated_data.get("text", ""),
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        complaint = self.get_queryset().get(pk=complaint.pk)
        return Response(self.get_serializer(complaint).data)

    @extend_schema(responses=ComplaintEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, *args, **kwargs):
        """The complaint's timeline (internal notes only for the client's team)."""
        complaint = self.get_object()
        events = selectors.complaint_timeline(access=self.access, complaint=complaint)
        return Response(ComplaintEventSerializer(events, many=True).data)

    @extend_schema(responses=VerdictSummarySerializer)
    @action(detail=False, methods=["get"])
    def verdicts(self, request, *args, **kwargs):
        """The complainants' verdicts in figures, with "closed but not resolved for me"."""
        return Response(
            VerdictSummarySerializer(selectors.verdict_summary(access=self.access)).data
        )


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """Improvement proposals (costed extension cases) — the client's own business cases."""

    serializer_class = ProposalSerializer
    search_fields = ["title"]
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImprovementProposal.objects.none()
        return selectors.proposal_list(access=self.access)


def _organisation(org_slug) -> Organisation:
    organisation = Organisation.objects.filter(slug=org_slug).first()
    if organisation is None:
        raise Http404
    return organisation


class TooManyRequestsSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PublicComplaintView(APIView):
    """File a complaint without an account (rate-limited per address and organisation).
    Attachments go through the web form only."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=PublicComplaintSerializer,
        responses={
            201: PublicReceiptSerializer,
            400: OpenApiResponse(description="Invalid input, per field"),
            429: TooManyRequestsSerializer,
        },
    )
    def post(self, request, org_slug):
        organisation = _organisation(org_slug)
        with tenant_scope(system_access(organisation)):
            if not selectors.settings_for(organisation=organisation).intake_open:
                raise Http404
            if not antiabuse.allow_submission(request=request, organisation_id=organisation.pk):
                return Response(
                    {"detail": "Too many complaints from this address; try again later."},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            services.complaint_intake_prepare(organisation=organisation)
            payload = PublicComplaintSerializer(
                data=request.data, context={"organisation": organisation}
            )
            payload.is_valid(raise_exception=True)
            try:
                complaint = services.complaint_register(
                    organisation=organisation,
                    base_url=request.build_absolute_uri("/"),
                    **payload.validated_data,
                )
            except ValidationError as error:
                raise serializers.ValidationError(
                    error.message_dict if hasattr(error, "error_dict") else error.messages
                ) from None
            receipt = {
                "reference": complaint.reference,
                "tracking_url": services.tracking_url(complaint, request.build_absolute_uri("/")),
                "status": complaint.status,
            }
        return Response(PublicReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)


class PublicRegisterView(APIView):
    """The open register of handled complaints over the last twelve months, when the
    organisation publishes it: aggregated, with groups below k hidden (null)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=RegisterSerializer)
    def get(self, request, org_slug):
        organisation = _organisation(org_slug)
        with tenant_scope(system_access(organisation)):
            if not selectors.settings_for(organisation=organisation).register_public:
                raise Http404
            start, end = selectors.register_period(selectors.local_today(organisation))
            figures = selectors.register(
                organisation=organisation, period_start=start, period_end=end
            )
        data = {
            "period_start": figures.period_start,
            "period_end": figures.period_end,
            "k": figures.k,
            "handled": figures.handled,
            "median_handling_days": figures.median_handling_days,
            "within_deadline_percent": figures.within_deadline_percent,
            "by_category_and_month": [
                {"category": category, "month": month.strftime("%Y-%m"), "count": count}
                for (category, month), count in sorted(figures.cells.items())
            ],
            "verdict_scores": {str(k): v for k, v in figures.verdict_scores.items()},
            "verdict_resolved": figures.verdict_resolved,
        }
        return Response(RegisterSerializer(data).data)
