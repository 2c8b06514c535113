"""Browser forms of the simulations app; choices are limited to what the user may see."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contracts.selectors import contract_list, service_list, services_for_contract
from governance.platform.access import Access
from governance.platform.concurrency import VersionedFormMixin
from governance.platform.forms import IsoDateInput
from simulations import services
from simulations.lessons import earlier_lessons
from simulations.levels import level_choices
from simulations.models import (
    STEP_SETTINGS,
    Action,
    Chain,
    Exercise,
    Inject,
    Lesson,
    Observation,
    Participant,
    Proposal,
    Scenario,
    Step,
)


class ChainForm(VersionedFormMixin, forms.ModelForm):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    # No help text: “contract” in it would make the contract's label ambiguous.
    service = forms.ModelChoiceField(label=_("Service"), queryset=None, required=False)

    class Meta:
        model = Chain
        fields = ["contract", "service", "name", "description", "internal_notes"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = access.organisation
        self.fields["contract"].queryset = contract_list(access=access)
        self.fields["service"].queryset = service_list(access=access).select_related("contract")
        self.fields["service"].label_from_instance = lambda s: f"{s.contract.reference} · {s.name}"


def profile_grid_text(rates: list[float]) -> str:
    def number(value: float) -> str:
        return f"{value:g}"

    return "\n".join(" ".join(number(v) for v in rates[d * 24 : (d + 1) * 24]) for d in range(7))


class ProfileForm(forms.Form):
    """The arrival profile: typed as a grid, or derived from a file of contact times."""

    grid = forms.CharField(
        label=_("Contacts per hour"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}),
        help_text=_("Seven lines, Monday first, of 24 numbers (00:00–01:00 first)."),
    )
    file = forms.FileField(
        label=_("Or derive from contact times"),
        required=False,
        help_text=_(
            "A CSV or text file with one date and time per line (e.g. 2026-03-02 14:05) of past "
            "contacts; the average per weekday and hour becomes the profile."
        ),
    )

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                content = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
            data["rates"] = services.profile_from_timestamps(content, time_zone=self.time_zone)
            data["source"] = Chain.ProfileSource.UPLOADED
        elif data.get("grid"):
            data["rates"] = services.parse_profile_grid(data["grid"])
            data["source"] = Chain.ProfileSource.ENTERED
        else:
            raise ValidationError(_("Type the grid or choose a file."))
        return data


class StepForm(VersionedFormMixin, forms.ModelForm):
    """A step and its escalation probabilities to each following step."""

    class Meta:
        model = Step
        fields = STEP_SETTINGS
        widgets = {
            "inputs": forms.Textarea(attrs={"rows": 2}),
            "outputs": forms.Textarea(attrs={"rows": 2}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "opening_hours": forms.TextInput(),
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = chain.organisation
        self.instance.chain = chain
        choices = level_choices(contract=chain.contract)
        linked = self.instance.service_level_code
        if linked and linked not in dict(choices):
            choices.append((linked, linked))  # linked to a level no longer in force
        self.fields["service_level_code"] = forms.ChoiceField(
            label=_("Contract service level"),
            required=False,
            choices=[("", _("None: use the target above")), *choices],
            help_text=_(
                "The service level in force replaces the target share above; the time comes "
                "from “answered within”, else from the level’s wording (“within 20 s”)."
            ),
        )
        if self.instance.position is None:
            self.instance.position = 0  # placeholder for validation; the service appends
        self.following = list(
            chain.steps.filter(position__gt=self.instance.position).order_by("position")
            if self.instance.pk
            else []
        )
        current = (
            {e.target_id: e.probability for e in self.instance.escalations.all()}
            if self.instance.pk
            else {}
        )
        for step in self.following:
            self.fields[f"escalate_{step.pk}"] = forms.DecimalField(
                label=_("Escalates to %(step)s (probability)") % {"step": step.name},
                min_value=0,
                max_value=1,
                decimal_places=4,
                required=False,
                initial=current.get(step.pk, Decimal(0)),
            )

    def escalations(self) -> dict[Step, Decimal]:
        return {
            step: self.cleaned_data.get(f"escalate_{step.pk}") or Decimal(0)
            for step in self.following
        }

    def clean(self):
        data = super().clean()
        total = sum(self.escalations().values()) if self.following else 0
        if total > 1:
            raise ValidationError(
                _("The escalation probabilities add up to %(total)s, more than 1.")
                % {"total": total}
            )
        return data


class ScenarioForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    arrival_factor = forms.DecimalField(
        label=_("Arrival factor"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
        initial=Decimal("1.00"),
        help_text=_("1.00 is the profile as entered; 1.20 is 20 % more contacts."),
    )

    def __init__(self, *args, chain: Chain, scenario: Scenario | None = None, **kwargs):
        super().__init__(*args, record=scenario, **kwargs)
        self.chain, self.scenario = chain, scenario
        self.steps = list(chain.steps.order_by("position"))
        changes = {c.step_id: c for c in scenario.changes.all()} if scenario else {}
        if scenario:
            self.initial.update(
                name=scenario.name,
                description=scenario.description,
                arrival_factor=scenario.arrival_factor,
            )
        for step in self.steps:
            change = changes.get(step.pk)
            self.fields[f"extra_staff_{step.pk}"] = forms.IntegerField(
                label=_("%(step)s: extra staff") % {"step": step.name},
                initial=change.extra_staff if change else 0,
                min_value=-step.capacity,
                max_value=500,
            )
            self.fields[f"opening_hours_{step.pk}"] = forms.CharField(
                label=_("%(step)s: opening hours instead") % {"step": step.name},
                required=False,
                initial=change.opening_hours if change else "",
                help_text=_("Now: %(hours)s") % {"hours": step.opening_hours or _("always open")},
            )
            self.fields[f"factor_{step.pk}"] = forms.DecimalField(
                label=_("%(step)s: service-time factor") % {"step": step.name},
                initial=change.service_time_factor if change else Decimal("1.00"),
                min_value=Decimal("0.01"),
                max_digits=5,
                decimal_places=2,
            )

    def save(self) -> Scenario:
        data = self.cleaned_data
        changes = {
            step.pk: {
                "extra_staff": data[f"extra_staff_{step.pk}"],
                "opening_hours": data[f"opening_hours_{step.pk}"],
                "service_time_factor": data[f"factor_{step.pk}"],
            }
            for step in self.steps
        }
        return services.scenario_save(
            chain=self.chain,
            scenario=self.scenario,
            name=data["name"],
            description=data["description"],
            arrival_factor=data["arrival_factor"],
            changes=changes,
        )


class RunForm(forms.Form):
    scenario = forms.ModelChoiceField(
        label=_("Scenario"),
        queryset=None,
        required=False,
        empty_label=_("Current chain"),
    )
    replications = forms.IntegerField(
        label=_("Replications"), initial=10, min_value=2, max_value=100
    )
    horizon_days = forms.IntegerField(
        label=_("Days simulated per replication"), initial=28, min_value=1, max_value=366
    )
    warmup_hours = forms.IntegerField(
        label=_("Warm-up (hours)"), initial=24, min_value=0, max_value=336
    )
    seed = forms.IntegerField(label=_("Seed"), initial=1, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].queryset = chain.scenarios.order_by("name")


class ExerciseForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Exercise
        fields = ["title", "kind", "scenario", "scheduled_for", "recurs_yearly", "internal_notes"]
        widgets = {
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "scheduled_for": IsoDateInput(),
            "internal_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = chain.organisation
        self.instance.chain = chain


class HeldForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))


class InjectForm(forms.ModelForm):
    class Meta:
        model = Inject
        fields = ["at_minute", "description"]
        widgets = {"description": forms.TextInput()}


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["name", "role", "party"]


class ObservationForm(forms.ModelForm):
    step = forms.ModelChoiceField(label=_("Step"), queryset=None)

    class Meta:
        model = Observation
        fields = ["step", "observed_minutes", "observed_outcome", "expected_outcome"]
        widgets = {
            "observed_outcome": forms.TextInput(),
            "expected_outcome": forms.TextInput(),
        }


class ActionForm(forms.ModelForm):
    step = forms.ModelChoiceField(label=_("Step"), queryset=None, required=False)

    class Meta:
        model = Action
        fields = ["step", "bottleneck", "action", "owner_side", "due"]
        widgets = {
            "bottleneck": forms.TextInput(),
            "action": forms.TextInput(),
            "due": IsoDateInput(),
        }


class LessonForm(forms.ModelForm):
    repeats = forms.ModelChoiceField(
        label=_("The same lesson as"),
        queryset=None,
        required=False,
        help_text=_(
            "A lesson an earlier exercise of this chain already taught. Left empty, a lesson "
            "with the same words in the same category is linked by itself."
        ),
    )

    class Meta:
        model = Lesson
        fields = ["category", "text", "repeats"]
        widgets = {"text": forms.TextInput()}


PART_FORMS = {
    "inject": InjectForm,
    "participant": ParticipantForm,
    "observation": ObservationForm,
    "action": ActionForm,
    "lesson": LessonForm,
}


def part_form(kind: str, exercise: Exercise, *args, **kwargs) -> forms.ModelForm:
    """The form for one kind of exercise row; step choices are the exercise's chain steps."""
    form = PART_FORMS[kind](*args, prefix=kind, **kwargs)
    if "step" in form.fields:
        form.fields["step"].queryset = exercise.chain.steps.order_by("position")
    if "repeats" in form.fields:
        form.fields["repeats"].queryset = earlier_lessons(exercise)
        form.fields["repeats"].label_from_instance = lambda lesson: (
            f"{lesson.exercise.scheduled_for.year} · {lesson.get_category_display()}: {lesson}"
        )
    form.instance.organisation = exercise.organisation
    form.instance.exercise = exercise
    return form


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["title", "rationale", "owner_side"]
        widgets = {"rationale": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "owner_side": _(
                "Supplier or joint: the supplier sees the proposal too. Client: yours alone."
            )
        }


class ProposalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    note = forms.CharField(
        label=_("Decision or note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, Proposal.Status(value).label) for value in Proposal.NEXT[proposal.status]
        ]


class DeriveProfileForm(forms.Form):
    """Derive the arrival profile from when complaints about a service happened."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=None)
    since = forms.DateField(label=_("Complaints from"), widget=IsoDateInput())
    until = forms.DateField(label=_("Complaints until"), widget=IsoDateInput())
    factor = forms.DecimalField(
        label=_("Contacts per complaint"),
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        decimal_places=2,
        initial=Decimal(1),
        help_text=_(
            "A complaint stands for this many contacts, e.g. 20 when one in twenty contacts "
            "of that hour ends in a complaint."
        ),
    )

    MAX_DAYS = 3 * 366

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services_for_contract(contract=chain.contract)
        if chain.service_id:
            self.fields["service"].initial = chain.service_id

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                self.add_error("until", _("The period ends before it starts."))
            elif (until - since).days > self.MAX_DAYS:
                self.add_error("until", _("Take at most three years."))
        return data
