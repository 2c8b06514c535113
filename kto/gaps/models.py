"""Storage of the gap analysis: thresholds, runs, flags, reports and digests."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from governance.platform.dimensions import Dimension
from governance.platform.history import audit_trail
from governance.platform.models import CreatedAt, CreatedStamps, TenantModel, tenant_manager
from kto.gaps.rules import DEFAULT_AMBER_MARGIN, Drift, Flag, PerceptionState, SlaState

# The bounds of a threshold: T on the 1–5 Likert scale, δ not negative, k at least the
# platform's anonymity floor (DESIGN.md: a group smaller than 5 is never shown).
TARGET_MIN, TARGET_MAX = 1, 5
K_MIN = 5


class GapThreshold(TenantModel):
    """Target T, practical margin δ and anonymity floor k for the gap rule.

    A row without contract is the organisation's default; without dimension it holds for every
    dimension. The most specific row (contract before organisation, then one dimension before
    every dimension) gives δ and k as a whole; T comes from the most specific row that sets one,
    else from the survey's own target. Without any row δ = 0.1 and k = 5
    (`kto.gaps.engine.thresholds_for`).
    """

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="gap_thresholds"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="gap_thresholds",
        verbose_name=_("contract"),
    )
    dimension = models.CharField(
        _("dimension"), max_length=32, choices=Dimension.choices, blank=True
    )
    target = models.DecimalField(
        _("target T"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    delta = models.DecimalField(
        _("practical margin δ"), max_digits=4, decimal_places=2, default=0.1
    )
    k = models.PositiveSmallIntegerField(_("anonymity floor k"), default=5)

    history = audit_trail()

    class Meta:
        constraints = [
            # One default per organisation and dimension, one override per contract.
            models.UniqueConstraint(
                fields=["organisation", "dimension"],
                condition=models.Q(contract__isnull=True),
                name="gap_threshold_default_unique",
            ),
            models.UniqueConstraint(
                fields=["contract", "dimension"],
                condition=models.Q(contract__isnull=False),
                name="gap_threshold_contract_unique",
            ),
            # The same rules as clean(), for writes that skip it (bulk updates, raw SQL).
            models.CheckConstraint(
                condition=models.Q(k__gte=K_MIN), name="gap_threshold_k_at_least_5"
            ),
            models.CheckConstraint(
                condition=models.Q(delta__gte=0), name="gap_threshold_delta_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(target__isnull=True)
                | models.Q(target__gte=TARGET_MIN, target__lte=TARGET_MAX),
                name="gap_threshold_target_on_scale",
            ),
        ]
        verbose_name = _("gap threshold")
        verbose_name_plural = _("gap thresholds")

    def __str__(self) -> str:
        return f"{self.contract or self.organisation} {self.dimension or '*'}"

    def clean(self) -> None:
        errors = {}
        if self.target is not None and not TARGET_MIN <= self.target <= TARGET_MAX:
            errors["target"] = _("A target lies between 1 and 5.")
        if self.delta is not None and self.delta < 0:
            errors["delta"] = _("The practical margin δ cannot be negative.")
        if self.k is not None and self.k < K_MIN:
            errors["k"] = _("The anonymity floor k is at least %(k)s.") % {"k": K_MIN}
        if self.contract_id and self.contract.organisation_id != self.organisation_id:
            errors["contract"] = _("The contract belongs to another organisation.")
        elif self.organisation_id and self._same_scope().exists():
            errors["dimension"] = _(
                "There is already a threshold for this contract and dimension; change that one."
            )
        if errors:
            raise ValidationError(errors)

    def _same_scope(self):
        """Other rows for the same (organisation or contract, dimension): at most one may exist."""
        rows = GapThreshold.objects.filter(
            organisation_id=self.organisation_id,
            contract_id=self.contract_id,
            dimension=self.dimension,
        )
        return rows.exclude(pk=self.pk) if self.pk else rows

    @property
    def scope_label(self) -> str:
        """Where the row applies, e.g. "Organisation, every dimension" or "A-1, Reliability"."""
        where = self.contract.reference if self.contract_id else _("Organisation")
        what = self.get_dimension_display() if self.dimension else _("every dimension")
        return f"{where}, {what}"


class GapAnalysisRun(TenantModel, CreatedAt):
    """One run of the gap analysis for an organisation and period."""

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly schedule")
        REPORT_ACCEPTED = "report_accepted", _("SLA report accepted")
        SURVEY_CLOSED = "survey_closed", _("Survey closed")
        MANUAL = "manual", _("Started by a contract manager")
        THRESHOLDS_CHANGED = "thresholds_changed", _("Thresholds changed")
        COMMAND = "command", _("Started by an operator")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="gap_runs"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    trigger = models.CharField(_("trigger"), max_length=32, choices=Trigger.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("gap analysis run")
        verbose_name_plural = _("gap analysis runs")

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m} {self.get_trigger_display()} {self.status}"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def last_month(self) -> date:
        """The first day of the run's last month: the period its report and matrix show."""
        return self.period_end.replace(day=1)

    @property
    def period_label(self) -> str:
        """ "March 2026", or "January 2026 – March 2026" for a run over several months."""
        label = date_format(self.period_start, "F Y")
        if self.last_month != self.period_start:
            label += f" – {date_format(self.period_end, 'F Y')}"
        return label

    @property
    def count_rows(self) -> list[tuple[str, str, int]]:
        """(flag, label, count) for every flag the run counted, in the flags' order."""
        return [(f.value, f.label, self.counts[f.value]) for f in Flag if f.value in self.counts]


class GapFlag(TenantModel):
    """The outcome for one (contract, dimension, period): a rerun updates it in place."""

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="gap_flags"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="gap_flags"
    )
    dimension = models.CharField(_("dimension"), max_length=32, choices=Dimension.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    flag = models.CharField(_("flag"), max_length=32, choices=Flag.choices)
    sla_state = models.CharField(_("SLA state"), max_length=16, choices=SlaState.choices)
    perception_state = models.CharField(
        _("perception state"), max_length=16, choices=PerceptionState.choices
    )
    drift = models.CharField(_("drift"), max_length=16, choices=Drift.choices, blank=True)
    n = models.PositiveIntegerField(_("respondents"), default=0)
    mean = models.FloatField(_("mean"), null=True, blank=True)
    sd = models.FloatField(_("standard deviation"), null=True, blank=True)
    ci_low = models.FloatField(_("95% CI low"), null=True, blank=True)
    ci_high = models.FloatField(_("95% CI high"), null=True, blank=True)
    # The evidence: the one-sided p of "users are at or above the target" and its
    # Benjamini–Hochberg adjusted value over the organisation's month (None: not judged).
    p_value = models.FloatField(
        _("p-value"),
        null=True,
        blank=True,
        help_text=_("One-sided p of users scoring at or above the target, this cell alone."),
    )
    q_value = models.FloatField(
        _("q-value (corrected for the month)"),
        null=True,
        blank=True,
        help_text=_(
            "The p-value adjusted over every cell of the organisation judged this month "
            "(Benjamini–Hochberg): at most 0.05 is beyond chance."
        ),
    )
    target = models.FloatField(_("target"), null=True, blank=True)
    delta = models.FloatField(_("practical margin"))
    k = models.PositiveSmallIntegerField(_("anonymity floor"))
    min_margin = models.FloatField(_("smallest SLA margin"), null=True, blank=True)
    # Σ weight of the met levels / Σ weight of the levels with a figure (the mapping weights).
    sla_attainment = models.FloatField(
        _("weighted SLA attainment"),
        null=True,
        blank=True,
        help_text=_(
            "The share of the mapped service levels met, each counted with its weight "
            "for this dimension."
        ),
    )
    levels = models.JSONField(_("service levels"), default=list, blank=True)
    # The survey waves the perception rests on: [{survey, title, period_start, period_end, n}].
    # Confirmation needs the previous month's waves to share none of them.
    waves = models.JSONField(_("survey waves"), default=list, blank=True)
    complaints = models.PositiveIntegerField(_("complaints"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    first_period_start = models.DateField(_("first seen"))
    # A digest of everything the figures derive from: a rerun skips the cell while it holds.
    inputs = models.CharField(_("inputs digest"), max_length=32, blank=True, editable=False)
    reason_en = models.TextField(_("reason (English)"))
    reason_nl = models.TextField(_("reason (Dutch)"))
    run = models.ForeignKey(
        GapAnalysisRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = tenant_manager(supplier="contract__supplier")

    class Meta:
        ordering = ["contract", "dimension", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "dimension", "period_start"], name="gap_flag_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "period_start", "flag"]),
            # The API's list order without reading the wide rows (levels, waves, reasons): the
            # page's ids are sorted from this index alone (PostgreSQL: an index-only scan; the
            # id is a key column rather than INCLUDE, which SQLite lacks).
            models.Index(
                fields=["organisation", "contract", "dimension", "-period_start", "id"],
                name="gap_flag_list_order",
            ),
        ]
        verbose_name = _("gap flag")
        verbose_name_plural = _("gap flags")

    def __str__(self) -> str:
        return f"{self.contract} {self.dimension} {self.period_start:%Y-%m} {self.flag}"

    @property
    def wave_rows(self) -> list[dict]:
        """The stored waves with their periods as dates, for pages."""
        return [
            wave
            | {
                "period_start": date.fromisoformat(wave["period_start"]),
                "period_end": date.fromisoformat(wave["period_end"]),
            }
            for wave in self.waves or ()
        ]


class GapReport(TenantModel, CreatedAt):
    """A rendered gap report PDF (rendered by a task, never inside a request)."""

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="gap_reports"
    )
    run = models.ForeignKey(GapAnalysisRun, on_delete=models.CASCADE, related_name="reports")
    pdf = models.BinaryField(_("PDF"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)

    class Meta:
        ordering = ["-created_at"]
        # One report per run: a run's report task delivered twice renders once.
        constraints = [models.UniqueConstraint(fields=["run"], name="gapreport_one_per_run")]
        verbose_name = _("gap report")
        verbose_name_plural = _("gap reports")

    def __str__(self) -> str:
        return f"{self.run} ({self.pages} p.)"


class GapDigestSchedule(TenantModel):
    """When and to whom an organisation's gap digest goes."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        WEEKLY = "weekly", _("Weekly")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    # One per organisation, and CASCADE (not TenantModel's PROTECT): goes with its organisation.
    organisation = models.OneToOneField(
        "governance.Organisation", on_delete=models.CASCADE, related_name="gap_digest_schedule"
    )
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), default=12)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    include_contract_managers = models.BooleanField(_("include contract managers"), default=True)
    include_business_owners = models.BooleanField(_("include business owners"), default=False)
    include_suppliers = models.BooleanField(
        _("include suppliers (their own contracts only)"), default=False
    )

    history = audit_trail()

    class Meta:
        verbose_name = _("gap digest schedule")
        verbose_name_plural = _("gap digest schedules")

    def __str__(self) -> str:
        return f"{self.organisation} {self.frequency}"

    def clean(self) -> None:
        errors = {}
        if self.day_of_month is not None and not 1 <= self.day_of_month <= 28:
            errors["day_of_month"] = _("Choose a day from 1 to 28.")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            errors["weekday"] = _("Choose a weekday from 0 (Monday) to 6.")
        if not (
            self.include_contract_managers or self.include_business_owners or self.include_suppliers
        ):
            errors["include_contract_managers"] = _("Choose at least one group of recipients.")
        if errors:
            raise ValidationError(errors)


class GapSettings(TenantModel):
    """The organisation's settings of the gap rule beside its thresholds: the amber margin.

    A service level met with a relative margin under `amber_margin` makes the SLA state amber
    (met narrowly). 0, the default, means a level met is green, even exactly at target."""

    # One per organisation, and CASCADE (not TenantModel's PROTECT): goes with its organisation.
    organisation = models.OneToOneField(
        "governance.Organisation", on_delete=models.CASCADE, related_name="gap_settings"
    )
    amber_margin = models.DecimalField(
        _("amber margin"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(str(DEFAULT_AMBER_MARGIN)),
        help_text=_(
            "A service level met by less than this relative margin shows amber (0.02 means "
            "within 2 per cent of its target). 0 shows every level met as green."
        ),
    )

    history = audit_trail()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amber_margin__gte=0, amber_margin__lt=1),
                name="gap_settings_amber_margin_range",
            )
        ]
        verbose_name = _("gap settings")
        verbose_name_plural = _("gap settings")

    def __str__(self) -> str:
        return f"{self.organisation} amber {self.amber_margin}"

    def clean(self) -> None:
        if self.amber_margin is not None and not 0 <= self.amber_margin < 1:
            raise ValidationError(
                {"amber_margin": _("The amber margin lies from 0 up to (not including) 1.")}
            )

    @classmethod
    def amber_margin_for(cls, organisation) -> float:
        """The organisation's amber margin, the default when it set none."""
        found = (
            cls.objects.filter(organisation=organisation)
            .values_list("amber_margin", flat=True)
            .first()
        )
        return float(found) if found is not None else DEFAULT_AMBER_MARGIN


class GapDigest(TenantModel, CreatedAt):
    """Marks one digest as sent, so a retried or doubled task sends it exactly once."""

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="gap_digests"
    )
    period_start = models.DateField(_("period start"))
    schedule_key = models.CharField(_("schedule"), max_length=32)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    # What the digest reported, so the next one can say what is new, worse, still open or
    # resolved since: {"<contract id>:<dimension>": {"id", "kind", "confirmed", "mean",
    # "period"}} for the whole organisation (`kto.gaps.digest`). Null for digests sent before
    # it was recorded; the next digest then reads the stored flags of their period instead.
    reported = models.JSONField(_("reported flags"), null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_start", "schedule_key"], name="gap_digest_once"
            )
        ]
        verbose_name = _("gap digest")
        verbose_name_plural = _("gap digests")

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_start:%Y-%m} {self.schedule_key}"


COMMENT_MAX = 2000


class GapFlagComment(TenantModel, CreatedStamps):
    """A contract manager's short note on a flag (`created_by` is its author).

    The client's own notes: its members read them, a supplier's user never does (pages, API).
    """

    # CASCADE, not TenantModel's PROTECT: the row goes with its organisation.
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.CASCADE, related_name="gap_flag_comments"
    )
    flag = models.ForeignKey(
        GapFlag, on_delete=models.CASCADE, related_name="comments", verbose_name=_("gap flag")
    )
    text = models.TextField(_("comment"), max_length=COMMENT_MAX)

    # The selectors keep these from suppliers; the supplier path is the net under them.
    objects = tenant_manager(supplier="flag__contract__supplier")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("gap flag comment")
        verbose_name_plural = _("gap flag comments")

    def __str__(self) -> str:
        return f"{self.flag} {self.created_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if not (self.text or "").strip():
            raise ValidationError({"text": _("Write a comment.")})
        if self.flag_id and self.flag.organisation_id != self.organisation_id:
            raise ValidationError({"flag": _("The flag belongs to another organisation.")})

    @property
    def author_name(self) -> str:
        """Who wrote it, as the pages name people; empty once that user is deleted."""
        user = self.created_by
        return (user.get_full_name() or user.email or user.get_username()) if user else ""
