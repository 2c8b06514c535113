"""Improvement proposals made from a simulation run's or an exercise's finding."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.platform.models import CreatedStamps, TenantModel, tenant_manager
from simulations.models.chains import Chain, SimulationRun
from simulations.models.exercises import Action, Exercise, OwnerSide


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
