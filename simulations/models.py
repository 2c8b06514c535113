"""The delivery chain of a contract, its scenarios, simulation runs and exercises.

Every row carries its organisation; the supplier dimension follows the chain's contract, so a
supplier's user sees the chains (and everything hanging off them) of its own contracts only.
Fields named `internal_notes` are the client's and are never shown to suppliers.
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
from governance.platform.models import CreatedAt, CreatedStamps, TenantModel, tenant_manager
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


class Exercise(TenantModel, CreatedAt):
    """A rehearsal of the chain with both sides: tabletop or live."""

    class Kind(models.TextChoices):
        TABLETOP = "tabletop", _("Tabletop")
        LIVE = "live", _("Live")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")

    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="exercises", verbose_name=_("chain")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    scenario = models.TextField(_("scenario"))
    scheduled_for = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    recurs_yearly = models.BooleanField(_("recurs yearly"), default=True)
    next_due = models.DateField(_("next exercise due"), null=True, blank=True)
    reminder_sent_for = models.DateField(null=True, blank=True, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Client only; never shown to the supplier.")
    )

    objects = tenant_manager(supplier="chain__contract__supplier")

    class Meta:
        ordering = ["-scheduled_for", "title"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.require_same("organisation", chain=_("The chain belongs to another organisation."))


class ExercisePart(TenantModel):
    """Base of the rows that belong to one exercise."""

    objects = tenant_manager(supplier="exercise__chain__contract__supplier")

    class Meta:
        abstract = True

    def clean(self) -> None:
        self.require_same(
            "organisation", exercise=_("The exercise belongs to another organisation.")
        )
        step = getattr(self, "step", None)
        if step is not None and self.exercise_id and step.chain_id != self.exercise.chain_id:
            raise ValidationError({"step": _("The step belongs to another chain.")})


class Inject(ExercisePart):
    """A message or event fed to the players at a moment of the exercise."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="injects")
    at_minute = models.PositiveIntegerField(_("minute"))
    description = models.TextField(_("inject"))

    class Meta:
        ordering = ["exercise", "at_minute", "pk"]
        verbose_name = _("inject")
        verbose_name_plural = _("injects")

    def __str__(self) -> str:
        return f"{self.at_minute}′ {self.description[:60]}"


class Participant(ExercisePart):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200)
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)

    class Meta:
        ordering = ["exercise", "party", "name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class Observation(ExercisePart):
    """Expected versus observed at one chain step during the exercise."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="observations")
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="+", verbose_name=_("step")
    )
    expected_minutes = models.DecimalField(
        _("expected time (minutes)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    observed_minutes = models.DecimalField(
        _("observed time (minutes)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    expected_outcome = models.TextField(_("expected outcome"), blank=True)
    observed_outcome = models.TextField(_("observed outcome"), blank=True)

    class Meta:
        ordering = ["exercise", "step__position"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "step"], name="observation_unique")
        ]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return f"{self.exercise} · {self.step}"

    @property
    def late(self) -> bool | None:
        if self.expected_minutes is None or self.observed_minutes is None:
            return None
        return self.observed_minutes > self.expected_minutes


class OwnerSide(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    CLIENT = "client", _("Client")
    JOINT = "joint", _("Joint")


class Action(ExercisePart):
    """A bottleneck found in the exercise and what will be done about it, by whom."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="actions")
    step = models.ForeignKey(
        Step,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("step"),
    )
    bottleneck = models.TextField(_("bottleneck"))
    action = models.TextField(_("action"))
    owner_side = models.CharField(_("owner"), max_length=16, choices=OwnerSide.choices)
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["exercise", "done", "due", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.action[:80]


class Lesson(ExercisePart):
    class Category(models.TextChoices):
        COMMUNICATION = "communication", _("Communication")
        ESCALATION = "escalation", _("Escalation")
        CAPACITY = "capacity", _("Capacity and availability")
        KNOWLEDGE = "knowledge", _("Knowledge and procedures")
        TOOLING = "tooling", _("Tooling")
        COORDINATION = "coordination", _("Coordination between parties")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="lessons")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    text = models.TextField(_("lesson"))
    # The first time this lesson was learned, when an earlier exercise already taught it.
    repeats = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recurrences",
        verbose_name=_("the same lesson as"),
        help_text=_("A lesson an earlier exercise of this chain already taught."),
    )

    class Meta:
        ordering = ["exercise", "category", "pk"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        super().clean()
        first = self.repeats
        if first is None:
            return
        earlier = first.exercise.scheduled_for < self.exercise.scheduled_for
        if first.exercise.chain_id != self.exercise.chain_id or not earlier:
            raise ValidationError(
                {"repeats": _("Choose a lesson of an earlier exercise of the same chain.")}
            )


class Proposal(TenantModel, CreatedStamps):
    """An improvement proposal for the tactical meeting, made by a client manager from a
    simulation run's finding (the bottleneck, the unreachable contacts, a scenario that meets its
    service level) or from an exercise's bottleneck and action. Its rationale keeps the figures
    as they were when it was made; the meeting then decides.

    Visibility: proposals are the client's. The supplier of the chain's contract sees the ones
    whose owner side involves it (supplier or joint), since the tactical meeting discusses them
    with it; a proposal the client owns alone stays with the client."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ON_AGENDA = "on_agenda", _("On the agenda")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    class Finding(models.TextChoices):
        BOTTLENECK = "bottleneck", _("Bottleneck step")
        UNREACHABLE = "unreachable", _("Unreachable contacts")
        SERVICE_LEVEL = "service_level", _("Scenario meets the service level")
        EXERCISE_ACTION = "exercise_action", _("Exercise bottleneck and action")

    # Where a status may go next: the meeting puts it on the agenda, then decides.
    NEXT = {
        Status.PROPOSED: (Status.ON_AGENDA, Status.REJECTED),
        Status.ON_AGENDA: (Status.ACCEPTED, Status.REJECTED, Status.PROPOSED),
        Status.ACCEPTED: (),
        Status.REJECTED: (),
    }

    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("chain")
    )
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices)
    run = models.ForeignKey(
        SimulationRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("simulation run"),
    )
    exercise = models.ForeignKey(
        Exercise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("exercise"),
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("action"),
    )
    title = models.CharField(_("title"), max_length=200)
    rationale = models.TextField(_("rationale"), max_length=4000)
    owner_side = models.CharField(_("owner"), max_length=16, choices=OwnerSide.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    decision_note = models.TextField(_("decision"), blank=True, max_length=4000)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = tenant_manager(supplier="chain__contract__supplier")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("improvement proposal")
        verbose_name_plural = _("improvement proposals")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("simulations:proposal_detail", args=[self.organisation.slug, self.pk])

    def clean(self) -> None:
        errors = self.mismatched(
            "organisation", chain=_("The chain belongs to another organisation.")
        )
        errors |= self.mismatched(
            "chain",
            run=_("The run belongs to another chain."),
            exercise=_("The exercise belongs to another chain."),
        )
        errors |= self.mismatched("exercise", action=_("The action belongs to another exercise."))
        if errors:
            raise ValidationError(errors)

    @property
    def source(self):
        """The run or exercise the proposal comes from (None when that was deleted)."""
        return self.run or self.exercise

    @property
    def shared_with_supplier(self) -> bool:
        return self.owner_side in (OwnerSide.SUPPLIER, OwnerSide.JOINT)


class ExerciseReport(TenantModel):
    """The exercise report as PDF, rendered by a worker (never in a request) and stored.

    `internal` reports carry the client's internal notes and are for the client only; the
    supplier gets (and can ask for) the shared form without them."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="reports", verbose_name=_("exercise")
    )
    internal = models.BooleanField(_("with internal notes"), default=False)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    pdf = models.BinaryField(_("PDF"), null=True, editable=False)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("rendered"), null=True, blank=True)

    objects = tenant_manager(supplier="exercise__chain__contract__supplier")

    class Meta:
        ordering = ["exercise", "-created_at", "-pk"]
        verbose_name = _("exercise report PDF")
        verbose_name_plural = _("exercise report PDFs")

    def __str__(self) -> str:
        return f"{self.exercise} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.QUEUED

    @property
    def display_error(self) -> str:
        """Why it failed, in the reader's language (see `SimulationRun.display_error`)."""
        return gettext(self.error) if self.error else ""


from simulations import texts as _headline_texts  # noqa: E402, F401  (registers the kinds)

CURRENT_CHAIN = texts.register("simulations.current_chain", gettext_noop("Current chain"))


@functools.cache
def _current_chain_labels() -> frozenset[str]:
    labels = {"Current chain"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(gettext("Current chain"))
    return frozenset(labels)
