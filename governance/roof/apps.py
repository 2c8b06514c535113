from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoofConfig(AppConfig):
    name = "governance.roof"
    label = "roof"
    verbose_name = _("Regie home pages and demo")
