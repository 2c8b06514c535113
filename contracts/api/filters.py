"""API filters. django-filter resolves lookups through the model's default manager when a
FilterSet class is created; our managers are scope-guarded, so the classes are built with the
guard lifted (no query runs here — querysets are filtered per request, inside the scope).
Foreign keys filter by id, so no choice list is ever loaded."""

import django_filters
from django_scopes import scopes_disabled

from contracts.models import Contract, Measurement, Service, ServiceLevel, SLAReport

with scopes_disabled():

    class ContractFilter(django_filters.FilterSet):
        supplier = django_filters.NumberFilter()

        class Meta:
            model = Contract
            fields = ["reference", "status", "renewal", "supplier"]

    class ServiceFilter(django_filters.FilterSet):
        contract = django_filters.NumberFilter()

        class Meta:
            model = Service
            fields = ["contract", "criticality"]

    class ServiceLevelFilter(django_filters.FilterSet):
        contract = django_filters.NumberFilter()
        service = django_filters.NumberFilter()
        in_force_on = django_filters.DateFilter(method="filter_in_force", label="In force on")

        class Meta:
            model = ServiceLevel
            fields = ["contract", "service", "code", "period", "metric_kind", "in_force_on"]

        def filter_in_force(self, queryset, name, value):
            return queryset.filter(valid_from__lte=value).exclude(valid_to__lt=value)

    class SLAReportFilter(django_filters.FilterSet):
        contract = django_filters.NumberFilter()
        period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
        period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

        class Meta:
            model = SLAReport
            fields = ["contract", "status", "is_current", "is_late", "period_from", "period_to"]

    class MeasurementFilter(django_filters.FilterSet):
        report = django_filters.NumberFilter()
        service_level = django_filters.NumberFilter()
        contract = django_filters.NumberFilter(field_name="report__contract")
        period_start = django_filters.DateFilter(field_name="report__period_start")
        current = django_filters.BooleanFilter(field_name="report__is_current")
        code = django_filters.CharFilter(field_name="service_level__code")

        class Meta:
            model = Measurement
            fields = [
                "report",
                "service_level",
                "state",
                "contract",
                "period_start",
                "current",
                "code",
            ]
