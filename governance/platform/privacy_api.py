"""REST: the organisation's retention settings at /api/v1/o/<org>/privacy-settings/ — its
members read, contract managers write (as on the privacy page), a supplier's user gets 404."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import path
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from governance.platform import privacy
from governance.platform.api import OrganisationScopedViewSet
from governance.platform.models import PrivacySettings


class PrivacySettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrivacySettings
        fields = [
            "complaint_contact_months",
            "participant_email_months",
            "contact_name",
            "contact_email",
        ]


class PrivacySettingsViewSet(OrganisationScopedViewSet):
    """Months the personal data of complainants (after closure) and survey participants (after
    the survey closes) are kept before the nightly job anonymises it, and the privacy contact
    shown on the public privacy statement."""

    serializer_class = PrivacySettingsSerializer

    def initial(self, request, *args, **kwargs):
        access = getattr(request, "access", None)
        if access is not None and not access.is_client:
            raise Http404
        super().initial(request, *args, **kwargs)

    def may_write(self, access) -> bool:
        return privacy.may_handle_privacy(access)

    def get_object(self):
        return privacy.privacy_settings_for(organisation=self.access.organisation)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def update(self, request, *args, partial=False, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                saved = privacy.privacy_settings_update(
                    access=self.access, **serializer.validated_data
                )
        except ValidationError as error:
            raise APIValidationError(error.message_dict) from error
        return Response(self.get_serializer(saved).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


urlpatterns = [
    path(
        "privacy-settings/",
        PrivacySettingsViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update"}
        ),
        name="privacy-settings",
    ),
]
