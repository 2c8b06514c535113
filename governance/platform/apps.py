from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance.platform"
    label = "governance"
    verbose_name = _("Governance platform")

    def ready(self):
        from governance.platform import checks  # noqa: F401 - registers the start-up checks
