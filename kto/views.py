"""KTO pages for the organisation: surveys, planning, participants, results, question bank."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from contracts import selectors as contract_selectors
from governance.platform.access import get_object_for
from governance.platform.concurrency import atomic_post
from governance.platform.exports import download
from governance.platform.forms import saved
from governance.platform.listing import ListPage
from governance.platform.views import TenantMixin
from kto import selectors, services
from kto.forms import (
    GroupPlanForm,
    ParticipantImportForm,
    QuestionForm,
    SurveyCreateForm,
    SurveyEditForm,
    SurveyFilterForm,
)
from kto.models import Invitation, StakeholderGroup, Survey, SurveyKind
from kto.participants import ImportRejected
from kto.planning import plan_for
from kto.results import survey_results
from kto.tokens import open_link_token


class SurveyMixin(TenantMixin):
    """A survey of the organisation; client members only (suppliers see results only)."""

    manage = False

    def get_survey(self) -> Survey:
        if self.access.is_supplier:
            raise Http404
        survey = get_object_for(self.access, Survey.objects.all(), pk=self.kwargs["pk"])
        if self.manage:
            self.access.require(self.access.may("kto.manage"))
        return survey

    def show(self, survey, *, status=200, **context):
        """The view's template for `survey`."""
        context = {"survey": survey, **context}
        return render(self.request, self.template_name, context, status=status)


class SurveyListView(ListPage):
    template_name = "kto/survey_list.html"
    context_object_name = "surveys"
    strict_pages = True
    filter_form_class = SurveyFilterForm
    filter_form_name = "filters"

    def get_rows(self):
        return selectors.survey_list(
            access=self.access,
            search=(self.filters.get("q") or "").strip(),
            kind=self.filters.get("kind") or "",
            state=self.filters.get("state") or "",
        )

    def get_context(self, page):
        return {
            "today": timezone.localdate(),
            "proposals": selectors.baseline_proposals(access=self.access),
            "waves": selectors.campaign_proposals(access=self.access),
        }


class SurveyCreateView(TenantMixin, View):
    template_name = "kto/survey_form.html"

    def form(self, data=None):
        contracts = contract_selectors.contract_list(access=self.access)
        initial = {}
        today = timezone.localdate()
        start, end = services.default_period(today)
        initial.update(period_start=start, period_end=end, opens_on=today)
        initial["closes_on"] = today + timezone.timedelta(days=21)
        if self.request.GET.get("kind") in SurveyKind.values:
            initial["kind"] = self.request.GET["kind"]
        if self.request.GET.get("contract", "").isdigit():
            initial["contracts"] = [int(self.request.GET["contract"])]
        return SurveyCreateForm(
            data,
            initial=initial,
            contracts=contracts,
            services=contract_selectors.service_list(access=self.access),
        )

    def dispatch(self, request, *args, **kwargs):
        if self.access.is_supplier:
            raise Http404
        self.access.require(self.access.may("kto.manage"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, org_slug):
        return render(request, self.template_name, {"form": self.form()})

    def post(self, request, org_slug):
        form = self.form(request.POST)
        survey = saved(
            request,
            form,
            lambda data: services.survey_create(
                organisation=self.organisation,
                kind=data["kind"],
                title=data["title"],
                contracts=data["contracts"],
                services=data["services"],
                groups=data["groups"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                targets=form.targets(),
                anonymity_mode=data["anonymity_mode"],
            ),
        )
        if survey is not None:
            messages.success(request, _("Survey created. Check the plan before sending."))
            return redirect("kto:survey_detail", org_slug, survey.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class SurveyDetailView(SurveyMixin, TemplateView):
    template_name = "kto/survey_detail.html"

    def get_context_data(self, **kwargs):
        survey = self.get_survey()
        counts = selectors.invitation_counts(survey=survey)
        results = survey_results(access=self.access, survey=survey, include_open=False)
        single = results.contracts[0] if len(results.contracts) == 1 else None
        plans = []
        order = list(StakeholderGroup.values)
        for plan in sorted(survey.groups.all(), key=lambda p: order.index(p.group)):
            per_group = counts.get(plan.group, {})
            listed = sum(v for key, v in per_group.items() if key != "answered")
            achieved = None
            if single is not None:
                cell = next((g for g in single.groups if g.key[1] == plan.group), None)
                if cell is not None and not cell.hidden and cell.perception:
                    widths = [f.half_width for f in cell.perception.values() if f.half_width]
                    achieved = max(widths) if widths else None
            plans.append(
                {
                    "plan": plan,
                    "figures": plan_for(plan, listed=listed),
                    "listed": listed,
                    "selected": per_group.get(Invitation.Status.SELECTED, 0)
                    + per_group.get(Invitation.Status.INVITED, 0),
                    "invited": per_group.get(Invitation.Status.INVITED, 0),
                    "fatigue": per_group.get(Invitation.Status.FATIGUE, 0),
                    "achieved": achieved,
                }
            )
        token = open_link_token(survey)
        return {
            **super().get_context_data(**kwargs),
            "survey": survey,
            "state": survey.state(timezone.localdate()),
            "contracts": survey.contracts.select_related("supplier"),
            "items": survey.items.select_related("question"),
            "plans": plans,
            "open_link": self.request.build_absolute_uri(
                reverse("kto_public:open", kwargs={"token": token})
            )
            if token
            else "",
            "targets": [(label, survey.target_for(value)) for value, label in results.dimensions],
        }


class SurveyEditView(SurveyMixin, View):
    manage = True
    template_name = "kto/survey_edit.html"

    def form(self, survey, data=None):
        initial = {
            "title": survey.title,
            "period_start": survey.period_start,
            "period_end": survey.period_end,
            "opens_on": survey.opens_on,
            "closes_on": survey.closes_on,
            "anonymity_mode": survey.anonymity_mode,
            "fatigue_days": survey.fatigue_days,
            **{f"target_{d}": v for d, v in (survey.targets or {}).items()},
        }
        return SurveyEditForm(data, initial=initial, locked=survey.anonymity_locked, record=survey)

    def get(self, request, org_slug, pk):
        survey = self.get_survey()
        return self.show(survey, form=self.form(survey))

    @method_decorator(atomic_post)
    def post(self, request, org_slug, pk):
        survey = self.get_survey()
        form = self.form(survey, request.POST)
        if saved(
            request,
            form,
            lambda data: services.survey_update(
                survey=survey,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                anonymity_mode=data["anonymity_mode"],
                fatigue_days=data["fatigue_days"],
                targets=form.targets(),
            ),
        ):
            messages.success(request, _("Survey saved."))
            return redirect("kto:survey_detail", org_slug, survey.pk)
        return self.show(survey, status=400, form=form)


class SurveyPlanView(SurveyMixin, View):
    manage = True
    template_name = "kto/survey_plan.html"

    def get(self, request, org_slug, pk):
        survey = self.get_survey()
        forms = [GroupPlanForm(instance=g, prefix=g.group) for g in survey.groups.all()]
        return self.show(survey, forms=forms)

    def post(self, request, org_slug, pk):
        survey = self.get_survey()
        forms = [
            GroupPlanForm(request.POST, instance=g, prefix=g.group) for g in survey.groups.all()
        ]
        if all(f.is_valid() for f in forms):
            for form in forms:
                data = form.cleaned_data
                services.survey_group_plan(plan=form.instance, **data)
            messages.success(request, _("Plan saved."))
            return redirect("kto:survey_detail", org_slug, survey.pk)
        return self.show(survey, status=400, forms=forms)


class ParticipantImportView(SurveyMixin, View):
    manage = True
    template_name = "kto/participant_import.html"

    def get(self, request, org_slug, pk):
        survey = self.get_survey()
        return self.show(survey, form=ParticipantImportForm())

    def post(self, request, org_slug, pk):
        survey = self.get_survey()
        form = ParticipantImportForm(request.POST, request.FILES)
        row_errors = []
        if form.is_valid():
            try:
                added = services.participants_import(
                    survey=survey, content=form.cleaned_data["file"].read()
                )
            except ImportRejected as rejected:
                row_errors = rejected.row_errors
            else:
                messages.success(request, _("%(count)s participants added.") % {"count": added})
                return redirect("kto:survey_detail", org_slug, survey.pk)
        return self.show(survey, status=400, form=form, row_errors=row_errors)


class SurveyActionView(SurveyMixin, View):
    """POST-only actions on a survey: launch, close, open link on/off."""

    manage = True
    action = ""

    def post(self, request, org_slug, pk):
        survey = self.get_survey()
        try:
            if self.action == "launch":
                services.survey_launch(survey=survey)
                messages.success(request, _("Invitations released; they go out on working days."))
            elif self.action == "close":
                services.survey_close(survey=survey)
                messages.success(request, _("Survey closed."))
            elif self.action == "open_link":
                enabled = request.POST.get("enabled") == "1"
                services.survey_open_link_set(survey=survey, enabled=enabled)
                messages.success(
                    request,
                    _("Open link switched on.") if enabled else _("Open link switched off."),
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("kto:survey_detail", org_slug, survey.pk)


class SurveyResultsView(TenantMixin, TemplateView):
    """Aggregates only; a supplier's user sees its own contracts and no open answers."""

    template_name = "kto/survey_results.html"

    def get_context_data(self, **kwargs):
        survey = get_object_for(
            self.access, selectors.survey_list(access=self.access), pk=self.kwargs["pk"]
        )
        # One contract at a time (the one asked for, else the first), with an overview of
        # every visible contract's total: a survey of fifty contracts stays one short page.
        requested = self.request.GET.get("contract", "")
        results = survey_results(
            access=self.access,
            survey=survey,
            contract_id=int(requested) if requested.isdigit() else None,
            one_contract=True,
        )
        return {
            **super().get_context_data(**kwargs),
            "survey": survey,
            "results": results,
            "chosen": results.chosen,
        }


def survey_results_export(request, org_slug, pk):
    """The results table of every contract the user may see (or of `?contract=` alone): one
    row per contract and group and per contract's total, hidden cells without figures."""
    access = request.access
    survey = get_object_for(access, selectors.survey_list(access=access), pk=pk)
    requested = request.GET.get("contract", "")
    results = survey_results(access=access, survey=survey, include_open=False, charts=False)
    if requested.isdigit():
        results.contracts = [c for c in results.contracts if c.contract.pk == int(requested)]
    header = [_("Contract"), _("Group"), _("Respondents"), _("Response rate")]
    for _key, label in results.dimensions:
        header += [label, _("%(dimension)s 95%% CI low") % {"dimension": label}]
        header += [_("%(dimension)s 95%% CI high") % {"dimension": label}]
    header += [_("Happiness score"), _("Hours lost")]
    rows = []
    cells = [("", results.total)] if results.total and not requested else []
    for contract_results in results.contracts:
        reference = contract_results.contract.reference
        cells += [(reference, cell) for cell in contract_results.groups]
        cells.append((reference, contract_results.total))
    for reference, cell in cells:
        if cell.hidden:
            hidden = _("hidden: fewer than %(k)d answers") % {"k": results.k}
            rows.append([reference, cell.label, hidden])
            continue
        row = [reference, cell.label, cell.respondents, cell.response_rate]
        for key, _label in results.dimensions:
            figure = cell.perception.get(key)
            row += [figure.mean, figure.ci_low, figure.ci_high] if figure else [None] * 3
        row += [cell.happiness, cell.time_lost.mean if cell.time_lost else None]
        rows.append(row)
    return download(request.GET.get("format"), f"kto-results-{survey.pk}", header, rows)


class QuestionListView(ListPage):
    template_name = "kto/question_list.html"
    context_object_name = "questions"
    paginate_by = 50
    strict_pages = True

    def permit(self):
        if self.access.is_supplier:
            raise Http404

    def get_rows(self):
        return selectors.question_list(
            access=self.access, search=self.search, dimension=self.param("dimension")
        )

    def get_context(self, page):
        if not self.access.may("kto.manage"):
            return {}
        return {"form": QuestionForm(services=contract_selectors.service_list(access=self.access))}


class QuestionCreateView(TenantMixin, View):
    def post(self, request, org_slug):
        if self.access.is_supplier:
            raise Http404
        self.access.require(self.access.may("kto.manage"))
        form = QuestionForm(
            request.POST, services=contract_selectors.service_list(access=self.access)
        )
        organisation = self.organisation
        if saved(
            request, form, lambda data: services.question_create(organisation=organisation, **data)
        ):
            messages.success(request, _("Question added to the bank."))
            return redirect("kto:question_list", org_slug)
        return QuestionListView(request).render(status=400, form=form)
