from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints.privacy import HANDLER
        from complaints.selectors import complaint_impact_many, occurrence_times
        from governance.platform import privacy
        from governance.platform.impact import register_batch_impact_source
        from governance.platform.service_links import register_occurrence_source

        # Audits rank findings by end-user impact; complaints are one source of it.
        register_batch_impact_source(complaint_impact_many)
        # Simulations derive arrival profiles from when complaints happened.
        register_occurrence_source(occurrence_times)
        # Complainants' contact details and attachments: retention and erasure.
        privacy.register(HANDLER)
