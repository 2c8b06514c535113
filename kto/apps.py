from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KtoConfig(AppConfig):
    name = "kto"
    verbose_name = _("Satisfaction surveys")
