"""Pages of the simulations app. Every object comes through a selector and get_object_for
(invisible → 404); changes need the predicates in permissions.py (visible but not allowed → 403).
No view runs a simulation: starting a run queues it for a worker."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.selectors import contract_list
from governance.platform.access import get_object_for
from governance.platform.concurrency import atomic_post
from governance.platform.forms import apply_errors, saved
from governance.platform.listing import ListPage
from simulations import levels, reports, selectors, services
from simulations.forms import (
    PART_FORMS,
    ChainForm,
    DeriveProfileForm,
    ExerciseForm,
    HeldForm,
    ProfileForm,
    ProposalForm,
    ProposalStatusForm,
    RunForm,
    ScenarioForm,
    StepForm,
    part_form,
    profile_grid_text,
)
from simulations.lessons import last_year_actions, recurrences
from simulations.models import (
    Action,
    Exercise,
    ExerciseReport,
    Lesson,
    Proposal,
    Scenario,
    SimulationRun,
    Step,
)
from simulations.permissions import may_approve, may_manage, may_propose, may_take_part


def _chain(request, pk):
    return get_object_for(request.access, selectors.chain_list(access=request.access), pk=pk)


def _step(request, pk):
    step = get_object_for(request.access, Step.objects.select_related("chain"), pk=pk)
    _chain(request, step.chain_id)  # a supplier's user only reaches steps of its own chains
    return step


def _scenario(request, pk):
    scenario = get_object_for(request.access, Scenario.objects.select_related("chain"), pk=pk)
    _chain(request, scenario.chain_id)
    return scenario


def _run(request, pk):
    return get_object_for(request.access, selectors.run_list(access=request.access), pk=pk)


def _exercise(request, pk):
    return get_object_for(request.access, selectors.exercise_list(access=request.access), pk=pk)


def _managed(request, find, pk):
    """The object `find` fetches (404 when the user cannot see it), once the user may manage
    simulations (403)."""
    found = find(request, pk)
    request.access.require(may_manage(request.access))
    return found


def _form_page(request, *, title, form, back, submit=None, multipart=False, extra=None):
    context = {
        "title": title,
        "form": form,
        "back": back,
        "submit": submit or _("Save"),
        "multipart": multipart,
        **(extra or {}),
    }
    return render(request, "simulations/form.html", context)


# --- Chains ------------------------------------------------------------------------------------


class ChainList(ListPage):
    template_name = "simulations/chain_list.html"
    context_object_name = "chains"

    def get_rows(self):
        return selectors.chain_list(
            access=self.access, search=self.search, contract_id=self.number("contract")
        )

    def get_context(self, page):
        return {
            "contracts": contract_list(access=self.access),
            "contract_filter": self.param("contract"),
            "may_manage": may_manage(self.access),
        }


def chain_list(request, org_slug):
    return ChainList(request).render()


def chain_create(request, org_slug):
    access = request.access
    access.require(may_manage(access))
    form = ChainForm(request.POST or None, access=access)
    chain = saved(request, form, lambda data: services.chain_create(access=access, **data))
    if chain is not None:
        return redirect("simulations:chain_detail", org_slug, chain.pk)
    return _form_page(
        request,
        title=_("New chain"),
        form=form,
        back=reverse("simulations:chain_list", args=[org_slug]),
    )


@atomic_post
def chain_edit(request, org_slug, pk):
    access = request.access
    chain = _managed(request, _chain, pk)
    form = ChainForm(request.POST or None, instance=chain, access=access)
    if request.method == "POST" and form.is_valid():
        services.chain_update(chain=chain, **form.cleaned_data)
        return redirect("simulations:chain_detail", org_slug, chain.pk)
    return _form_page(
        request,
        title=_("Edit chain"),
        form=form,
        back=reverse("simulations:chain_detail", args=[org_slug, pk]),
    )


def chain_detail(request, org_slug, pk):
    access = request.access
    chain = _chain(request, pk)
    steps = list(selectors.step_list(chain=chain))
    in_force = levels.levels_in_force(contract=chain.contract)
    for step in steps:
        step.level = in_force.get(step.service_level_code)
    return render(
        request,
        "simulations/chain_detail.html",
        {
            "chain": chain,
            "steps": steps,
            "scenarios": selectors.scenario_list(chain=chain),
            "runs": selectors.run_list(access=access, chain=chain)[:10],
            "exercises": selectors.exercise_list(access=access, chain=chain)[:10],
            "problems": services.chain_problems(chain=chain) if steps else [],
            "profile_chart": reports.profile_chart(chain.arrival_profile),
            "contacts_per_week": sum(chain.arrival_profile),
            "may_manage": may_manage(access),
        },
    )


def chain_profile(request, org_slug, pk):
    access = request.access
    chain = _managed(request, _chain, pk)
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        time_zone=access.organisation.time_zone,
        initial={"grid": profile_grid_text(chain.arrival_profile)},
    )
    if request.method == "POST" and form.is_valid():
        services.chain_set_profile(
            chain=chain, rates=form.cleaned_data["rates"], source=form.cleaned_data["source"]
        )
        messages.success(request, _("Arrival profile saved."))
        return redirect("simulations:chain_detail", org_slug, chain.pk)
    return _form_page(
        request,
        title=_("Arrival profile of %(chain)s") % {"chain": chain.name},
        form=form,
        back=reverse("simulations:chain_detail", args=[org_slug, pk]),
        multipart=True,
        extra={
            "intro": _(
                "Contacts per hour for each hour of the week, typed or derived from a file of "
                "contact times. The profile can also be derived from complaint timestamps."
            ),
            "derive_link": reverse("simulations:chain_profile_derive", args=[org_slug, pk]),
        },
    )


def chain_profile_derive(request, org_slug, pk):
    """Derive the arrival profile from complaint timestamps: preview first, then save."""
    access = request.access
    chain = _managed(request, _chain, pk)
    form = DeriveProfileForm(request.POST or None, chain=chain)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "access": access,
            "chain": chain,
            "service": data["service"],
            "since": data["since"],
            "until": data["until"],
            "factor": float(data["factor"]),
        }
        try:
            if "save" in request.POST:
                services.chain_set_profile_from_complaints(**arguments)
                messages.success(request, _("Arrival profile derived from complaints and saved."))
                return redirect("simulations:chain_detail", org_slug, chain.pk)
            rates, count = services.chain_profile_from_complaints(**arguments)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            preview = {
                "complaints": count,
                "per_week": sum(rates),
                "chart": reports.profile_chart(rates),
                "current_per_week": sum(chain.arrival_profile),
            }
    return render(
        request,
        "simulations/profile_derive.html",
        {"chain": chain, "form": form, "preview": preview},
    )


# --- Steps -------------------------------------------------------------------------------------


def _step_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form._meta.fields}


def step_create(request, org_slug, pk):
    chain = _managed(request, _chain, pk)
    form = StepForm(request.POST or None, chain=chain)
    if saved(request, form, lambda data: services.step_create(chain=chain, **_step_fields(form))):
        return redirect("simulations:chain_detail", org_slug, chain.pk)
    return _form_page(
        request,
        title=_("New step in %(chain)s") % {"chain": chain.name},
        form=form,
        back=reverse("simulations:chain_detail", args=[org_slug, pk]),
    )


@atomic_post
def step_edit(request, org_slug, pk):
    step = _managed(request, _step, pk)
    form = StepForm(request.POST or None, instance=step, chain=step.chain)
    if saved(
        request,
        form,
        lambda data: services.step_with_escalations_save(
            step=step, fields=_step_fields(form), escalations=form.escalations()
        ),
    ):
        return redirect("simulations:chain_detail", org_slug, step.chain_id)
    return _form_page(
        request,
        title=_("Step: %(step)s") % {"step": step.name},
        form=form,
        back=reverse("simulations:chain_detail", args=[org_slug, step.chain_id]),
    )


@require_POST
def step_delete(request, org_slug, pk):
    step = _managed(request, _step, pk)
    chain_id = step.chain_id
    services.step_delete(step=step)
    messages.success(request, _("Step removed."))
    return redirect("simulations:chain_detail", org_slug, chain_id)


# --- Scenarios and runs ------------------------------------------------------------------------


def scenario_create(request, org_slug, pk):
    chain = _managed(request, _chain, pk)
    return _scenario_form(request, chain=chain, scenario=None)


@atomic_post
def scenario_edit(request, org_slug, pk):
    scenario = _managed(request, _scenario, pk)
    return _scenario_form(request, chain=scenario.chain, scenario=scenario)


def _scenario_form(request, *, chain, scenario):
    org_slug = request.access.organisation.slug
    form = ScenarioForm(request.POST or None, chain=chain, scenario=scenario)
    if saved(request, form, lambda data: form.save()):
        return redirect("simulations:chain_detail", org_slug, chain.pk)
    return _form_page(
        request,
        title=_("Scenario for %(chain)s") % {"chain": chain.name},
        form=form,
        back=reverse("simulations:chain_detail", args=[org_slug, chain.pk]),
    )


def run_start(request, org_slug, pk):
    access = request.access
    chain = _managed(request, _chain, pk)
    form = RunForm(request.POST or None, chain=chain)
    run = saved(
        request,
        form,
        lambda data: services.simulation_run_start(access=access, chain=chain, **data),
    )
    if run is not None:
        return redirect("simulations:run_detail", org_slug, run.pk)
    return _form_page(
        request,
        title=_("Simulate %(chain)s") % {"chain": chain.name},
        form=form,
        back=reverse("simulations:chain_detail", args=[org_slug, pk]),
        submit=_("Start simulation"),
        extra={
            "intro": _(
                "The simulation runs in the background; its page shows the progress and then "
                "the results."
            )
        },
    )


def run_detail(request, org_slug, pk):
    run = _run(request, pk)
    context = {"run": run, "chain": run.chain}
    if run.status == SimulationRun.Status.SUCCEEDED:
        context.update(
            rows=reports.step_rows(run),
            charts=reports.run_charts(run),
            closing_times=run.results.get("closing_times", []),
            first_step=run.results["steps"][0]["name"],
            findings=reports.run_findings(run) if may_manage(request.access) else [],
            level_predictions=levels.predictions(run),
        )
    return render(request, "simulations/run_detail.html", context)


def run_progress(request, org_slug, pk):
    """The progress bar, polled by htmx; when the run is done the page reloads itself."""
    run = _run(request, pk)
    response = render(request, "simulations/includes/run_progress.html", {"run": run})
    if run.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def chain_compare(request, org_slug, pk):
    access = request.access
    chain = _chain(request, pk)
    runs = selectors.latest_runs_per_label(access=access, chain=chain)
    in_force = levels.levels_in_force(contract=chain.contract)
    rows = []
    for run in runs:
        first = run.results["steps"][0]
        rows.append(
            {
                "run": run,
                "level": first["service_level"],
                "attainment": first["attainment"],
                "unreachable": run.results["unreachable_per_week"],
                "end_to_end": run.results["end_to_end"]["mean"],
                "p90": run.results["end_to_end"]["percentiles"]["90"],
                "bottleneck": next(
                    s["name"] for s in run.results["steps"] if s["key"] == run.results["bottleneck"]
                ),
                "levels": levels.predictions(run, levels=in_force),
            }
        )
    return render(
        request,
        "simulations/chain_compare.html",
        {
            "chain": chain,
            "rows": rows,
            "charts": reports.comparison(runs),
            "caveats": reports.comparison_caveats(runs),
        },
    )


# --- Exercises ---------------------------------------------------------------------------------


class ExerciseList(ListPage):
    template_name = "simulations/exercise_list.html"
    context_object_name = "exercises"

    def get_rows(self):
        return selectors.exercise_list(
            access=self.access,
            search=self.search,
            status=self.choice("status", Exercise.Status.values),
        )

    def get_context(self, page):
        return {
            "statuses": Exercise.Status.choices,
            "status_filter": self.choice("status", Exercise.Status.values),
        }


def exercise_list(request, org_slug):
    return ExerciseList(request).render()


def exercise_create(request, org_slug, pk):
    chain = _managed(request, _chain, pk)
    form = ExerciseForm(request.POST or None, chain=chain)
    if request.method == "POST" and form.is_valid():
        exercise = services.exercise_save(chain=chain, **form.cleaned_data)
        return redirect("simulations:exercise_detail", org_slug, exercise.pk)
    return _form_page(
        request,
        title=_("Plan an exercise of %(chain)s") % {"chain": chain.name},
        form=form,
        back=reverse("simulations:chain_detail", args=[org_slug, pk]),
    )


@atomic_post
def exercise_edit(request, org_slug, pk):
    exercise = _managed(request, _exercise, pk)
    form = ExerciseForm(request.POST or None, instance=exercise, chain=exercise.chain)
    if request.method == "POST" and form.is_valid():
        services.exercise_save(chain=exercise.chain, exercise=exercise, **form.cleaned_data)
        return redirect("simulations:exercise_detail", org_slug, exercise.pk)
    return _form_page(
        request,
        title=_("Edit exercise"),
        form=form,
        back=reverse("simulations:exercise_detail", args=[org_slug, pk]),
    )


def _exercise_context(exercise, access) -> dict:
    return reports.exercise_context(exercise, internal=not access.is_supplier)


def exercise_detail(request, org_slug, pk, forms=None):
    access = request.access
    exercise = _exercise(request, pk)
    context = _exercise_context(exercise, access)
    context.update(
        report=selectors.exercise_report_latest(access=access, exercise=exercise),
        may_manage=may_manage(access),
        may_take_part=may_take_part(access),
        held_form=HeldForm(initial={"summary": exercise.summary}),
        part_forms={
            kind: (forms or {}).get(kind) or part_form(kind, exercise) for kind in PART_FORMS
        },
    )
    return render(request, "simulations/exercise_detail.html", context)


@require_POST
def exercise_held(request, org_slug, pk):
    exercise = _managed(request, _exercise, pk)
    form = HeldForm(request.POST)
    if form.is_valid():
        services.exercise_record_held(exercise=exercise, summary=form.cleaned_data["summary"])
        messages.success(request, _("Exercise recorded as held."))
    else:
        messages.error(request, _("Write a short summary of the exercise."))
    return redirect("simulations:exercise_detail", org_slug, pk)


@require_POST
def exercise_part_add(request, org_slug, pk, kind):
    access = request.access
    exercise = _exercise(request, pk)
    if kind not in PART_FORMS:
        raise Http404
    access.require(may_take_part(access))
    form = part_form(kind, exercise, request.POST)
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form._meta.fields}
        try:
            services.exercise_part_add(exercise=exercise, kind=kind, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(
                reverse("simulations:exercise_detail", args=[org_slug, pk]) + f"#{kind}s"
            )
    return exercise_detail(request, org_slug, pk, forms={kind: form})


@require_POST
def action_toggle(request, org_slug, pk):
    access = request.access
    action = get_object_for(access, Action.objects.select_related("exercise"), pk=pk)
    _exercise(request, action.exercise_id)
    access.require(may_take_part(access))
    services.action_set_done(action=action, done=not action.done)
    return redirect(
        reverse("simulations:exercise_detail", args=[org_slug, action.exercise_id]) + "#actions"
    )


@require_POST
def exercise_report_request(request, org_slug, pk):
    """Ask a worker for the report PDF; the page then shows it as being prepared."""
    access = request.access
    exercise = _exercise(request, pk)
    services.exercise_report_request(access=access, exercise=exercise, language=get_language())
    if request.headers.get("HX-Request"):
        return exercise_report_status(request, org_slug, pk)
    messages.info(request, _("The report is being prepared."))
    return redirect(reverse("simulations:exercise_detail", args=[org_slug, pk]) + "#report")


def exercise_report_status(request, org_slug, pk):
    """The report's state, polled by htmx while it is being prepared."""
    access = request.access
    exercise = _exercise(request, pk)
    return render(
        request,
        "simulations/includes/report_status.html",
        {
            "exercise": exercise,
            "report": selectors.exercise_report_latest(access=access, exercise=exercise),
        },
    )


def exercise_pdf(request, org_slug, pk):
    """Download the stored report PDF (rendered by a worker; never rendered here)."""
    access = request.access
    exercise = _exercise(request, pk)
    latest = selectors.exercise_report_latest(access=access, exercise=exercise)
    if latest is None or latest.status != latest.Status.READY:
        ready = ExerciseReport.objects.filter(
            organisation=access.organisation,
            exercise=exercise,
            internal=not access.is_supplier,
            status=ExerciseReport.Status.READY,
        ).order_by("-created_at", "-pk")
        latest = ready.first()
        if latest is None:
            raise Http404
    pdf = ExerciseReport.objects.filter(pk=latest.pk).values_list("pdf", flat=True).get()
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="exercise-{exercise.pk}.pdf"'
    return response


class LessonTrend(ListPage):
    template_name = "simulations/lesson_trend.html"
    context_object_name = "lessons"
    export_stem = "lessons-learned"

    def get_rows(self):
        category = self.choice("category", Lesson.Category.values)
        return selectors.lesson_list(access=self.access, category=category)

    def get_context(self, page):
        trend = selectors.lesson_trend(access=self.access)
        found = recurrences(list(page.object_list))
        today = timezone.localdate()
        return {
            "chart": reports.lesson_heatmap(trend) if trend["years"] else "",
            "categories": Lesson.Category.choices,
            "category_filter": self.choice("category", Lesson.Category.values),
            "rows": [(lesson, found.get(lesson.pk)) for lesson in page.object_list],
            "last_year": today.year - 1,
            "follow_ups": last_year_actions(access=self.access, today=today),
        }

    def export_header(self):
        return [_("Year"), _("Category"), _("Lesson"), _("Exercise"), _("Times learned")]

    def export_rows(self, rows):
        lessons = list(rows)
        found = recurrences(lessons)
        return [
            [
                lesson.exercise.scheduled_for.year,
                lesson.get_category_display(),
                lesson.text,
                lesson.exercise.title,
                found[lesson.pk].times if lesson.pk in found else 1,
            ]
            for lesson in lessons
        ]


def lesson_trend(request, org_slug):
    return LessonTrend(request).render()


def lesson_export(request, org_slug):
    return LessonTrend(request).download()


# --- Improvement proposals for the tactical meeting --------------------------------------------


def _proposal(request, pk):
    return get_object_for(request.access, selectors.proposal_list(access=request.access), pk=pk)


def _proposal_form_page(request, *, initial, back, create):
    form = ProposalForm(request.POST or None, initial=initial)
    proposal = saved(request, form, lambda data: create(**data))
    if proposal is not None:
        messages.success(request, _("Proposal saved for the tactical meeting."))
        return redirect(proposal.get_absolute_url())
    return _form_page(
        request,
        title=_("Improvement proposal for the tactical meeting"),
        form=form,
        back=back,
        submit=_("Propose"),
        extra={"intro": _("The rationale keeps these figures as they are now; edit as needed.")},
    )


def run_propose(request, org_slug, pk, finding):
    access = request.access
    run = _run(request, pk)
    if finding not in reports.run_findings(run):
        raise Http404
    access.require(may_propose(access))
    draft = reports.proposal_draft_from_run(run, finding)
    return _proposal_form_page(
        request,
        initial=draft,
        back=reverse("simulations:run_detail", args=[org_slug, pk]),
        create=lambda **fields: services.proposal_create(
            access=access, chain=run.chain, finding=finding, run=run, **fields
        ),
    )


def action_propose(request, org_slug, pk):
    access = request.access
    action = get_object_for(access, Action.objects.select_related("exercise", "step"), pk=pk)
    exercise = _exercise(request, action.exercise_id)
    access.require(may_propose(access))
    return _proposal_form_page(
        request,
        initial=reports.proposal_draft_from_action(action),
        back=reverse("simulations:exercise_detail", args=[org_slug, exercise.pk]) + "#actions",
        create=lambda **fields: services.proposal_create(
            access=access,
            chain=exercise.chain,
            finding=Proposal.Finding.EXERCISE_ACTION,
            exercise=exercise,
            action=action,
            **fields,
        ),
    )


class ProposalList(ListPage):
    template_name = "simulations/proposal_list.html"
    context_object_name = "proposals"

    def get_rows(self):
        status = self.choice("status", Proposal.Status.values)
        return selectors.proposal_list(access=self.access, status=status)

    def get_context(self, page):
        return {
            "statuses": Proposal.Status.choices,
            "status_filter": self.choice("status", Proposal.Status.values),
        }


def proposal_list(request, org_slug):
    return ProposalList(request).render()


def proposal_detail(request, org_slug, pk, form=None):
    access = request.access
    proposal = _proposal(request, pk)
    manage = may_approve(access) and bool(Proposal.NEXT[proposal.status])
    return render(
        request,
        "simulations/proposal_detail.html",
        {
            "proposal": proposal,
            "chain": proposal.chain,
            "status_form": (form or ProposalStatusForm(proposal=proposal)) if manage else None,
        },
    )


@require_POST
def proposal_status(request, org_slug, pk):
    access = request.access
    proposal = _proposal(request, pk)
    access.require(may_approve(access))
    form = ProposalStatusForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            data = form.cleaned_data
            services.proposal_set_status(
                proposal=proposal, status=data["status"], note=data["note"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect(proposal.get_absolute_url())
    return proposal_detail(request, org_slug, pk, form=form)
