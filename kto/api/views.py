from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from governance.platform.api import ScopedReadViewSet
from governance.platform.concurrency import VersionedViewSetMixin
from governance.platform.history_api import HistoryActionMixin
from kto import selectors, services
from kto.api.serializers import (
    ParticipantImportResultSerializer,
    ParticipantImportSerializer,
    QuestionSerializer,
    SupplierSurveySerializer,
    SurveyResultsSerializer,
    SurveySerializer,
)
from kto.models import Question, Survey
from kto.participants import ImportRejected
from kto.results import survey_results


class SurveyViewSet(
    VersionedViewSetMixin, HistoryActionMixin, mixins.CreateModelMixin, ScopedReadViewSet
):
    """Surveys of the organisation. A supplier's user sees only surveys covering its contracts,
    without targets, and only the aggregates of its own contracts."""

    search_fields = ["title"]
    ordering_fields = ["period_end", "title"]
    filterset_fields = ["kind"]
    model = Survey

    def visible(self):
        return selectors.survey_list(access=self.access).prefetch_related("groups")

    def get_serializer_class(self):
        if self.action == "participants":
            return ParticipantImportSerializer
        if self.action == "results":
            return SurveyResultsSerializer
        if getattr(self.request, "access", None) and self.access.is_supplier:
            return SupplierSurveySerializer
        return SurveySerializer

    @extend_schema(
        request=ParticipantImportSerializer,
        responses={201: ParticipantImportResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def participants(self, request, org_slug=None, pk=None):
        """Import participants (CSV); rejected as a whole with row errors, nothing stored."""
        if self.access.is_supplier:
            raise Http404
        survey = self.get_object()
        serializer = ParticipantImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data.get("file")
        content = upload.read() if upload else serializer.validated_data["csv"]
        try:
            added = services.participants_import(survey=survey, content=content)
        except ImportRejected as rejected:
            return Response(
                {
                    "errors": [
                        {"row": e.row, "field": e.field, "message": e.message}
                        for e in rejected.row_errors
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"added": added}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: SurveyResultsSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request, org_slug=None, pk=None):
        """Aggregates only, with small groups suppressed; no open answers, no raw answers."""
        survey = self.get_object()
        results = survey_results(access=self.access, survey=survey, include_open=False)
        return Response(SurveyResultsSerializer(results).data)


class QuestionViewSet(ScopedReadViewSet):
    """The organisation's question bank (client members only)."""

    serializer_class = QuestionSerializer
    search_fields = ["code", "text_nl", "text_en"]
    filterset_fields = ["dimension", "kind"]
    model = Question

    def visible(self):
        if self.access.is_supplier:
            raise Http404
        return selectors.question_list(access=self.access)
