"""Complaint API: the organisation's complaints (client team; the supplier its assigned ones),
their timeline, verdict figures and improvement proposals; plus the public submission and the
open register, which need no account."""

from dataclasses import asdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
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
    PublicComplaintUploadSerializer,
    PublicReceiptSerializer,
    RegisterSerializer,
    StatisticsQuerySerializer,
    StatisticsSerializer,
    TransitionSerializer,
    VerdictSummarySerializer,
)
from complaints.models import Complaint, ImprovementProposal
from complaints.permissions import may_transition
from contracts.selectors import service_list
from governance.platform.access import system_access, tenant_scope
from governance.platform.api import ScopedReadViewSet
from governance.platform.concurrency import VersionedViewSetMixin
from governance.platform.history_api import HistoryActionMixin
from governance.platform.models import Organisation


class ComplaintViewSet(VersionedViewSetMixin, HistoryActionMixin, ScopedReadViewSet):
    """Complaints of the organisation; a supplier's user sees only those assigned to its
    supplier, with contact details only where the complainant consented."""

    serializer_class = ComplaintSerializer
    lookup_value_regex = r"\d+"
    search_fields = ["reference", "description"]
    ordering_fields = ["received_at", "resolve_due", "reference"]
    filterset_fields = ["status", "channel", "impact", "outside_window"]
    model = Complaint

    def visible(self):
        return selectors.complaint_list(access=self.access)

    def may_write(self, access):
        # Suppliers answer the complaints assigned to them; the service checks each move.
        return access.may("complaints.manage") or access.may("complaints.respond")

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
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
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

    @extend_schema(
        parameters=[StatisticsQuerySerializer],
        responses={200: StatisticsSerializer, 403: OpenApiResponse(description="Supplier")},
    )
    @action(detail=False, methods=["get"])
    def statistics(self, request, *args, **kwargs):
        """The analysis in figures (the client's own, like the analysis page): the headline with
        "closed but not resolved for the complainant", the weekday × hour grid with the chosen
        service's window, counts per category and service, and twelve months of trend."""
        access = self.access
        if not access.is_client:
            raise PermissionDenied
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = selectors.local_today(access.organisation)
        until = query.validated_data.get("until") or today
        since = query.validated_data.get("since") or until - timedelta(days=364)
        service_id = query.validated_data.get("service")
        if (
            service_id is not None
            and not service_list(access=access).filter(pk=service_id).exists()
        ):
            raise serializers.ValidationError({"service": [_("Unknown service.")]})
        figures = selectors.hour_analysis(
            access=access, since=since, until=until, service_id=service_id
        )
        parts = selectors.breakdown(access=access, since=since, until=until)
        trends = selectors.complaint_trends(access=access, months=12, today=today)
        data = {
            "since": since,
            "until": until,
            "headline": asdict(selectors.headline(access=access, today=today)),
            "total": figures.total,
            "judged": figures.judged,
            "outside_window": figures.outside,
            "outside_share_percent": figures.outside_share,
            "hours": [
                {
                    "weekday": weekday,
                    "hour": hour,
                    "count": count,
                    "inside_window": (weekday, hour) in figures.window if service_id else None,
                }
                for (weekday, hour), count in sorted(figures.grid.items())
            ],
            "by_category": [{"name": n, "count": c} for n, c in parts["category"]],
            "by_service": [{"name": n, "count": c} for n, c in parts["service"]],
            "months": [
                {
                    "month": month.strftime("%Y-%m"),
                    "total": trends.total[i],
                    "outside_window": trends.outside_window[i],
                    "not_resolved_for_complainant": trends.not_resolved_for_complainant[i],
                }
                for i, month in enumerate(trends.months)
            ],
        }
        return Response(StatisticsSerializer(data).data)


class ProposalViewSet(VersionedViewSetMixin, HistoryActionMixin, ScopedReadViewSet):
    """Improvement proposals (costed extension cases) — the client's own business cases."""

    serializer_class = ProposalSerializer
    search_fields = ["title"]
    filterset_fields = ["status"]
    model = ImprovementProposal

    def visible(self):
        return selectors.proposal_list(access=self.access)


def _organisation(org_slug) -> Organisation:
    organisation = Organisation.objects.filter(slug=org_slug).first()
    if organisation is None:
        raise Http404
    return organisation


class TooManyRequestsSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PublicComplaintView(APIView):
    """File a complaint without an account (rate-limited per address and organisation). Send
    JSON, or multipart/form-data to add attachments (PDF, PNG or JPEG, checked by content and
    size as on the web form). A refused file is a 400 naming the field and the reason; then
    nothing is stored and no e-mail is sent."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request={
            "application/json": PublicComplaintSerializer,
            "application/x-www-form-urlencoded": PublicComplaintSerializer,
            "multipart/form-data": PublicComplaintUploadSerializer,
        },
        responses={
            201: PublicReceiptSerializer,
            400: OpenApiResponse(
                description="Invalid input, per field (e.g. an attachment too large or not "
                "what its name says)"
            ),
            429: TooManyRequestsSerializer,
        },
    )
    def post(self, request, org_slug):
        organisation = _organisation(org_slug)
        with tenant_scope(system_access(organisation)):
            if not selectors.settings_for(organisation=organisation).intake_open:
                raise Http404
            services.complaint_intake_prepare(organisation=organisation)
            payload = PublicComplaintUploadSerializer(
                data=request.data, context={"organisation": organisation}
            )
            payload.is_valid(raise_exception=True)
            # Only stored complaints count against the limits: invalid input never does, and the
            # place is given back when the complaint is not registered after all.
            reservation = antiabuse.reserve_submission(
                request=request, organisation_id=organisation.pk
            )
            if reservation is None:
                return Response(
                    {"detail": _("Too many complaints from this address; try again later.")},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            try:
                complaint = services.complaint_register(
                    organisation=organisation,
                    base_url=request.build_absolute_uri("/"),
                    **payload.validated_data,
                )
            except ValidationError as error:
                reservation.release()
                raise serializers.ValidationError(
                    error.message_dict if hasattr(error, "error_dict") else error.messages
                ) from None
            except BaseException:
                reservation.release()
                raise
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
