from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KtoConfig(AppConfig):
    name = "kto"
    verbose_name = _("Satisfaction surveys")

    def ready(self):
        from governance.platform import events, privacy
        from kto.privacy import HANDLER

        # Participants' e-mail addresses: retention and erasure.
        privacy.register(HANDLER)

        from governance.platform.impact import register_batch_impact_source
        from kto.gaps.handlers import gap_impact_many, on_sla_report_accepted, on_survey_closed

        events.subscribe(events.SLA_REPORT_ACCEPTED, on_sla_report_accepted)
        events.subscribe(events.SURVEY_CLOSED, on_survey_closed)
        register_batch_impact_source(gap_impact_many)
