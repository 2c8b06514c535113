"""POST /api/v1/auth/token/: a scoped, expiring token for a user name, password and, where
needed, a second-factor code."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.accounts import lockout
from governance.accounts.mfa import mfa_check, mfa_enabled, mfa_required_for_supplier
from governance.accounts.tokens import token_issue
from governance.platform import ratelimit
from governance.platform.access import access_for, organisations_for, supplier_of
from governance.platform.models import Organisation

CODE_ATTEMPTS = 5


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("User name"))
    password = serializers.CharField(
        label=gettext_lazy("Password"), write_only=True, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        label=gettext_lazy("Authenticator or recovery code"),
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required when the user has two-factor authentication on."),
    )
    organisation = serializers.SlugField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "The organisation (slug) the token is for. A supplier's user may leave it out for "
            "a token of its supplier, reaching every organisation it serves."
        ),
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=gettext_lazy("Shown once; send as 'Token <token>'."))
    name = serializers.CharField()
    organisation = serializers.CharField(allow_null=True)
    supplier = serializers.CharField(allow_null=True)
    expires_at = serializers.DateTimeField()


class ObtainTokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenResponseSerializer},
        summary="Obtain an API token",
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        django_request = request._request
        user = authenticate(
            django_request, username=values["username"], password=values["password"]
        )
        if getattr(django_request, "axes_locked_out", False):
            return Response({"detail": lockout.lockout_message()}, status=429)
        if user is None:
            raise ValidationError(
                {"non_field_errors": [_("Unable to log in with the provided credentials.")]}
            )
        scope, required = self._scope(user, values.get("organisation"))
        passed = self._second_factor(user, values.get("otp", ""), required)
        token, plain = token_issue(user=user, name=values.get("name", ""), mfa=passed, **scope)
        body = {
            "token": plain,
            "name": token.name,
            "organisation": token.organisation.slug if token.organisation else None,
            "supplier": token.supplier.name if token.supplier else None,
            "expires_at": token.expires_at,
        }
        return Response(TokenResponseSerializer(body).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _scope(user, slug):
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None or access_for(user, organisation) is None:
                raise ValidationError({"organisation": [_("You have no access to it.")]})
            return {"organisation": organisation}, organisation.mfa_required
        supplier = supplier_of(user)
        if supplier is not None:
            return {"supplier": supplier}, mfa_required_for_supplier(supplier)
        organisations = organisations_for(user)
        if len(organisations) != 1:
            raise ValidationError({"organisation": [_("Name the organisation (its slug).")]})
        return {"organisation": organisations[0]}, organisations[0].mfa_required

    @staticmethod
    def _second_factor(user, code, required) -> bool:
        if not mfa_enabled(user):
            if required:
                raise PermissionDenied(
                    _(
                        "This organisation requires two-factor authentication: set it up on "
                        "your account page first."
                    )
                )
            return False
        if not code:
            raise ValidationError({"otp": [_("Enter the code from your authenticator app.")]})
        window = settings.REGIE_LOGIN_WINDOW_MINUTES * 60
        if not ratelimit.hit(ratelimit.Limit(f"mfa-code:{user.pk}", CODE_ATTEMPTS, window)):
            raise Throttled(detail=lockout.lockout_message())
        if mfa_check(user=user, code=code) is None:
            raise ValidationError({"otp": [_("That code is not right.")]})
        return True
