"""The `history` action of the API's record endpoints: `GET …/<id>/history/`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.platform.trail import record_history


class HistoryChangeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The field's name in the API and the database.")
    label = serializers.CharField(help_text="The field's name in the user's language.")
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_blank=True, help_text="Empty for the system.")
    side = serializers.ChoiceField(choices=["client", "supplier", "operator", "system"])
    changes = HistoryChangeSerializer(many=True)


class HistoryActionMixin:
    """Adds `history` to a viewset whose records are tracked: the record is fetched through the
    viewset's own scoped queryset, so whoever may read the record reads its history, without
    the fields the record keeps for the client."""

    @extend_schema(
        responses=HistoryEntrySerializer(many=True),
        summary="The record's audit trail, newest first",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="history",
        pagination_class=None,
        filter_backends=[],
    )
    def history(self, request, *args, **kwargs):
        record = self.get_object()
        entries = record_history(record, access=self.access)
        return Response(HistoryEntrySerializer(entries, many=True).data)
