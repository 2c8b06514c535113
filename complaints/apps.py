from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints.selectors import complaint_impact
        from governance.impact import register_impact_source

        # Audits rank findings by end-user impact; complaints are one source of it.
        register_impact_source(complaint_impact)
