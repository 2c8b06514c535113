"""KTO data: question bank, surveys, invitations, anonymous answers and additive rollups.

Anonymity by design: a `Response` has no column or relation that leads to an `Invitation`, a
token or a person. The invitation only records *that* it was used (a boolean, no date), in a
transaction of its own; the answer waits in a `PendingResponse` pool and is released in shuffled
batches of at least k (`kto.pool`). A response carries its batch's release date (no time), no IP
address and no user agent, and its primary key is a random UUID, so neither transaction ids,
insertion order, keys nor dates can be matched against the invitations.
"""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.platform.dimensions import Dimension
from governance.platform.history import audit_trail
from governance.platform.models import CreatedAt, TenantModel, tenant_manager

# The anonymity floor: a cell with fewer respondents is neither shown nor derivable.
K_ANONYMITY = 5
LIKERT_MIN, LIKERT_MAX = 1, 5
SCALE_MIN, SCALE_MAX = 0, 10
IMPORTANCE_POINTS = 100
TIME_LOST_MAX_HOURS = 200


class StakeholderGroup(models.TextChoices):
    """The "triangle of misery" (driehoek van ellende)."""

    END_USERS = "end_users", _("End users")
    BUSINESS = "business", _("Business")
    IT = "it", _("IT organisation")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Likert 1–5")
    SCALE = "scale", _("Scale 0–10")
    OPEN = "open", _("Open text")
    TIME_LOST = "time_lost", _("Time lost (hours)")
    POINTS = "points", _("Importance points")


class ItemRole(models.TextChoices):
    """What an item on a survey measures; a baseline asks one question twice."""

    PERCEPTION = "perception", _("Perception")
    EXPECTATION = "expectation", _("Expectation")
    IMPORTANCE = "importance", _("Importance points")
    SCORE = "score", _("Score 0–10")
    OPEN = "open", _("Open answer")
    TIME_LOST = "time_lost", _("Time lost")


# Roles aggregated per dimension into `Rollup` rows (respondent-level scores).
ROLLUP_ROLES = (ItemRole.PERCEPTION, ItemRole.EXPECTATION, ItemRole.IMPORTANCE, ItemRole.TIME_LOST)
# A rollup of its own, no item's role: per respondent who rated both in a dimension, the mean
# perception minus the mean expectation there, so the SERVQUAL gap gets a paired interval.
GAP_ROLE = "gap"
ROLLUP_ROLE_CHOICES = [*ItemRole.choices, (GAP_ROLE, _("Perception − expectation"))]


class SurveyKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic KTO")
    BASELINE = "baseline", _("Baseline KTO (before negotiations)")
    VERDICT = "verdict", _("Complaint-handling verdict")


class AnonymityMode(models.TextChoices):
    """How small a group may be before it is hidden. Locked once answers arrive: lowering the
    floor afterwards would reveal cells that respondents were promised would stay hidden."""

    STANDARD = "k5", _("Standard: groups with fewer than 5 answers are hidden")
    STRICT = "k10", _("Strict: groups with fewer than 10 answers are hidden")


ANONYMITY_FLOOR = {AnonymityMode.STANDARD: K_ANONYMITY, AnonymityMode.STRICT: 10}


class Question(TenantModel):
    """A question of the organisation's bank, in Dutch and English.

    `proxy_text_*` is the mirrored wording for the business and the IT organisation ("how
    satisfied do you think end users are …"); empty means the same wording for every group.
    """

    code = models.SlugField(_("code"), max_length=60)
    dimension = models.CharField(
        _("dimension"), max_length=20, choices=Dimension.choices, blank=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text_nl = models.CharField(_("text (Dutch)"), max_length=400)
    text_en = models.CharField(_("text (English)"), max_length=400)
    proxy_text_nl = models.CharField(_("mirrored text (Dutch)"), max_length=400, blank=True)
    proxy_text_en = models.CharField(_("mirrored text (English)"), max_length=400, blank=True)
    service = models.ForeignKey(
        "contracts.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kto_questions",
        verbose_name=_("service"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["dimension", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="kto_question_code")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text_en

    def clean(self) -> None:
        if self.kind == QuestionKind.LIKERT and not self.dimension:
            raise ValidationError({"dimension": _("A Likert question measures a dimension.")})
        self.require_same("organisation", service=_("The service belongs to another organisation."))

    def text(self, *, language: str, group: str = StakeholderGroup.END_USERS) -> str:
        """The wording for one language and stakeholder group (mirrored where it exists)."""
        dutch = language.startswith("nl")
        if group != StakeholderGroup.END_USERS:
            mirrored = self.proxy_text_nl if dutch else self.proxy_text_en
            if mirrored:
                return mirrored
        return self.text_nl if dutch else self.text_en


class Survey(TenantModel, CreatedAt):
    """One KTO: scope, kind, covered period, answering window, groups, targets, anonymity."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=SurveyKind.choices)
    contracts = models.ManyToManyField(
        "contracts.Contract", related_name="kto_surveys", verbose_name=_("contracts")
    )
    services = models.ManyToManyField(
        "contracts.Service", related_name="kto_surveys", blank=True, verbose_name=_("services")
    )
    period_start = models.DateField(_("period covered from"))
    period_end = models.DateField(_("period covered until"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    closed_on = models.DateField(_("closed early on"), null=True, blank=True)
    launched_on = models.DateField(_("invitations released on"), null=True, blank=True)
    # {dimension: target T on the 1–5 scale} for the gap rule.
    targets = models.JSONField(_("targets per dimension"), default=dict, blank=True)
    anonymity_mode = models.CharField(
        _("anonymity"), max_length=12, choices=AnonymityMode.choices, default=AnonymityMode.STANDARD
    )
    anonymity_locked = models.BooleanField(_("anonymity locked"), default=False, editable=False)
    # Set when the survey has closed and its last pending answers were released: only then
    # are figures shown that could not be released in steps of k (optional items).
    final_release_on = models.DateField(
        _("final results released on"), null=True, blank=True, editable=False
    )
    fatigue_days = models.PositiveSmallIntegerField(
        _("fatigue cap (days)"),
        default=60,
        validators=[MaxValueValidator(365)],
        help_text=_("Nobody is invited more than once in this many days across all surveys."),
    )
    # The optional open link for walk-in end users: like invitation tokens, derived from a
    # stored salt with the secret key; only the hash is looked up.
    open_link_salt = models.CharField(max_length=32, blank=True, editable=False)
    open_link_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # A wave of a repeating campaign (`kto.campaigns`): the template is wave 0, the next waves
    # count on; (campaign, wave) is unique, so a wave is prepared once however often the job runs.
    campaign = models.ForeignKey(
        "kto.SurveyCampaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waves",
        editable=False,
        verbose_name=_("campaign"),
    )
    wave = models.PositiveSmallIntegerField(_("wave"), null=True, blank=True, editable=False)

    # Scoped by organisation only. A survey can span contracts of several suppliers, so a
    # supplier dimension on the survey would expose the survey row (and, through it, totals
    # over other suppliers' contracts). Supplier users reach surveys only through selectors that
    # filter on their own contracts, and every number they get comes from `Rollup` rows, which
    # carry the supplier dimension (contract__supplier) and so cannot leak across suppliers.
    objects = tenant_manager()

    # The lock's time would date the first answer; the salt derives the open link's token.
    history = audit_trail(
        excluded=["anonymity_locked", "open_link_salt", "final_release_on"],
        m2m=["contracts", "services"],
    )

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "wave"], name="kto_survey_campaign_wave")
        ]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The period cannot end before it starts.")
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("The survey cannot close before it opens.")
        for dimension, target in (self.targets or {}).items():
            if dimension not in Dimension.values:
                errors["targets"] = _("%(value)s is not a dimension.") % {"value": dimension}
            elif not isinstance(target, int | float) or not LIKERT_MIN <= target <= LIKERT_MAX:
                errors["targets"] = _("A target lies between 1 and 5.")
        if self.pk and self.anonymity_locked:
            stored = Survey.objects.filter(pk=self.pk).values_list("anonymity_mode", flat=True)
            if stored and stored[0] != self.anonymity_mode:
                errors["anonymity_mode"] = _(
                    "The anonymity mode is locked: answers have already arrived."
                )
        if errors:
            raise ValidationError(errors)

    def state(self, today) -> str:
        """draft, scheduled, open or closed on `today`."""
        if self.closed_on or self.final_release_on or today > self.closes_on:
            return "closed"
        if self.launched_on is None:
            return "draft"
        if today < self.opens_on:
            return "scheduled"
        return "open"

    @property
    def k(self) -> int:
        """The anonymity floor of this survey."""
        return ANONYMITY_FLOOR[AnonymityMode(self.anonymity_mode)]

    def target_for(self, dimension: str) -> float | None:
        value = (self.targets or {}).get(dimension)
        return float(value) if value is not None else None


class Recurrence(models.TextChoices):
    QUARTERLY = "quarterly", _("Every quarter")
    HALF_YEARLY = "half_yearly", _("Every half year")
    YEARLY = "yearly", _("Every year")


RECURRENCE_MONTHS = {Recurrence.QUARTERLY: 3, Recurrence.HALF_YEARLY: 6, Recurrence.YEARLY: 12}


class SurveyCampaign(TenantModel, CreatedAt):
    """A survey that repeats: every `recurrence` a new wave is prepared from the template
    survey (same contracts, services, groups with their sampling plans, targets and anonymity),
    shifted by the interval, `lead_days` before it opens, as a draft the manager launches.
    `left_out` are questions of the template this campaign does not ask, `added` questions of
    the bank it asks as well."""

    template = models.OneToOneField(
        Survey, on_delete=models.CASCADE, related_name="campaign_of", verbose_name=_("template")
    )
    recurrence = models.CharField(_("repeats"), max_length=12, choices=Recurrence.choices)
    lead_days = models.PositiveSmallIntegerField(
        _("prepared days ahead"),
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("The next wave is prepared and proposed this many days before it opens."),
    )
    left_out = models.ManyToManyField(
        Question, blank=True, related_name="+", verbose_name=_("questions left out")
    )
    added = models.ManyToManyField(
        Question, blank=True, related_name="+", verbose_name=_("questions added")
    )
    active = models.BooleanField(_("active"), default=True)

    history = audit_trail()

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")

    def __str__(self) -> str:
        return f"{self.template} · {self.get_recurrence_display()}"

    @property
    def months(self) -> int:
        return RECURRENCE_MONTHS[Recurrence(self.recurrence)]


# Reminder defaults when an organisation has not chosen its own (`KtoSettings`).
REMINDER_AFTER_DAYS = 7
MAX_REMINDERS = 2
# The most reminders an organisation may choose: an erased participant is set to this count,
# so no later choice reminds an address that reaches nobody.
REMINDERS_CEILING = 5


class KtoSettings(TenantModel):
    """The organisation's KTO settings: when non-responders are reminded and how often."""

    organisation = models.OneToOneField(
        "governance.Organisation", on_delete=models.CASCADE, related_name="kto_settings"
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"),
        default=REMINDER_AFTER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Days between the invitation (or the last reminder) and a reminder."),
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("reminders at most"),
        default=MAX_REMINDERS,
        validators=[MaxValueValidator(REMINDERS_CEILING)],
        help_text=_("How many reminders a non-responder gets at most; 0 sends none."),
    )

    history = audit_trail()

    class Meta:
        verbose_name = _("KTO settings")
        verbose_name_plural = _("KTO settings")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.reminder_after_days}d × {self.max_reminders}"

    @classmethod
    def for_organisation(cls, organisation) -> "KtoSettings":
        """The stored settings, or the defaults (unsaved) when the organisation chose none."""
        found = cls.objects.filter(organisation=organisation).first()
        return found or cls(organisation=organisation)


class SurveyGroup(TenantModel):
    """A stakeholder group on a survey with its sampling plan."""

    class MarginUnit(models.TextChoices):
        POINTS = "points", _("scale points (mean on 1–5)")
        PROPORTION = "proportion", _("proportion (share of respondents)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="groups")
    group = models.CharField(_("group"), max_length=12, choices=StakeholderGroup.choices)
    population = models.PositiveIntegerField(
        _("population N"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    confidence = models.DecimalField(
        _("confidence"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.95"),
        validators=[MinValueValidator(Decimal("0.80")), MaxValueValidator(Decimal("0.99"))],
    )
    margin = models.DecimalField(
        _("margin"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    margin_unit = models.CharField(
        _("margin in"), max_length=12, choices=MarginUnit.choices, default=MarginUnit.POINTS
    )
    sd = models.DecimalField(
        _("expected standard deviation"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.10"))],
    )
    response_rate = models.DecimalField(
        _("expected response rate"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )

    history = audit_trail()

    class Meta:
        ordering = ["survey", "group"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "group"], name="kto_survey_group_unique")
        ]
        verbose_name = _("stakeholder group")
        verbose_name_plural = _("stakeholder groups")

    def __str__(self) -> str:
        return self.get_group_display()

    def clean(self) -> None:
        if (
            self.margin_unit == self.MarginUnit.PROPORTION
            and self.margin is not None
            and self.margin >= 1
        ):
            raise ValidationError({"margin": _("A margin on a proportion lies below 1.")})


class SurveyItem(TenantModel):
    """A question placed on a survey in a role (perception, expectation, …)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="items")
    role = models.CharField(_("role"), max_length=12, choices=ItemRole.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question", "role"], name="kto_item_unique")
        ]
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.question}"


class Invitation(TenantModel):
    """A participant of a survey: imported, sampled, invited, reminded — and whether it has
    answered. It holds no link to the answer, and the answer none to it."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        SELECTED = "selected", _("Selected, waiting to be sent")
        INVITED = "invited", _("Invited")
        NOT_SELECTED = "not_selected", _("Not in the sample")
        FATIGUE = "fatigue", _("Skipped: invited recently")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    group = models.CharField(_("group"), max_length=12, choices=StakeholderGroup.choices)
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="+", verbose_name=_("contract")
    )
    # Used to stratify the sample; never copied to an answer.
    segment = models.CharField(_("department"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=2, default="nl")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IMPORTED
    )
    invited_on = models.DateField(_("invited on"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    # The token is HMAC(secret key, salt); only its SHA-256 is stored, so the database alone
    # cannot open a survey in someone's name. Reminders recompute the token from the salt.
    salt = models.CharField(max_length=32, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    used = models.BooleanField(_("answered"), default=False)

    objects = tenant_manager(supplier="contract__supplier")

    class Meta:
        ordering = ["survey", "email"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "email"], name="kto_invitation_unique")
        ]
        indexes = [models.Index(fields=["organisation", "email", "invited_on"])]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} · {self.survey}"


class PendingResponse(TenantModel):
    """A submitted answer waiting in the survey's pool until it is released (`kto.pool`).

    The pool exists so that nothing correlates an invitation's use with the stored answer: the
    invitation is marked used in a transaction of its own, the answer lands here in another one
    that rewrites the whole pool in random order (every row then carries the same transaction
    id, and row order is a fresh permutation), and answers reach `Response`, `Answer` and the
    rollups only in shuffled batches of at least k per (contract, group). No date at all: the
    released response gets the release date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pending")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("group"), max_length=12, choices=StakeholderGroup.choices)
    language = models.CharField(_("language"), max_length=2)
    # {item id: int or text}, already validated.
    values = models.JSONField(_("answers"), default=dict)

    class Meta:
        verbose_name = _("pending answer")
        verbose_name_plural = _("pending answers")

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.get_group_display()}"


class Response(TenantModel):
    """One anonymous submission, released from the pool in a shuffled batch. Deliberately no
    invitation, token, person, time, IP or agent; `submitted_on` is the batch's release date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("group"), max_length=12, choices=StakeholderGroup.choices)
    language = models.CharField(_("language"), max_length=2)
    submitted_on = models.DateField(_("submitted on"))

    objects = tenant_manager(supplier="contract__supplier")

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.get_group_display()} · {self.submitted_on}"


class Answer(TenantModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.PROTECT, related_name="answers")
    value = models.IntegerField(_("value"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    objects = tenant_manager(supplier="response__contract__supplier")

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value if self.value is not None else self.text[:40]}"


LIKERT_COUNT_FIELDS = [f"c{v}" for v in range(LIKERT_MIN, LIKERT_MAX + 1)]
SCALE_COUNT_FIELDS = [f"c{v}" for v in range(SCALE_MIN, SCALE_MAX + 1)]


class Rollup(TenantModel):
    """Additive aggregate of respondent-level scores per (survey, contract, role, dimension,
    group), with the survey's covered period: n, Σx, Σx² where x is the mean of one
    respondent's items in that dimension, plus item-answer counts per Likert value.

    Updated with F-expressions in the transaction of each submission; results pages and the gap
    analysis read these, never raw answers."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rollups")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=ROLLUP_ROLE_CHOICES)
    dimension = models.CharField(max_length=20, choices=Dimension.choices, blank=True)
    group = models.CharField(max_length=12, choices=StakeholderGroup.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    n = models.PositiveIntegerField(default=0)
    sum_x = models.FloatField(default=0)
    sum_x2 = models.FloatField(default=0)
    c1 = models.PositiveIntegerField(default=0)
    c2 = models.PositiveIntegerField(default=0)
    c3 = models.PositiveIntegerField(default=0)
    c4 = models.PositiveIntegerField(default=0)
    c5 = models.PositiveIntegerField(default=0)

    objects = tenant_manager(supplier="contract__supplier")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "contract", "role", "dimension", "group"],
                name="kto_rollup_unique",
            )
        ]
        indexes = [models.Index(fields=["contract", "role", "dimension", "period_end"])]
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.role} {self.dimension} {self.group}: n={self.n}"

    @property
    def counts(self) -> list[int]:
        return [getattr(self, name) for name in LIKERT_COUNT_FIELDS]


class ScoreRollup(TenantModel):
    """Additive counts per value of a 0–10 item per (survey, contract, item, group)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="score_rollups")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(SurveyItem, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=12, choices=StakeholderGroup.choices)
    c0 = models.PositiveIntegerField(default=0)
    c1 = models.PositiveIntegerField(default=0)
    c2 = models.PositiveIntegerField(default=0)
    c3 = models.PositiveIntegerField(default=0)
    c4 = models.PositiveIntegerField(default=0)
    c5 = models.PositiveIntegerField(default=0)
    c6 = models.PositiveIntegerField(default=0)
    c7 = models.PositiveIntegerField(default=0)
    c8 = models.PositiveIntegerField(default=0)
    c9 = models.PositiveIntegerField(default=0)
    c10 = models.PositiveIntegerField(default=0)

    objects = tenant_manager(supplier="contract__supplier")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "contract", "item", "group"], name="kto_score_rollup_unique"
            )
        ]
        verbose_name = _("score rollup")
        verbose_name_plural = _("score rollups")

    def __str__(self) -> str:
        return f"{self.contract_id} item {self.item_id} {self.group}: n={sum(self.counts)}"

    @property
    def counts(self) -> list[int]:
        return [getattr(self, name) for name in SCALE_COUNT_FIELDS]


# The gap analysis keeps its models in their own module; importing them here registers them.
from kto.gaps.models import (  # noqa: E402,F401
    GapAnalysisRun,
    GapDigest,
    GapDigestSchedule,
    GapFlag,
    GapFlagComment,
    GapReport,
    GapThreshold,
)
