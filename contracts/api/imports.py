"""`POST /api/v1/o/<org>/contract-imports/`: the register import of `contracts.imports`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from contracts.imports import KINDS, register_import
from contracts.permissions import may_manage_contract
from governance.platform.api import OrganisationScopedViewSet


class RegisterImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="An .xlsx workbook with sheets contracts, services and service_levels, or a "
        ".csv/.xlsx of one kind (then `kind` is required)."
    )
    kind = serializers.ChoiceField(choices=KINDS, required=False)
    dry_run = serializers.BooleanField(required=False, default=True)


class RegisterImportProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class RegisterImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    stored = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    problems = RegisterImportProblemSerializer(many=True)


class RegisterImportViewSet(OrganisationScopedViewSet):
    """Import an existing contract register; all or nothing."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = RegisterImportSerializer

    def may_write(self, access) -> bool:
        return may_manage_contract(access)

    @extend_schema(
        request={"multipart/form-data": RegisterImportSerializer},
        responses={200: RegisterImportResultSerializer, 400: RegisterImportResultSerializer},
        description=(
            "Validate (`dry_run`, the default) or store the rows of a register export: "
            "contracts, services with weekly windows, service levels. Every problem is listed "
            "by sheet, row and column (400) and nothing is stored; a clean import stores every "
            "row in one transaction. Rows are matched on reference / (contract, name) / "
            "(contract, code), so importing the same file again changes nothing."
        ),
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        result = register_import(
            access=self.access,
            name=upload.name,
            content=upload.read(),
            kind=data.get("kind"),
            dry_run=data["dry_run"],
        )
        body = {
            "dry_run": result.dry_run,
            "stored": result.stored,
            "counts": dict(result.counts),
            "problems": result.problems,
        }
        code = status.HTTP_400_BAD_REQUEST if result.problems else status.HTTP_200_OK
        return Response(RegisterImportResultSerializer(body).data, status=code)
