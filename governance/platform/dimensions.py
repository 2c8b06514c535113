"""The perception dimensions (SERVQUAL, Parasuraman, Zeithaml & Berry 1988) shared by service
levels (what the supplier reports) and surveys (what users experience)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    RELIABILITY = "reliability", _("Reliability")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    ASSURANCE = "assurance", _("Assurance")
    EMPATHY = "empathy", _("Empathy and reachability")
    TANGIBLES = "tangibles", _("Tangibles")
