"""Internal complaint pages under /o/<org>/complaints/: the register of complaints, one
complaint with its timeline and actions, analysis, extension cases and proposals, settings."""

from datetime import date, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints import permissions, selectors, services
from complaints.forms import (
    WEEKDAYS,
    AssignForm,
    CategoryForm,
    ComplaintFilterForm,
    DecisionForm,
    ExtensionForm,
    ProposalForm,
    SettingsForm,
    TextForm,
    TransitionForm,
)
from complaints.models import Attachment, Category, ImprovementProposal, ProposalStatus, Status
from complaints.services import TRANSITIONS
from contracts.selectors import service_list, supplier_list
from governance.platform.access import get_object_for
from governance.platform.charts import (
    Bar,
    Cell,
    Series,
    bar_chart,
    grade_legend,
    graded,
    heatmap,
    line_chart,
)
from governance.platform.concurrency import atomic_post, stale_messages
from governance.platform.listing import ListPage


def _client_only(access):
    """Analysis, proposals and settings are the client's own (a supplier gets 403)."""
    access.require(access.is_client and access.may("client.read"))


class ComplaintList(ListPage):
    """The register of complaints (filtered, paginated) and its export."""

    template_name = "complaints/complaint_list.html"
    context_object_name = "complaints"
    filter_form_class = ComplaintFilterForm
    export_stem = "complaints"

    def filter_form_kwargs(self):
        return {
            "categories": selectors.category_list(
                organisation=self.access.organisation, active_only=False
            ),
            # Choices only: the services' opening hours are not needed here.
            "services": service_list(access=self.access).prefetch_related(None),
        }

    def get_rows(self):
        return selectors.complaint_list(
            access=self.access,
            search=(self.filters.get("q") or "").strip(),
            status=self.filters.get("status") or "",
            category_id=self.filters.get("category"),
            service_id=self.filters.get("service"),
            overdue=bool(self.filters.get("overdue")),
        )

    @cached_property
    def headline(self):
        """The client's headline figures (None for a supplier's user, who does not see them)."""
        access = self.access
        return selectors.headline(access=access) if access.is_client else None

    def known_count(self):
        """Unfiltered, the list holds every complaint the headline counted: no COUNT(*) again."""
        unfiltered = not any(
            self.filters.get(name) for name in ("q", "status", "category", "service", "overdue")
        )
        return self.headline.total if unfiltered and self.headline is not None else None

    def get_context(self, page):
        access = self.access
        return {
            "today": selectors.local_today(access.organisation),
            "headline": self.headline,
            "public_form_url": self.request.build_absolute_uri(
                reverse("complaints_public:form", kwargs={"org_slug": access.organisation.slug})
            ),
        }

    def export_header(self):
        return [
            _("Reference"),
            _("Received"),
            _("Status"),
            _("Category"),
            _("Service"),
            _("When it happened"),
            _("Outside the service window"),
            _("Channel tried"),
            _("Impact"),
            _("Acknowledge by"),
            _("Resolve by"),
            _("Resolved"),
            _("Assigned to"),
            _("Resolved for the complainant"),
            _("Handling (1–5)"),
            _("What happened"),
            _("Complainant's name"),
            _("E-mail"),
            _("Phone"),
            _("May be contacted"),
        ]

    def export_rows(self, complaints):
        """Contact details only in the rows `may_see_contact` allows (empty otherwise)."""
        tz = self.access.organisation.time_zone
        rows = []
        for c in complaints:
            verdict = getattr(c, "verdict", None)
            rows.append(
                [
                    c.reference,
                    _local(c.received_at, tz),
                    c.get_status_display(),
                    str(c.category),
                    c.service.name if c.service else "",
                    _local(c.occurred_at, tz),
                    "" if c.outside_window is None else (_("yes") if c.outside_window else _("no")),
                    c.get_channel_display(),
                    c.get_impact_display(),
                    c.acknowledge_due.isoformat(),
                    c.resolve_due.isoformat(),
                    _local(c.resolved_at, tz) if c.resolved_at else "",
                    _assignee(c),
                    "" if verdict is None else (_("yes") if verdict.resolved_for_me else _("no")),
                    verdict.handling_score if verdict else "",
                    c.description,
                    *_contact_cells(self.access, c),
                ]
            )
        return rows


def complaint_list(request, org_slug):
    return ComplaintList(request).render()


def _contact_cells(access, complaint) -> list[str]:
    if not permissions.may_see_contact(access, complaint):
        return ["", "", "", ""]
    consent = _("yes") if complaint.consent_to_contact else _("no")
    return [complaint.name, complaint.email, complaint.phone, consent]


def complaint_export(request, org_slug):
    """The filtered list as CSV or XLSX; contact details as `may_see_contact` allows."""
    return ComplaintList(request).download()


def _local(moment, tz):
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def _assignee(complaint) -> str:
    if complaint.assigned_user is not None:
        return complaint.assigned_user.get_full_name() or complaint.assigned_user.email
    if complaint.assigned_supplier is not None:
        return complaint.assigned_supplier.name
    return ""


def _complaint(request, pk):
    return get_object_for(request.access, selectors.complaint_list(access=request.access), pk=pk)


def complaint_detail(request, org_slug, pk):
    access = request.access
    complaint = _complaint(request, pk)
    today = selectors.local_today(access.organisation)
    moves = [
        (status, Status(status).label)
        for status in Status.values
        if status in TRANSITIONS.get(complaint.status, set())
        and permissions.may_transition(access, complaint, status)
    ]
    assign_form = None
    if permissions.may_assign(access):
        assign_form = AssignForm(
            record=complaint,
            initial={
                "assignee": (
                    f"user:{complaint.assigned_user_id}"
                    if complaint.assigned_user_id
                    else f"supplier:{complaint.assigned_supplier_id}"
                    if complaint.assigned_supplier_id
                    else ""
                )
            },
            members=selectors.team_members(organisation=access.organisation),
            suppliers=supplier_list(access=access),
        )
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "timeline": selectors.complaint_timeline(access=access, complaint=complaint),
            "attachments": complaint.attachments.only("pk", "filename", "mime_type", "size"),
            "show_contact": permissions.may_see_contact(access, complaint),
            "overdue_step": complaint.overdue_step(today),
            "moves": moves,
            "assign_form": assign_form,
            "may_note": permissions.may_add_note(access),
            "may_message": permissions.may_message(access, complaint),
            "verdict": getattr(complaint, "verdict", None),
            "category": str(complaint.category),
        },
    )


def _fail(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _back(complaint):
    return redirect(
        "complaints:complaint_detail", org_slug=complaint.organisation.slug, pk=complaint.pk
    )


@require_POST
@atomic_post
def complaint_assign(request, org_slug, pk):
    complaint = _complaint(request, pk)
    access = request.access
    access.require(permissions.may_assign(access))
    form = AssignForm(
        request.POST,
        record=complaint,
        members=selectors.team_members(organisation=access.organisation),
        suppliers=supplier_list(access=access),
    )
    if not form.is_valid():
        for line in stale_messages(form) or [_("Choose someone from the list.")]:
            messages.error(request, line)
        return _back(complaint)
    user, supplier = form.chosen()
    try:
        services.complaint_assign(access=access, complaint=complaint, user=user, supplier=supplier)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Assigned."))
    return _back(complaint)


@require_POST
@atomic_post
def complaint_transition(request, org_slug, pk):
    complaint = _complaint(request, pk)
    form = TransitionForm(request.POST, record=complaint)
    if not form.is_valid():
        for line in stale_messages(form) or [_("Choose a valid next step.")]:
            messages.error(request, line)
        return _back(complaint)
    if not permissions.may_transition(request.access, complaint, form.cleaned_data["to"]):
        raise PermissionDenied
    try:
        services.complaint_transition(
            access=request.access,
            complaint=complaint,
            to=form.cleaned_data["to"],
            text=form.cleaned_data["text"],
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("The complaint is now %(status)s.")
            % {"status": Status(form.cleaned_data["to"]).label.lower()},
        )
    return _back(complaint)


@require_POST
def complaint_note(request, org_slug, pk):
    complaint = _complaint(request, pk)
    request.access.require(permissions.may_add_note(request.access))
    form = TextForm(request.POST)
    if form.is_valid():
        services.complaint_note_add(
            access=request.access, complaint=complaint, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("Write the note (at most 4,000 characters)."))
    return _back(complaint)


@require_POST
def complaint_message(request, org_slug, pk):
    complaint = _complaint(request, pk)
    request.access.require(permissions.may_message(request.access, complaint))
    form = TextForm(request.POST)
    if form.is_valid():
        services.complaint_message_send(
            access=request.access,
            complaint=complaint,
            text=form.cleaned_data["text"],
            base_url=request.build_absolute_uri("/"),
        )
        messages.success(request, _("Message sent to the complainant."))
    else:
        messages.error(request, _("Write the message (at most 4,000 characters)."))
    return _back(complaint)


def attachment_download(request, org_slug, pk):
    """An attachment, always as a download of its checked type (never rendered inline)."""
    access = request.access
    with_access = selectors.complaint_list(access=access)
    try:
        attachment = Attachment.objects.get(
            pk=pk, organisation=access.organisation, complaint__in=with_access
        )
    except (Attachment.DoesNotExist, ValueError):
        raise Http404 from None
    response = HttpResponse(bytes(attachment.content), content_type=attachment.mime_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- analysis ------------------------------------------------------------------------------


def _period(request, today: date) -> tuple[date, date]:
    try:
        since = date.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        since = today - timedelta(days=364)
    try:
        until = date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        until = today
    return (since, until) if since <= until else (until, since)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def hour_heatmap(figures, title: str):
    """Complaints per weekday and hour on a graded colour scale with its legend; the hours
    inside the service window are outlined."""
    days = [str(label) for _n, label in WEEKDAYS]
    hours = [f"{h:02d}" for h in range(24)]
    top = max(figures.grid.values(), default=0)
    cells = {}
    for d, day in enumerate(days):
        for h, hour in enumerate(hours):
            count = figures.grid.get((d, h), 0)
            cells[(day, hour)] = Cell(
                str(count) if count else "",
                "none",
                fill=graded(count, top),
                outline=WINDOW_OUTLINE if (d, h) in figures.window else "",
            )
    return heatmap(
        rows=days,
        columns=hours,
        cells=cells,
        title=title,
        legend=grade_legend(top) if top else [("0", graded(0, 0))],
        outline_legend=(_("inside the service window"), WINDOW_OUTLINE),
    )


WINDOW_OUTLINE = "#2e7d32"


def analysis_page(request, org_slug):
    access = request.access
    _client_only(access)
    today = selectors.local_today(access.organisation)
    since, until = _period(request, today)
    # The choice of service needs no opening hours (hour_analysis reads the chosen one's).
    services_available = list(
        service_list(access=access).prefetch_related(None).order_by("contract", "name")
    )
    service_id = _int(request.GET.get("service"))
    if service_id not in {s.pk for s in services_available}:
        service_id = None
    category_id = _int(request.GET.get("category"))
    figures = selectors.hour_analysis(
        access=access, since=since, until=until, service_id=service_id, category_id=category_id
    )
    labels = selectors.complaint_labels(organisation=access.organisation)
    trends = selectors.complaint_trends(access=access, months=12, today=today, labels=labels)
    month_labels = [date_format(m, "M Y") for m in trends.months]
    parts = selectors.breakdown(access=access, since=since, until=until, labels=labels)
    headline, verdicts = selectors.headline_with_verdicts(access=access, today=today)
    return render(
        request,
        "complaints/analysis.html",
        {
            "since": since,
            "until": until,
            "services": services_available,
            "categories": selectors.category_list(
                organisation=access.organisation, active_only=False
            ),
            "service_id": service_id,
            "category_id": category_id,
            "figures": figures,
            "headline": headline,
            "heatmap": hour_heatmap(figures, _("Complaints by weekday and hour (local time)")),
            "trend_chart": line_chart(
                x_labels=month_labels,
                series=[
                    Series(_("All complaints"), [float(v) for v in trends.total]),
                    Series(
                        _("Outside the service window"),
                        [float(v) for v in trends.outside_window],
                    ),
                    Series(
                        _("Not resolved for the complainant"),
                        [float(v) for v in trends.not_resolved_for_complainant],
                    ),
                ],
                y_min=0,
                title=_("Complaints per month"),
                partial_last=True,
            ),
            "category_chart": _monthly_chart(
                month_labels, trends.by_category, _("Complaints per category per month")
            ),
            "service_trend_chart": _monthly_chart(
                month_labels, trends.by_service, _("Complaints per service per month")
            ),
            "service_chart": bar_chart(
                bars=[Bar(name, float(count)) for name, count in parts["service"]],
                y_min=0,
                title=_("Complaints per service"),
            )
            if parts["service"]
            else "",
            "parts": parts,
            "verdicts": verdicts,
        },
    )


def _monthly_chart(month_labels: list[str], per_name: dict[str, list[int]], title: str) -> str:
    """The largest lines of `per_name` per month, or "" where there are none."""
    if not per_name:
        return ""
    return line_chart(
        x_labels=month_labels,
        series=_largest_series(per_name),
        y_min=0,
        title=title,
        partial_last=True,
    )


def _largest_series(per_name: dict[str, list[int]], count: int = 6) -> list[Series]:
    """The `count` largest lines (by total), in name order, so a chart stays readable."""
    largest = sorted(per_name.items(), key=lambda item: (-sum(item[1]), item[0]))[:count]
    return [Series(name, [float(v) for v in values]) for name, values in sorted(largest)]


# --- extension cases and proposals ---------------------------------------------------------


def extension_case(request, org_slug):
    """Cost a longer service window against the complaints it would have avoided; save it as
    an improvement proposal."""
    access = request.access
    _client_only(access)
    today = selectors.local_today(access.organisation)
    services_available = service_list(access=access).order_by("contract", "name")
    source = request.POST if request.method == "POST" else (request.GET or None)
    form = ExtensionForm(source, services=services_available, today=today)
    proposal_form = ProposalForm(request.POST if request.method == "POST" else None)
    case = None
    if form.is_valid():
        data = form.cleaned_data
        case = services.extension_case_for(
            access=access,
            service=data["service"],
            weekdays=data["weekdays"],
            opens=data["opens"],
            closes=data["closes"],
            staff=data["staff"],
            period_start=data["period_start"],
            period_end=data["period_end"],
        )
        if request.method == "POST":
            access.require(permissions.may_propose(access))
            if proposal_form.is_valid():
                try:
                    proposal = services.proposal_create(
                        access=access,
                        service=data["service"],
                        title=proposal_form.cleaned_data["title"],
                        benefit=proposal_form.cleaned_data["benefit"],
                        weekdays=data["weekdays"],
                        opens=data["opens"],
                        closes=data["closes"],
                        staff=data["staff"],
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                    )
                except ValidationError as error:
                    _fail(request, error)
                else:
                    messages.success(request, _("The proposal has been saved."))
                    return redirect("complaints:proposal_detail", org_slug=org_slug, pk=proposal.pk)
    elif request.method == "POST":
        access.require(permissions.may_propose(access))
    return render(
        request,
        "complaints/extension.html",
        {
            "form": form,
            "proposal_form": proposal_form,
            "case": case,
            "hourly_rate": selectors.settings_for(organisation=access.organisation).hourly_rate,
            "may_decide": permissions.may_propose(access),
        },
    )


class ProposalList(ListPage):
    template_name = "complaints/proposal_list.html"
    context_object_name = "proposals"

    def permit(self):
        _client_only(self.access)

    def get_rows(self):
        proposals = selectors.proposal_list(access=self.access, status=self.param("status"))
        return proposals.filter(title__icontains=self.search) if self.search else proposals

    def get_context(self, page):
        return {"status": self.param("status"), "status_choices": ProposalStatus.choices}


def proposal_list(request, org_slug):
    return ProposalList(request).render()


def _proposal(request, pk) -> ImprovementProposal:
    return get_object_for(request.access, selectors.proposal_list(access=request.access), pk=pk)


def proposal_detail(request, org_slug, pk):
    access = request.access
    _client_only(access)
    proposal = _proposal(request, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        access.require(permissions.may_approve(access))
        if form.is_valid():
            try:
                services.proposal_decide(
                    access=access,
                    proposal=proposal,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _fail(request, error)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("complaints:proposal_detail", org_slug=org_slug, pk=proposal.pk)
    weekday_names = dict(WEEKDAYS)
    return render(
        request,
        "complaints/proposal_detail.html",
        {
            "proposal": proposal,
            "form": form,
            "weekdays": [weekday_names[d] for d in proposal.weekdays],
            "may_decide": permissions.may_approve(access)
            and services.PROPOSAL_TRANSITIONS.get(proposal.status),
        },
    )


# --- settings ------------------------------------------------------------------------------


@atomic_post
def settings_page(request, org_slug):
    access = request.access
    _client_only(access)
    procedure = selectors.settings_for(organisation=access.organisation)
    form = SettingsForm(request.POST or None, instance=procedure)
    if request.method == "POST":
        access.require(permissions.may_decide(access))
        if form.is_valid():
            services.complaint_settings_update(
                access=access, **{f: form.cleaned_data[f] for f in SettingsForm.Meta.fields}
            )
            messages.success(request, _("Settings saved."))
            return redirect("complaints:settings", org_slug=org_slug)
    return render(
        request,
        "complaints/settings.html",
        {
            "form": form,
            "category_form": CategoryForm(),
            "categories": selectors.category_list(
                organisation=access.organisation, active_only=False
            ),
            "may_manage": permissions.may_decide(access),
        },
    )


@require_POST
def category_add(request, org_slug):
    access = request.access
    _client_only(access)
    access.require(permissions.may_decide(access))
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.category_create(access=access, **form.cleaned_data)
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Category added."))
    else:
        messages.error(request, _("Give the category a Dutch and an English name."))
    return redirect("complaints:settings", org_slug=org_slug)


@require_POST
def category_toggle(request, org_slug, pk):
    access = request.access
    _client_only(access)
    access.require(permissions.may_decide(access))
    category = get_object_for(access, Category.objects.all(), pk=pk)
    services.category_toggle(access=access, category=category)
    return redirect("complaints:settings", org_slug=org_slug)
