"""The delivery chain of a contract: its steps, escalations, scenarios and simulation runs.

Every row carries its organisation; the supplier dimension follows the chain's contract, so a
supplier's user sees the chains (and everything hanging off them) of its own contracts only.
"""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from governance.platform import texts
from governance.platform.models import CreatedAt, TenantModel, tenant_manager
from simulations.schedule import ScheduleError, parse_opening_hours


def flat_profile() -> list[float]:
    return [0.0] * 168


class Party(models.TextChoices):
    CLIENT = "client", _("Client")
    SUPPLIER = "supplier", _("Supplier")
    THIRD_PARTY = "third_party", _("Third party")


class Chain(TenantModel, CreatedAt):
    """A contract's delivery chain: the steps a contact passes, across client and supplier."""

    class ProfileSource(models.TextChoices):
        ENTERED = "entered", _("Entered")
        UPLOADED = "uploaded", _("Derived from uploaded contact times")
        COMPLAINTS = "complaints", _("Derived from complaint timestamps")

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        related_name="chains",
        verbose_name=_("contract"),
    )
    name = models.CharField(_("name"), max_length=200)
    service = models.ForeignKey(
        "contracts.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
        help_text=_("The contract's service whose end users reach this chain."),
    )
    description = models.TextField(_("description"), blank=True)
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Client only; never shown to the supplier.")
    )
    # Contacts per hour for the 168 hours of a week, Monday 00:00 first.
    arrival_profile = models.JSONField(_("arrival profile"), default=flat_profile)
    profile_source = models.CharField(
        _("profile source"),
        max_length=16,
        choices=ProfileSource.choices,
        default=ProfileSource.ENTERED,
    )

    objects = tenant_manager(supplier="contract__supplier")

    class Meta:
        ordering = ["name"]
        verbose_name = _("chain")
        verbose_name_plural = _("chains")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.require_same(
            "organisation", contract=_("The contract belongs to another organisation.")
        )
        self.require_same("contract", service=_("The service belongs to another contract."))
        profile = self.arrival_profile
        if (
            not isinstance(profile, list)
            or len(profile) != 168
            or any(not isinstance(v, int | float) or v < 0 for v in profile)
        ):
            raise ValidationError(
                {"arrival_profile": _("Give 7 days of 24 hourly rates that are not negative.")}
            )


class Step(TenantModel):
    """One step of the chain: who does what, with which staff, when, and how long it takes."""

    class Distribution(models.TextChoices):
        EXPONENTIAL = "exponential", _("Exponential (mean)")
        FIXED = "fixed", _("Fixed")
        LOGNORMAL = "lognormal", _("Lognormal (mean and standard deviation)")
        TRIANGULAR = "triangular", _("Triangular (minimum, mode, maximum)")

    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="steps", verbose_name=_("chain")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)
    inputs = models.TextField(_("inputs"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    expected_minutes = models.DecimalField(
        _("expected time (minutes)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    capacity = models.PositiveSmallIntegerField(_("capacity (staff)"))
    distribution = models.CharField(
        _("service-time distribution"),
        max_length=16,
        choices=Distribution.choices,
        default=Distribution.EXPONENTIAL,
    )
    mean_seconds = models.FloatField(
        _("mean service time (s)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    sd_seconds = models.FloatField(
        _("standard deviation (s)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    min_seconds = models.FloatField(
        _("minimum (s)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    mode_seconds = models.FloatField(
        _("mode (s)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    max_seconds = models.FloatField(
        _("maximum (s)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    opening_hours = models.TextField(
        _("opening hours"),
        blank=True,
        help_text=_(
            "E.g. “mon-fri 08:00-18:00; sat 09:00-13:00 x4” (x4: staff on duty then). "
            "Empty: always open."
        ),
    )
    target_wait_seconds = models.PositiveIntegerField(
        _("answered within (s)"), null=True, blank=True
    )
    service_level_code = models.CharField(
        _("contract service level"),
        max_length=40,
        blank=True,
        help_text=_(
            "The contract's service level this step feeds (its code, e.g. SD-ANSWER). Its "
            "target in force is the norm for the predicted attainment."
        ),
    )
    target_share = models.DecimalField(
        _("target share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    objects = tenant_manager(supplier="chain__contract__supplier")

    class Meta:
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="step_position_unique")
        ]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.mismatched(
            "organisation", chain=_("The chain belongs to another organisation.")
        )
        if self.distribution == self.Distribution.TRIANGULAR:
            values = (self.min_seconds, self.mode_seconds, self.max_seconds)
            if None in values:
                errors["min_seconds"] = _("A triangular time needs minimum, mode and maximum.")
            elif not values[0] <= values[1] <= values[2] or values[2] <= 0:
                errors["mode_seconds"] = _("Minimum ≤ mode ≤ maximum, and the maximum above 0.")
        else:
            if not self.mean_seconds:
                errors["mean_seconds"] = _("The mean service time must be above 0.")
            if self.distribution == self.Distribution.LOGNORMAL and self.sd_seconds is None:
                errors["sd_seconds"] = _("A lognormal time needs a standard deviation.")
        try:
            parse_opening_hours(self.opening_hours, default_staff=self.capacity or 0)
        except ScheduleError as error:
            errors["opening_hours"] = str(error)
        if self.service_level_code and self.chain_id:
            from contracts.selectors import service_levels_for_contract

            known = (
                service_levels_for_contract(contract=self.chain.contract)
                .filter(code=self.service_level_code)
                .exists()
            )
            if not known:
                errors["service_level_code"] = _(
                    "The contract has no service level with code %(code)s."
                ) % {"code": self.service_level_code}
        if errors:
            raise ValidationError(errors)


# What a manager sets on a step; its chain and position follow from where it stands.
STEP_SETTINGS = [
    "name",
    "party",
    "inputs",
    "outputs",
    "expected_result",
    "expected_minutes",
    "capacity",
    "opening_hours",
    "distribution",
    "mean_seconds",
    "sd_seconds",
    "min_seconds",
    "mode_seconds",
    "max_seconds",
    "target_wait_seconds",
    "target_share",
    "service_level_code",
]


class Escalation(TenantModel):
    """The probability that a contact finishing `source` goes on to the following `target`."""

    source = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("from step")
    )
    target = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="+", verbose_name=_("to step")
    )
    probability = models.DecimalField(
        _("probability"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    objects = tenant_manager(supplier="source__chain__contract__supplier")

    class Meta:
        ordering = ["source__position", "target__position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="escalation_unique")
        ]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.probability})"

    def clean(self) -> None:
        if not (self.source_id and self.target_id):
            return
        self.require_same("organisation", source=_("The step belongs to another organisation."))
        if self.source.chain_id != self.target.chain_id:
            raise ValidationError({"target": _("Both steps must belong to the same chain.")})
        if self.target.position <= self.source.position:
            raise ValidationError({"target": _("A contact escalates to a following step only.")})


class Scenario(TenantModel, CreatedAt):
    """A what-if on the chain: more or fewer contacts, and changes per step."""

    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="scenarios", verbose_name=_("chain")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    arrival_factor = models.DecimalField(
        _("arrival factor"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
        help_text=_("1.00 is the profile as entered; 1.20 is 20 % more contacts."),
    )

    objects = tenant_manager(supplier="chain__contract__supplier")

    class Meta:
        ordering = ["chain", "name"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "name"], name="scenario_name_unique")
        ]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name


class ScenarioChange(TenantModel):
    """How a scenario changes one step: extra staff, other opening hours, faster or slower."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="changes", verbose_name=_("scenario")
    )
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="+", verbose_name=_("step")
    )
    extra_staff = models.SmallIntegerField(_("extra staff"), default=0)
    opening_hours = models.TextField(
        _("opening hours instead"), blank=True, help_text=_("Empty: as the step.")
    )
    service_time_factor = models.DecimalField(
        _("service-time factor"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01)],
        help_text=_("0.80 is a fifth faster."),
    )

    objects = tenant_manager(supplier="scenario__chain__contract__supplier")

    class Meta:
        ordering = ["scenario", "step__position"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "step"], name="scenario_change_unique")
        ]
        verbose_name = _("scenario change")
        verbose_name_plural = _("scenario changes")

    def __str__(self) -> str:
        return f"{self.scenario} · {self.step}"

    def clean(self) -> None:
        if self.scenario_id and self.step_id and self.scenario.chain_id != self.step.chain_id:
            raise ValidationError({"step": _("The step belongs to another chain.")})
        if self.opening_hours and self.step_id:
            try:
                parse_opening_hours(self.opening_hours, default_staff=self.step.capacity)
            except ScheduleError as error:
                raise ValidationError({"opening_hours": str(error)}) from None


class SimulationRun(TenantModel, CreatedAt):
    """One simulation of the chain (or a scenario of it), run by a worker; its model snapshot,
    settings, progress and results are stored so it can be read and compared later."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="runs", verbose_name=_("chain")
    )
    scenario = models.ForeignKey(
        Scenario,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("scenario"),
    )
    label = models.CharField(_("label"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0)
    replications = models.PositiveSmallIntegerField(
        _("replications"), default=10, validators=[MinValueValidator(2), MaxValueValidator(100)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("days simulated per replication"),
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    warmup_hours = models.PositiveSmallIntegerField(
        _("warm-up (hours)"), default=24, validators=[MaxValueValidator(24 * 14)]
    )
    seed = models.PositiveIntegerField(_("seed"), default=1)
    model = models.JSONField(_("model used"), default=dict)
    results = models.JSONField(_("results"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = tenant_manager(supplier="chain__contract__supplier")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")

    def __str__(self) -> str:
        return self.label

    @property
    def is_current_chain(self) -> bool:
        """A run of the chain as it is (no scenario), labelled in any language."""
        return self.label in _current_chain_labels()

    @property
    def display_error(self) -> str:
        """Why it failed, in the reader's language: Regie's own reasons are stored as their
        msgid; an error raised by the engine reads as it was written."""
        return gettext(self.error) if self.error else ""

    @property
    def display_label(self) -> str:
        """The label in the active language: a run of the current chain was labelled in the
        language of whoever started it, so its label is recognised and translated."""
        if self.is_current_chain:
            return gettext("Current chain")
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("simulations:run_detail", args=[self.organisation.slug, self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    def headline(self) -> str:
        """One short sentence of the run's main results, in the active language (empty while
        the run has none)."""
        from simulations.reports import run_headline

        return run_headline(self)

    def headline_said(self):
        """The headline as a sentence with its figures (governance.platform.texts.Said),
        rendered in each reader's language, e.g. on the tactical meeting's agenda; None while
        the run has no results."""
        from simulations.reports import run_headline_said

        return run_headline_said(self)


from simulations import texts as _headline_texts  # noqa: E402, F401  (registers the kinds)

CURRENT_CHAIN = texts.register("simulations.current_chain", gettext_noop("Current chain"))


@functools.cache
def _current_chain_labels() -> frozenset[str]:
    labels = {"Current chain"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(gettext("Current chain"))
    return frozenset(labels)
