from rest_framework import mixins

from contracts.api.serializers import ContractSerializer
from contracts.selectors import contract_list
from governance.api import OrganisationScopedViewSet


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """Contracts of the organisation; a supplier's user sees its own contracts only."""

    serializer_class = ContractSerializer
    search_fields = ["reference", "title"]
    ordering_fields = ["reference", "title"]
    filterset_fields = ["reference"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ContractSerializer.Meta.model.objects.none()
        return contract_list(access=self.access)
