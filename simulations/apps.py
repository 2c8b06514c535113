from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulationsConfig(AppConfig):
    name = "simulations"
    verbose_name = _("Simulations")

    def ready(self) -> None:
        from governance.platform.service_links import register_contact_estimator
        from simulations.selectors import estimate_contacts

        # The complaints' extension case asks how many contacts a longer window would serve.
        register_contact_estimator(estimate_contacts)
