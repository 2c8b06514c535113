from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from governance.platform.api import ScopedModelSerializer
from governance.platform.dimensions import Dimension
from kto import services
from kto.models import AnonymityMode, Question, StakeholderGroup, Survey, SurveyKind


class QuestionSerializer(ScopedModelSerializer):
    class Meta:
        model = Question
        fields = [
            "id",
            "code",
            "dimension",
            "kind",
            "text_nl",
            "text_en",
            "proxy_text_nl",
            "proxy_text_en",
            "service",
            "active",
        ]
        read_only_fields = fields


class SurveySerializer(ScopedModelSerializer):
    """A survey as the client's members see it; created from the template of its kind."""

    state = serializers.SerializerMethodField()
    groups = serializers.ListField(
        child=serializers.ChoiceField(choices=StakeholderGroup.choices),
        write_only=True,
        min_length=1,
    )
    stakeholder_groups = serializers.SerializerMethodField()
    targets = serializers.DictField(
        child=serializers.FloatField(min_value=1, max_value=5), required=False
    )
    kind = serializers.ChoiceField(
        choices=[c for c in SurveyKind.choices if c[0] != SurveyKind.VERDICT]
    )
    anonymity_mode = serializers.ChoiceField(
        choices=AnonymityMode.choices, default=AnonymityMode.STANDARD
    )

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "kind",
            "contracts",
            "services",
            "period_start",
            "period_end",
            "opens_on",
            "closes_on",
            "state",
            "targets",
            "anonymity_mode",
            "anonymity_locked",
            "groups",
            "stakeholder_groups",
        ]
        read_only_fields = ["anonymity_locked"]
        extra_kwargs = {"services": {"required": False}}

    def get_state(self, survey) -> str:
        return survey.state(timezone.localdate())

    def get_stakeholder_groups(self, survey) -> list[str]:
        return [g.group for g in survey.groups.all()]

    def validate_targets(self, value):
        unknown = set(value) - set(Dimension.values)
        if unknown:
            raise serializers.ValidationError(f"Unknown dimensions: {sorted(unknown)}")
        return value

    def create(self, validated_data):
        access = self.context["access"]
        try:
            return services.survey_create(organisation=access.organisation, **validated_data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                getattr(error, "message_dict", {"non_field_errors": error.messages})
            ) from None


class SupplierSurveySerializer(serializers.ModelSerializer):
    """What a supplier's user sees of a survey: no targets, only its own contracts."""

    contracts = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "kind",
            "period_start",
            "period_end",
            "opens_on",
            "closes_on",
            "contracts",
        ]
        read_only_fields = fields

    def get_contracts(self, survey) -> list[int]:
        supplier = self.context["access"].supplier
        return [c.pk for c in survey.contracts.all() if c.supplier_id == supplier.pk]


class ParticipantImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False, help_text="CSV: email, group[, contract, department, language]"
    )
    csv = serializers.CharField(required=False, help_text="The same CSV as text")

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("csv"):
            raise serializers.ValidationError("Send a CSV as `file` or as `csv` text.")
        return attrs


class ParticipantImportResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()


class FigureSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    mean = serializers.FloatField()
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    distribution = serializers.ListField(child=serializers.FloatField())


class ResultCellSerializer(serializers.Serializer):
    """One (contract, group) or a total. Hidden cells (fewer than k respondents, or hidden so
    that no small group can be derived) carry no figures at all."""

    label = serializers.CharField()
    hidden = serializers.BooleanField()
    respondents = serializers.SerializerMethodField()
    response_rate = serializers.FloatField(allow_null=True)
    perception = serializers.SerializerMethodField()
    expectation = serializers.SerializerMethodField()
    importance = serializers.SerializerMethodField()
    happiness = serializers.SerializerMethodField()
    time_lost_hours = serializers.SerializerMethodField()

    def get_respondents(self, cell) -> int | None:
        return None if cell.hidden else cell.respondents

    def _figures(self, cell, figures) -> dict:
        if cell.hidden:
            return {}
        return {d: FigureSerializer(f).data for d, f in figures.items()}

    def get_perception(self, cell) -> dict[str, dict]:
        return self._figures(cell, cell.perception)

    def get_expectation(self, cell) -> dict[str, dict]:
        return self._figures(cell, cell.expectation)

    def get_importance(self, cell) -> dict[str, dict]:
        return self._figures(cell, cell.importance)

    def get_happiness(self, cell) -> float | None:
        return None if cell.hidden else cell.happiness

    def get_time_lost_hours(self, cell) -> float | None:
        return None if cell.hidden or cell.time_lost is None else cell.time_lost.mean


class ContractResultsSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="contract.pk")
    reference = serializers.CharField(source="contract.reference")
    total = ResultCellSerializer()
    groups = ResultCellSerializer(many=True)


class SurveyResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField(source="survey.pk")
    k = serializers.IntegerField()
    total = ResultCellSerializer(allow_null=True)
    contracts = ContractResultsSerializer(many=True)
