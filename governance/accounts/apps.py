from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "governance.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from governance.accounts import guards, lockout, schema, sessions  # noqa: F401
        from governance.platform import guards as platform_guards

        platform_guards.register(guards.token_scope_guard)
        platform_guards.register(guards.mfa_guard)
