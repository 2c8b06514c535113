from rest_framework import serializers

from contracts.models import Contract
from governance.api import ScopedModelSerializer


class ContractSerializer(ScopedModelSerializer):
    """The contract as every audience of the API sees it (no internal fields yet)."""

    supplier = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "reference", "title", "supplier"]
        read_only_fields = fields
