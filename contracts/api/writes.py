"""Input serializers of the contract register's API writes.

They parse JSON into the arguments of the same services the browser forms call
(`contracts.services`), over the same editable fields (`contracts.forms`); the services and the
models judge what is valid, and their errors come back as a 400 naming the field. Each answers
with the record as the read endpoints show it."""

from functools import cache

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.settings import api_settings

from contracts import selectors, services
from contracts.api.serializers import (
    ContractSerializer,
    ServiceLevelSerializer,
    ServiceSerializer,
)
from contracts.forms import CONTRACT_FIELDS, LEVEL_FIELDS
from contracts.models import (
    Contract,
    Expectation,
    InformationNeed,
    Service,
    ServiceHours,
    ServiceLevel,
    ServiceLevelDimension,
)
from governance.platform.api import ScopedModelSerializer


def service_errors(error: DjangoValidationError, rename: dict | None = None):
    """A service's ValidationError as DRF's: the same messages by (API) field name, errors
    that belong to no field under `non_field_errors`."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})
    detail = {}
    for name, messages in error.message_dict.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name
        detail.setdefault(rename.get(key, key), []).extend(messages)
    return serializers.ValidationError(detail)


def call_service(write, rename=None):
    try:
        return write()
    except DjangoValidationError as error:
        raise service_errors(error, rename) from None


@cache
def error_body(serializer_class):
    """The 400 body of a write, for the schema: a list of messages per field named."""
    fields = {
        name: serializers.JSONField(required=False)
        if isinstance(field, serializers.BaseSerializer)
        else serializers.ListField(child=serializers.CharField(), required=False)
        for name, field in serializer_class().fields.items()
        if not field.read_only
    }
    fields[api_settings.NON_FIELD_ERRORS_KEY] = serializers.ListField(
        child=serializers.CharField(), required=False
    )
    name = serializer_class.__name__.removesuffix("Serializer") + "Errors"
    return inline_serializer(name=name, fields=fields)


class RegisterWriteSerializer(ScopedModelSerializer):
    # Base of the writes: the answer is the record as read (`read_serializer`).

    read_serializer = None

    def to_representation(self, instance):
        return self.read_serializer(instance, context=self.context).data

    def contract_field(self, fields):
        access = self.context.get("access")
        if access is not None and "contract" in fields:
            fields["contract"].queryset = selectors.contract_list(access=access)
        return fields


# --- contracts -----------------------------------------------------------------------------


class ContractUpdateSerializer(RegisterWriteSerializer):
    """A contract's terms: dates, notice period, renewal, value, status, reporting calendar."""

    read_serializer = ContractSerializer

    class Meta:
        model = Contract
        fields = CONTRACT_FIELDS
        # The service judges a taken reference and names the field.
        validators = []

    def update(self, instance, validated_data):
        return call_service(lambda: services.contract_update(contract=instance, **validated_data))


class ContractCreateSerializer(ContractUpdateSerializer):
    """A new contract with a supplier the organisation already works with (the platform
    operator engages new suppliers, as in the browser)."""

    class Meta(ContractUpdateSerializer.Meta):
        fields = ["supplier", *CONTRACT_FIELDS]

    def limit_unscoped_queryset(self, queryset, access):
        return selectors.supplier_list(access=access)

    def create(self, validated_data):
        organisation = self.context["access"].organisation
        return call_service(
            lambda: services.contract_create(organisation=organisation, **validated_data)
        )


# --- services ------------------------------------------------------------------------------


class HoursInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceHours
        fields = ["weekday", "opens", "closes"]


HOURS_HELP = _(
    "The weekly window: intervals per weekday (0 = Monday), local time. It replaces the "
    "window as a whole; an empty list means always open. Left out on an update: unchanged."
)


class ServiceUpdateSerializer(RegisterWriteSerializer):
    """A service of a contract: name, description, criticality, holidays, weekly window."""

    read_serializer = ServiceSerializer
    opening_hours = HoursInputSerializer(many=True, required=False, help_text=HOURS_HELP)

    class Meta:
        model = Service
        fields = ["name", "description", "criticality", "open_on_holidays", "opening_hours"]
        validators = []

    @staticmethod
    def hours(validated_data):
        rows = validated_data.pop("opening_hours", None)
        if rows is None:
            return None
        return [(row["weekday"], row["opens"], row["closes"]) for row in rows]

    def update(self, instance, validated_data):
        hours = self.hours(validated_data)
        return call_service(
            lambda: services.service_update(service=instance, hours=hours, **validated_data),
            {"hours": "opening_hours"},
        )


class ServiceCreateSerializer(ServiceUpdateSerializer):
    """A new service of a contract, with its weekly window (none: always open)."""

    class Meta(ServiceUpdateSerializer.Meta):
        fields = ["contract", *ServiceUpdateSerializer.Meta.fields]

    def get_fields(self):
        return self.contract_field(super().get_fields())

    def create(self, validated_data):
        hours = self.hours(validated_data) or []
        return call_service(
            lambda: services.service_create(hours=hours, **validated_data),
            {"hours": "opening_hours"},
        )


# --- service levels ------------------------------------------------------------------------


class DimensionInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceLevelDimension
        fields = ["dimension", "weight"]


def dimension_weights(rows) -> dict:
    weights = {}
    for row in rows:
        if row["dimension"] in weights:
            raise serializers.ValidationError(_("A dimension is named more than once."))
        weights[row["dimension"]] = row["weight"]
    return weights


class ServiceLevelCreateSerializer(RegisterWriteSerializer):
    """A new service level of a contract; its code must be new to the contract (changing an
    agreed level is an amendment)."""

    read_serializer = ServiceLevelSerializer
    dimensions = DimensionInputSerializer(many=True, required=False)

    class Meta:
        model = ServiceLevel
        fields = ["contract", "service", *LEVEL_FIELDS, "dimensions"]
        validators = []

    def get_fields(self):
        return self.contract_field(super().get_fields())

    def validate_dimensions(self, rows):
        return dimension_weights(rows)

    def create(self, validated_data):
        return call_service(lambda: services.service_level_add(**validated_data))


AMENDABLE = ["name", "unit", "target", "breach_threshold", "period"]


class ServiceLevelAmendSerializer(RegisterWriteSerializer):
    """An amendment of the version in force: what changes, from which day. Fields left out
    stay as they are; `dimensions`, when given, replaces the mappings."""

    read_serializer = ServiceLevelSerializer
    dimensions = DimensionInputSerializer(many=True, required=False)

    class Meta:
        model = ServiceLevel
        fields = ["valid_from", *AMENDABLE, "dimensions"]
        extra_kwargs = {name: {"required": False} for name in AMENDABLE}
        validators = []

    def validate_dimensions(self, rows):
        return dimension_weights(rows)

    def create(self, validated_data):
        level = self.context["level"]
        return call_service(lambda: services.service_level_amend(level=level, **validated_data))


# --- expectations and information needs ----------------------------------------------------


class ExpectationSerializer(ScopedModelSerializer):
    class Meta:
        model = Expectation
        fields = ["id", "contract", "statement", "measured_by", "owner"]
        read_only_fields = fields


class ExpectationUpdateSerializer(RegisterWriteSerializer):
    """An explicit expectation: what the client expects, how it is measured, who owns it."""

    read_serializer = ExpectationSerializer
    TEXT = ["statement", "measured_by", "owner"]

    class Meta:
        model = Expectation
        fields = ["statement", "measured_by", "owner"]

    def update(self, instance, validated_data):
        # The service takes the whole expectation; a partial update keeps the rest.
        data = {name: validated_data.get(name, getattr(instance, name)) for name in self.TEXT}
        return call_service(lambda: services.expectation_update(expectation=instance, **data))


class ExpectationCreateSerializer(ExpectationUpdateSerializer):
    """A new explicit expectation of a contract."""

    class Meta(ExpectationUpdateSerializer.Meta):
        fields = ["contract", *ExpectationUpdateSerializer.Meta.fields]

    def get_fields(self):
        return self.contract_field(super().get_fields())

    def create(self, validated_data):
        return call_service(lambda: services.expectation_create(**validated_data))


NEED_FIELDS = ["what", "format", "frequency", "delivered_by", "recipient", "due_days"]


class InformationNeedSerializer(ScopedModelSerializer):
    class Meta:
        model = InformationNeed
        fields = ["id", "contract", *NEED_FIELDS]
        read_only_fields = fields


class InformationNeedUpdateSerializer(RegisterWriteSerializer):
    """An information need: what, format, frequency, by whom, to whom, days after the period."""

    read_serializer = InformationNeedSerializer

    class Meta:
        model = InformationNeed
        fields = NEED_FIELDS

    def update(self, instance, validated_data):
        return call_service(
            lambda: services.information_need_update(need=instance, **validated_data)
        )


class InformationNeedCreateSerializer(InformationNeedUpdateSerializer):
    """A new information need of a contract."""

    class Meta(InformationNeedUpdateSerializer.Meta):
        fields = ["contract", *NEED_FIELDS]

    def get_fields(self):
        return self.contract_field(super().get_fields())

    def create(self, validated_data):
        return call_service(lambda: services.information_need_create(**validated_data))
