"""Pages of the meetings app. Every object comes through a selector and get_object_for
(invisible → 404); changes need the predicates in permissions.py (visible but not allowed → 403).
No view renders a PDF: requesting one queues it for a worker."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audits import selectors as audit_selectors
from complaints import selectors as complaint_selectors
from contracts.selectors import contract_list
from governance.platform.access import get_object_for
from governance.platform.concurrency import atomic_post
from governance.platform.forms import apply_errors, saved
from governance.platform.listing import ListPage
from kto import selectors as kto_selectors
from meetings import agenda_order, ical, selectors, services, sources
from meetings.forms import (
    ActionForm,
    ActionStatusForm,
    AttendanceForm,
    ClientPrepForm,
    ItemForm,
    MeetingForm,
    MilestoneForm,
    MinutesForm,
    SeriesForm,
    SIPForm,
    SIPFromFlagForm,
    SIPLinkForm,
    SupplierPrepForm,
)
from meetings.models import MeetingDocument, SIPMilestone, Tier
from meetings.permissions import may_manage, may_prepare_as_supplier, may_see_internal
from meetings.preparation import local_today, series_timeliness


def _series(request, pk):
    return get_object_for(request.access, selectors.series_list(access=request.access), pk=pk)


def _meeting(request, pk):
    return get_object_for(request.access, selectors.meeting_list(access=request.access), pk=pk)


def _item(request, pk):
    return get_object_for(request.access, selectors.item_list(access=request.access), pk=pk)


def _action(request, pk):
    return get_object_for(request.access, selectors.action_list(access=request.access), pk=pk)


def _sip(request, pk):
    return get_object_for(request.access, selectors.sip_list(access=request.access), pk=pk)


def _managed(request, find, pk):
    """The object `find` fetches (404 when the user cannot see it), once the user may manage
    meetings (403)."""
    found = find(request, pk)
    request.access.require(may_manage(request.access))
    return found


def _form_page(request, *, title, form, back):
    return render(request, "meetings/form.html", {"title": title, "form": form, "back": back})


def _flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _flash_form_errors(request, form) -> None:
    """A message per field in error: its label (none for the whole form) and its errors."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        if not label:
            for error in errors:
                messages.error(request, error)
            continue
        messages.error(request, f"{label}: {' '.join(errors)}")


def _submit(request, form, write, done=None) -> None:
    """Run `write` with a valid form's data and say `done`; otherwise flash the form's or the
    service's errors (nothing is stored)."""
    if not form.is_valid():
        _flash_form_errors(request, form)
        return
    try:
        write(**form.cleaned_data)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        if done:
            messages.success(request, done)


# --- series --------------------------------------------------------------------------------


class SeriesList(ListPage):
    """Series (searchable, filterable by tier and contract, paginated) and upcoming meetings."""

    template_name = "meetings/index.html"
    context_object_name = "series_list"

    def get_rows(self):
        return selectors.series_list(
            access=self.access,
            search=self.search,
            tier=self.choice("tier", Tier.values),
            contract_id=self.number("contract"),
        )

    def get_context(self, page):
        access = self.access
        upcoming = selectors.meeting_list(access=access, upcoming=True)
        return {
            "upcoming": upcoming.order_by("starts_at")[:10],
            "tiers": Tier.choices,
            "contracts": contract_list(access=access),
            "tier_filter": self.param("tier"),
            "contract_filter": self.param("contract"),
            "may_manage": may_manage(access),
        }


def index(request, org_slug):
    return SeriesList(request).render()


def _series_save(request, form, series=None):
    try:
        roles = services.parse_roles(form.cleaned_data["roles"])
    except ValidationError as error:
        form.add_error("roles", error.messages)
        return None
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("topics", "roles")}
    if data.get("cadence_months") is None:
        data.pop("cadence_months", None)  # the tier's usual cadence
    topics = form.topic_list()
    try:
        with transaction.atomic():
            if series is None:
                return services.series_create(
                    access=request.access,
                    agenda_template=topics or None,
                    required_roles=roles,
                    **data,
                )
            if topics:
                data["agenda_template"] = topics
            return services.series_update(series=series, roles=roles, **data)
    except ValidationError as error:
        apply_errors(form, error)
    return None


def series_create(request, org_slug):
    access = request.access
    access.require(may_manage(access))
    form = SeriesForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        series = _series_save(request, form)
        if series is not None:
            return redirect("meetings:series_detail", org_slug, series.pk)
    return _form_page(
        request,
        title=_("New meeting series"),
        form=form,
        back=reverse("meetings:index", args=[org_slug]),
    )


@atomic_post
def series_edit(request, org_slug, pk):
    access = request.access
    series = _managed(request, _series, pk)
    form = SeriesForm(request.POST or None, instance=series, access=access)
    if (
        request.method == "POST"
        and form.is_valid()
        and _series_save(request, form, series) is not None
    ):
        return redirect("meetings:series_detail", org_slug, series.pk)
    return _form_page(
        request,
        title=_("Edit %(series)s") % {"series": series.title},
        form=form,
        back=reverse("meetings:series_detail", args=[org_slug, pk]),
    )


def series_detail(request, org_slug, pk):
    access = request.access
    series = _series(request, pk)
    return render(
        request,
        "meetings/series_detail.html",
        {
            "series": series,
            "meetings": selectors.meeting_list(access=access, series=series).order_by("-starts_at"),
            "roles": series.required_roles.all(),
            "open_actions": selectors.action_list(access=access, series=series, open_only=True),
            "may_manage": may_manage(access),
        },
    )


def meeting_create(request, org_slug, pk):
    series = _managed(request, _series, pk)
    form = MeetingForm(request.POST or None)
    meeting = saved(request, form, lambda data: services.meeting_schedule(series=series, **data))
    if meeting is not None:
        return redirect("meetings:meeting_detail", org_slug, meeting.pk)
    return _form_page(
        request,
        title=_("New meeting of %(series)s") % {"series": series.title},
        form=form,
        back=reverse("meetings:series_detail", args=[org_slug, pk]),
    )


# --- meetings ------------------------------------------------------------------------------


def meeting_detail(request, org_slug, pk):
    access = request.access
    meeting = _meeting(request, pk)
    # The meeting and its series were read through the organisation's scope: they are its own,
    # so its time zone needs no query of its own.
    if meeting.organisation_id == meeting.series.organisation_id == access.organisation.pk:
        meeting.organisation = meeting.series.organisation = access.organisation
    items = agenda_order.numbered(selectors.item_list(access=access, meeting=meeting))
    manage = may_manage(access)
    today = local_today(meeting.organisation)
    missing = selectors.missing_preparation(items=items, today=today)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "series": meeting.series,
            "items": items,
            "missing": missing,
            "late_supplier": {r["item"].pk for r in missing if "supplier" in r["late"]},
            "late_client": {r["item"].pk for r in missing if "client" in r["late"]},
            "timeliness": series_timeliness(series=meeting.series, today=today),
            "attendance": list(selectors.attendance_for(meeting=meeting)),
            "absent": selectors.absent_required_roles(meeting=meeting),
            "actions": list(selectors.action_list(access=access, meeting=meeting)),
            "carried": list(selectors.open_actions_before(access=access, meeting=meeting)),
            "documents": selectors.documents_for(access=access, meeting=meeting),
            "may_manage": manage,
            "may_prepare_supplier": may_prepare_as_supplier(access),
            "show_internal": may_see_internal(access),
            "item_form": ItemForm(),
            "attendance_form": AttendanceForm(),
            "action_form": ActionForm(
                meeting=meeting, items=selectors.item_list(access=access, meeting=meeting)
            ),
            "outcomes": MinutesForm.base_fields["outcome"].choices,
            "statuses": ActionStatusForm.base_fields["status"].choices,
        },
    )


@atomic_post
def meeting_edit(request, org_slug, pk):
    meeting = _managed(request, _meeting, pk)
    form = MeetingForm(request.POST or None, instance=meeting)

    def update(data):
        # The form has already put its values on the instance; reload before the service.
        meeting.refresh_from_db()
        return services.meeting_update(meeting=meeting, **data)

    if saved(request, form, update):
        return redirect("meetings:meeting_detail", org_slug, pk)
    return _form_page(
        request,
        title=_("Edit meeting"),
        form=form,
        back=reverse("meetings:meeting_detail", args=[org_slug, pk]),
    )


def _meeting_action(action, done_message):
    """A POST-only view that runs `action(meeting, access)` for a manager and says it is done."""

    @require_POST
    def view(request, org_slug, pk):
        access = request.access
        meeting = _managed(request, _meeting, pk)
        try:
            action(meeting, access)
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, str(done_message))
        return redirect("meetings:meeting_detail", org_slug, pk)

    return view


meeting_generate = _meeting_action(
    lambda meeting, access: services.agenda_generate(meeting=meeting),
    gettext_lazy("The agenda was filled from the data."),
)
meeting_publish = _meeting_action(
    lambda meeting, access: services.agenda_publish(meeting=meeting),
    gettext_lazy("The agenda was published and the attendees invited."),
)
meeting_held = _meeting_action(
    lambda meeting, access: services.meeting_mark_held(meeting=meeting),
    gettext_lazy("The meeting is marked as held; record the minutes."),
)
minutes_approve = _meeting_action(
    lambda meeting, access: services.minutes_approve(meeting=meeting, access=access),
    gettext_lazy("The minutes were approved."),
)


def meeting_ics(request, org_slug, pk):
    """The meeting as an iCalendar event, with the agenda titles the user may see."""
    access = request.access
    meeting = _meeting(request, pk)
    titles = [i.display_title for i in selectors.item_list(access=access, meeting=meeting)]
    url = request.build_absolute_uri(reverse("meetings:meeting_detail", args=[org_slug, pk]))
    body = ical.meeting_calendar(
        [meeting], descriptions={meeting.pk: "\n".join(titles)}, urls={meeting.pk: url}
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def series_ics(request, org_slug, pk):
    """Every meeting of the series as one iCalendar file (to import or subscribe to), with
    the agenda titles the user may see; cancelled meetings stay in it as cancelled events."""
    access = request.access
    series = _series(request, pk)
    meetings = list(selectors.meeting_list(access=access, series=series).order_by("starts_at"))
    titles: dict[int, list[str]] = {}
    for item in selectors.item_list(access=access).filter(meeting__in=meetings):
        titles.setdefault(item.meeting_id, []).append(item.display_title)
    body = ical.meeting_calendar(
        meetings,
        descriptions={m.pk: "\n".join(titles.get(m.pk, [])) for m in meetings},
        urls={
            m.pk: request.build_absolute_uri(
                reverse("meetings:meeting_detail", args=[org_slug, m.pk])
            )
            for m in meetings
        },
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="series-{series.pk}.ics"'
    return response


@require_POST
def item_add(request, org_slug, pk):
    meeting = _managed(request, _meeting, pk)
    form = ItemForm(request.POST)
    _submit(request, form, lambda **data: services.agenda_item_add(meeting=meeting, **data))
    return redirect("meetings:meeting_detail", org_slug, pk)


@require_POST
def attendance_add(request, org_slug, pk):
    meeting = _managed(request, _meeting, pk)
    form = AttendanceForm(request.POST)
    _submit(request, form, lambda **data: services.attendance_add(meeting=meeting, **data))
    return redirect("meetings:meeting_detail", org_slug, pk)


@require_POST
def attendance_record(request, org_slug, pk):
    meeting = _managed(request, _meeting, pk)
    attended = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
    services.attendance_record(meeting=meeting, attended_ids=attended)
    return redirect("meetings:meeting_detail", org_slug, pk)


@require_POST
def action_create(request, org_slug, pk):
    access = request.access
    meeting = _managed(request, _meeting, pk)
    form = ActionForm(
        request.POST, meeting=meeting, items=selectors.item_list(access=access, meeting=meeting)
    )
    _submit(
        request,
        form,
        lambda **data: services.action_create(meeting=meeting, **data),
        _("The action was recorded."),
    )
    return redirect("meetings:meeting_detail", org_slug, pk)


@require_POST
def item_prepare(request, org_slug, pk):
    """The supplier delivers its results; the client its impact analysis and own notes."""
    access = request.access
    item = _item(request, pk)
    if may_prepare_as_supplier(access):
        form = SupplierPrepForm(request.POST)
    elif may_manage(access):
        form = ClientPrepForm(request.POST)
    else:
        raise PermissionDenied
    _submit(
        request,
        form,
        lambda **data: services.item_prepare(item=item, access=access, **data),
        _("The preparation was saved."),
    )
    return redirect(
        reverse("meetings:meeting_detail", args=[org_slug, item.meeting_id]) + f"#item-{item.pk}"
    )


@require_POST
@atomic_post
def item_record(request, org_slug, pk):
    item = _managed(request, _item, pk)
    form = MinutesForm(request.POST, record=item)
    _submit(request, form, lambda **data: services.item_record(item=item, **data))
    return redirect(
        reverse("meetings:meeting_detail", args=[org_slug, item.meeting_id]) + f"#item-{item.pk}"
    )


@require_POST
def action_status(request, org_slug, pk):
    """Managers change any action; a supplier's user the actions its own side owns."""
    access = request.access
    action = _action(request, pk)
    access.require(may_manage(access) or (access.is_supplier and action.supplier_owns))
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_set_status(action=action, status=form.cleaned_data["status"])
    return redirect(
        reverse("meetings:meeting_detail", args=[org_slug, action.meeting_id])
        + f"#action-{action.pk}"
    )


@require_POST
def document_request(request, org_slug, pk):
    access = request.access
    meeting = _meeting(request, pk)
    kind = request.POST.get("kind", "")
    if kind not in MeetingDocument.Kind.values:
        messages.error(request, _("Choose the agenda pack or the minutes."))
        return redirect("meetings:meeting_detail", org_slug, pk)
    try:
        services.document_request(meeting=meeting, kind=kind, access=access)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.info(request, _("The PDF is being prepared; reload this page in a moment."))
    return redirect("meetings:meeting_detail", org_slug, pk)


def document_download(request, org_slug, pk):
    """A rendered PDF of the user's own audience (the supplier never gets the client's copy)."""
    access = request.access
    document = get_object_for(
        access,
        MeetingDocument.objects.filter(
            meeting__in=selectors.meeting_list(access=access),
            status=MeetingDocument.Status.READY,
            audience="supplier" if access.is_supplier else "client",
        ),
        pk=pk,
    )
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    name = f"{document.kind}-{document.meeting.starts_at:%Y%m%d}-{document.meeting_id}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- SIPs ----------------------------------------------------------------------------------


class SIPList(ListPage):
    template_name = "meetings/sip_list.html"
    export_stem = "improvement-programmes"

    def get_rows(self):
        return selectors.sip_list(
            access=self.access, status=self.param("status"), search=self.search
        )

    def get_context(self, page):
        # Progress of the whole page at once, not one SIP at a time.
        progress = selectors.sip_progress_for(sips=page.object_list, access=self.access)
        return {
            "rows": [(sip, progress[sip.pk]) for sip in page.object_list],
            "statuses": selectors.SIP.Status.choices,
            "status_filter": self.param("status"),
            "may_manage": may_manage(self.access),
        }

    def export_header(self):
        return [
            _("Programme"),
            _("Contract"),
            _("Client owner"),
            _("Supplier owner"),
            _("SLA baseline"),
            _("SLA current"),
            _("SLA target"),
            _("Perception baseline"),
            _("Perception current"),
            _("Perception target"),
            _("Status"),
        ]

    def export_rows(self, rows):
        sips = list(rows)
        progress = selectors.sip_progress_for(sips=sips, access=self.access)
        return [
            [
                sip.title,
                sip.contract.reference,
                sip.client_owner.get_full_name() or sip.client_owner.email,
                sip.supplier_owner.get_full_name() or sip.supplier_owner.email,
                *(
                    value
                    for track in progress[sip.pk].tracks
                    for value in (track.baseline, track.current, track.target)
                ),
                sip.get_status_display(),
            ]
            for sip in sips
        ]


def sip_list(request, org_slug):
    return SIPList(request).render()


def sip_export(request, org_slug):
    return SIPList(request).download()


def _sip_form(request, org_slug, sip=None):
    access = request.access
    access.require(may_manage(access))
    form = SIPForm(request.POST or None, instance=sip, access=access)
    if sip is None:
        stored = saved(request, form, lambda data: services.sip_create(access=access, **data))
    else:
        stored = saved(request, form, lambda data: services.sip_update(sip=sip, **data))
    if stored is not None:
        return redirect("meetings:sip_detail", org_slug, stored.pk)
    back = reverse("meetings:sip_list", args=[org_slug])
    title = _("New Service Improvement Programme") if sip is None else sip.title
    return _form_page(request, title=title, form=form, back=back)


def sip_create(request, org_slug):
    return _sip_form(request, org_slug)


@atomic_post
def sip_edit(request, org_slug, pk):
    return _sip_form(request, org_slug, _sip(request, pk))


def _link_candidates(access, sip) -> list[tuple[str, str, str, str]]:
    """Data of the SIP's contract it can answer to: its findings, complaints and gap flags."""
    candidates = []
    slug = access.organisation.slug
    for f in audit_selectors.finding_list(access=access, contract_id=sip.contract_id)[:50]:
        candidates.append(
            (
                f"finding:{f.pk}",
                "finding",
                f.title,
                sources.link_to(slug, "audits:finding_detail", f.pk),
            )
        )
    complaints = complaint_selectors.complaint_list(access=access)
    for c in complaints.filter(service__contract_id=sip.contract_id)[:50]:
        candidates.append(
            (
                f"complaint:{c.pk}",
                "complaint",
                f"{c.reference} {c.service.name if c.service_id else ''}".strip(),
                sources.link_to(slug, "complaints:complaint_detail", c.pk),
            )
        )
    for flag in kto_selectors.gap_flag_list(access=access, contract_id=sip.contract_id)[:50]:
        candidates.append(
            (
                f"gap_flag:{flag.pk}",
                "gap_flag",
                f"{flag.get_flag_display()} · {flag.get_dimension_display()} "
                f"{flag.period_start:%Y-%m}",
                sources.link_to(slug, "kto_gap:flag", flag.pk),
            )
        )
    return candidates


def sip_detail(request, org_slug, pk):
    access = request.access
    sip = _sip(request, pk)
    progress = selectors.sip_progress(sip=sip, access=access)
    from governance.platform.charts import Series, line_chart

    charts = []
    for label, track in (
        (sip.service_level.name, progress.sla),
        (sip.get_dimension_display(), progress.perception),
    ):
        if track.points:
            charts.append(
                line_chart(
                    x_labels=[_("baseline")] + [f"{p:%Y-%m}" for p, _v in track.points],
                    series=[
                        Series(
                            name=str(label), values=[track.baseline] + [v for _p, v in track.points]
                        )
                    ],
                    target=track.target,
                    title=str(label),
                )
            )
    manage = may_manage(access)
    return render(
        request,
        "meetings/sip_detail.html",
        {
            "sip": sip,
            "progress": progress,
            "charts": charts,
            "milestones": sip.milestones.all(),
            "links": sip.links.all(),
            "may_manage": manage,
            "milestone_form": MilestoneForm(),
            "link_form": SIPLinkForm(candidates=_link_candidates(access, sip)) if manage else None,
        },
    )


@require_POST
def milestone_add(request, org_slug, pk):
    sip = _managed(request, _sip, pk)
    form = MilestoneForm(request.POST)
    _submit(request, form, lambda **data: services.milestone_add(sip=sip, **data))
    return redirect("meetings:sip_detail", org_slug, pk)


@require_POST
def milestone_toggle(request, org_slug, pk):
    access = request.access
    milestone = get_object_for(
        access,
        SIPMilestone.objects.filter(sip__in=selectors.sip_list(access=access)),
        pk=pk,
    )
    access.require(may_manage(access))
    services.milestone_toggle(milestone=milestone)
    return redirect("meetings:sip_detail", org_slug, milestone.sip_id)


@require_POST
def sip_link_add(request, org_slug, pk):
    access = request.access
    sip = _managed(request, _sip, pk)
    form = SIPLinkForm(request.POST, candidates=_link_candidates(access, sip))
    if form.is_valid():
        kind, label, link = form.candidates[form.cleaned_data["target"]]
        services.sip_link_add(sip=sip, kind=kind, label=label, link=link)
    else:
        messages.error(request, _("Choose data of the programme's contract."))
    return redirect("meetings:sip_detail", org_slug, pk)


# --- acting from a gap flag ----------------------------------------------------------------
# Buttons on the gap flag's page (kto) post here: kto may not import meetings, so the flag page
# learns what was done through governance.platform.follow_ups (registered in apps.py).


def _gap_flag(request, pk):
    """A flag the user may see (404 otherwise) that a contract manager acts on (403 otherwise)."""
    access = request.access
    flag = get_object_for(access, kto_selectors.gap_flag_list(access=access), pk=pk)
    access.require(may_manage(access))
    return flag


@require_POST
def gap_flag_agenda(request, org_slug, pk):
    """Put the flag on the next tactical meeting of its contract; back to the flag, which then
    says on which agenda it is (or, without an upcoming tactical meeting, why it is not)."""
    flag = _gap_flag(request, pk)
    try:
        item = services.agenda_item_from_gap_flag(access=request.access, flag_id=flag.pk)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(
            request,
            _("The flag is on the agenda of %(meeting)s, %(date)s.")
            % {
                "meeting": item.meeting.series.title,
                "date": selectors.meeting_day(access=request.access, meeting=item.meeting),
            },
        )
    return redirect("kto_gap:flag", org_slug, flag.pk)


def gap_flag_sip(request, org_slug, pk):
    """Start a SIP from the flag: the SIP form filled in with the flag's metric, dimension and
    figures (the user as the client's owner); saved, the SIP links to the flag."""
    access = request.access
    flag = _gap_flag(request, pk)
    proposed = selectors.sip_initial_from_gap_flag(access=access, flag=flag)
    initial = proposed["initial"] | {"client_owner": request.user}
    form = SIPFromFlagForm(
        request.POST or None, access=access, flag=flag, levels=proposed["levels"], initial=initial
    )
    suppliers = list(form.fields["supplier_owner"].queryset[:2])
    if len(suppliers) == 1:  # the contract's supplier has one user: that is its owner
        form.initial.setdefault("supplier_owner", suppliers[0])
    sip = saved(
        request,
        form,
        lambda data: services.sip_create_from_gap_flag(access=access, flag_id=flag.pk, **data),
    )
    if sip is not None:
        messages.success(request, _("SIP %(title)s started.") % {"title": sip.title})
        return redirect("meetings:sip_detail", org_slug, sip.pk)
    return _form_page(
        request,
        title=_("Start a SIP: %(flag)s on %(dimension)s, %(contract)s")
        % {
            "flag": flag.get_flag_display(),
            "dimension": flag.get_dimension_display(),
            "contract": flag.contract.reference,
        },
        form=form,
        back=reverse("kto_gap:flag", args=[org_slug, flag.pk]),
    )
