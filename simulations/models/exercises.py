"""Exercises of a delivery chain (tabletop or live) with their injects, participants,
observations, actions and lessons, and the exercise report PDF.

Fields named `internal_notes` are the client's and are never shown to suppliers.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.platform.models import CreatedAt, TenantModel, tenant_manager
from simulations.models.chains import Chain, Party, Step


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
