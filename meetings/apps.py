from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from governance.platform.follow_ups import register_follow_up_provider
        from meetings.selectors import gap_flag_agenda_follow_ups, gap_flag_sip_follow_ups

        # The gap flag's page shows the agendas it is on and the SIPs started from it.
        register_follow_up_provider(gap_flag_agenda_follow_ups)
        register_follow_up_provider(gap_flag_sip_follow_ups)
