"""The OpenAPI description of the token authentication (drf-spectacular finds it when this
module is imported, in apps.py)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "governance.accounts.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An API token from POST /api/v1/auth/token/ or the account page, "
                'prefixed with "Token ": `Authorization: Token rg_…`. Tokens are scoped to '
                "one organisation or one supplier and expire."
            ),
        }
