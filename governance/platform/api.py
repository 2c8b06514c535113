"""API base classes: every organisation-scoped endpoint derives from these."""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.generators import SchemaGenerator as SpectacularSchemaGenerator
from rest_framework import mixins, permissions, serializers, viewsets

from governance.platform.access import Access, platform_scope


class TenantAccessPermission(permissions.BasePermission):
    """The tenant middleware has resolved access for this request; writes need a manager role
    unless the viewset says otherwise in `may_write`."""

    def has_permission(self, request, view):
        access: Access | None = getattr(request, "access", None)
        if access is None:
            # Only reachable when a tenant viewset is routed outside /api/v1/o/<slug>/.
            raise Http404
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.may_write(access)


class OrganisationScopedViewSet(viewsets.GenericViewSet):
    """Base for every `/api/v1/o/<org_slug>/…` viewset.

    The queryset is restricted to the organisation in `initial` via `get_queryset`, and the
    serializer gets the access in its context so related fields are limited to the scope.
    """

    permission_classes = [permissions.IsAuthenticated, TenantAccessPermission]

    @property
    def access(self) -> Access:
        return self.request.access

    def may_write(self, access: Access) -> bool:
        return access.can_manage

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.filter(organisation=self.access.organisation)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["access"] = getattr(self.request, "access", None)
        return context


class ScopedReadViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet
):
    """List and detail of the rows `visible()` lets this access see. The schema generator gets
    an empty queryset of `model` instead, as it has no access to ask with."""

    model = None

    def visible(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.visible()


class ScopedModelSerializer(serializers.ModelSerializer):
    """Limits every writable related field to the current organisation, so a forged foreign id
    is a validation error (400), never a write."""

    def get_fields(self):
        fields = super().get_fields()
        self._allow_blank_choices(fields)
        access: Access | None = self.context.get("access")
        for field in fields.values():
            related = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            if queryset is None or access is None:
                continue
            model_fields = {f.name for f in queryset.model._meta.get_fields()}
            if "organisation" in model_fields:
                related.queryset = queryset.filter(organisation=access.organisation)
            else:
                related.queryset = self.limit_unscoped_queryset(queryset, access)
        return fields

    def _allow_blank_choices(self, fields) -> None:
        """A choice the model may leave blank is answered as "" (read-only fields too), so the
        schema's enum lists "" as well."""
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            if not isinstance(field, serializers.ChoiceField) or model is None:
                continue
            try:
                # Fields are not bound yet: `source` is only set when it differs from the name.
                model_field = model._meta.get_field(field.source or name)
            except (FieldDoesNotExist, TypeError):
                continue
            if getattr(model_field, "blank", False) and model_field.get_internal_type() in (
                "CharField",
                "TextField",
            ):
                field.allow_blank = True

    def limit_unscoped_queryset(self, queryset: QuerySet, access: Access) -> QuerySet:
        """Related models without an organisation must be limited explicitly by a subclass."""
        raise NotImplementedError(
            f"{type(self).__name__} must limit {queryset.model.__name__} choices to the scope."
        )


class SchemaGenerator(SpectacularSchemaGenerator):
    """Generating the OpenAPI schema inspects (never runs) querysets of every tenant model, so
    the tenant guard is lifted for the generator alone: view, command and system check."""

    def get_schema(self, *args, **kwargs):
        with platform_scope():
            return super().get_schema(*args, **kwargs)
