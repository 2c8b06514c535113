"""Pages of the gap analysis: the matrix, a contract's history, a flag, the runs, and the
settings (thresholds and the digest schedule)."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import selectors as contract_selectors
from governance.platform.access import get_object_for
from governance.platform.dimensions import Dimension
from governance.platform.exports import download
from governance.platform.follow_ups import gap_flag_follow_ups
from governance.platform.forms import apply_errors, parse_month
from kto.gaps.badges import FlagBadges
from kto.gaps.digest import gap_digest_preview, gap_digest_test_request
from kto.gaps.engine import DEFAULT_DELTA, DEFAULT_K, latest_closed_period
from kto.gaps.forms import (
    GapDigestScheduleForm,
    GapFlagCommentForm,
    GapSettingsForm,
    GapThresholdForm,
)
from kto.gaps.models import GapAnalysisRun
from kto.gaps.report import contract_gap_context, period_label
from kto.gaps.rules import Flag
from kto.gaps.selectors import (
    default_gap_period,
    gap_digest_schedule_for,
    gap_flag_comment_list,
    gap_flag_list,
    gap_matrix,
    gap_periods,
    gap_report_latest,
    gap_run_list,
    gap_settings_for,
    gap_threshold_list,
    thresholds_in_force,
)
from kto.gaps.services import (
    gap_digest_schedule_update,
    gap_flag_comment_add,
    gap_run_create,
    gap_settings_update,
    gap_threshold_delete,
    gap_threshold_set,
)
from kto.models import SurveyKind
from kto.selectors import survey_list


def _client_only(access) -> None:
    # Runs and reports span every contract of the organisation: not for a supplier's eyes.
    if not access.is_client or not access.may("client.read"):
        raise Http404


def _chosen_period(request, periods: list[date], default: date | None) -> date | None:
    chosen = parse_month(request.GET.get("period", ""))
    return chosen if chosen in periods else default


def _matrix(request) -> tuple[list[date], date | None, str, list[dict]]:
    """The periods to choose from, the chosen period and flag filter, and the matrix's rows."""
    access = request.access
    periods = gap_periods(access=access)
    period = _chosen_period(request, periods, default_gap_period(access=access))
    flag = request.GET.get("flag", "")
    if flag not in Flag.values:
        flag = ""
    rows = gap_matrix(access=access, period_start=period, flag=flag) if period else []
    return periods, period, flag, rows


def gap_matrix_view(request, org_slug):
    periods, period, flag, rows = _matrix(request)
    # Each cell's badge is written once here (an included template per cell cost most of the
    # page's time); the links to the contracts likewise.
    badge = FlagBadges(org_slug)
    contract_url = reverse("kto_gap:contract", args=[org_slug, 0]).removesuffix("0/")
    for row in rows:
        row["badges"] = [badge(cell) for cell in row["cells"]]
        row["url"] = f"{contract_url}{row['contract'].pk}/"
    return render(
        request,
        "kto/gap/matrix.html",
        {
            "rows": rows,
            "dimensions": Dimension.choices,
            "periods": [(p, period_label(p)) for p in periods],
            "period": period,
            "flag": flag,
            "flags": Flag.choices,
            "default_period": latest_closed_period(timezone.localdate())[0],
        },
    )


def gap_matrix_export(request, org_slug):
    """The matrix's cells as rows, one per contract and dimension, for the same period and
    filter; a perception mean only where the group reached the anonymity floor."""
    _periods, period, _flag, rows = _matrix(request)
    labels = dict(Dimension.choices)
    header = [
        _("Period"),
        _("Contract"),
        _("Supplier"),
        _("Dimension"),
        _("Flag"),
        _("Confirmed"),
        _("SLA"),
        _("SLA attainment (%)"),
        _("Perception"),
        _("Respondents"),
        _("Mean"),
        _("95% CI low"),
        _("95% CI high"),
        _("Target"),
        _("Complaints"),
    ]
    lines = []
    for row in rows:
        contract = row["contract"]
        for dimension, cell in zip(Dimension.values, row["cells"], strict=True):
            line = [f"{period:%Y-%m}", contract.reference, contract.supplier.name]
            line.append(labels[dimension])
            if cell is None:
                lines.append(line + [""] * (len(header) - len(line)))
                continue
            shown = cell.n >= cell.k and cell.mean is not None
            lines.append(
                line
                + [
                    cell.get_flag_display(),
                    _("yes") if cell.confirmed else _("no"),
                    cell.get_sla_state_display(),
                    cell.sla_attainment,
                    cell.get_perception_state_display(),
                    cell.n,
                    cell.mean if shown else None,
                    cell.ci_low if shown else None,
                    cell.ci_high if shown else None,
                    cell.target,
                    cell.complaints,
                ]
            )
    return download(request.GET.get("format"), "gap-matrix", header, lines)


def gap_contract_view(request, org_slug, pk):
    access = request.access
    contract = get_object_for(access, contract_selectors.contract_list(access=access), pk=pk)
    context = contract_gap_context(access=access, contract=contract)
    return render(request, "kto/gap/contract.html", context)


def gap_flag_view(request, org_slug, pk):
    access = request.access
    flag = get_object_for(access, gap_flag_list(access=access), pk=pk)
    reason = flag.reason_nl if get_language() == "nl" else flag.reason_en
    levels = [
        level | {"margin_pct": None if level["margin"] is None else level["margin"] * 100}
        for level in flag.levels
    ]
    # The figures behind the flag: the SLA report of the month and the surveys covering it.
    report = (
        contract_selectors.sla_report_list(access=access)
        .filter(contract=flag.contract, period_start=flag.period_start, is_current=True)
        .first()
    )
    surveys = (
        survey_list(access=access)
        .filter(
            contracts=flag.contract,
            period_start__lte=flag.period_end,
            period_end__gte=flag.period_start,
            launched_on__isnull=False,
        )
        .exclude(kind=SurveyKind.VERDICT)  # not part of the perception, as in the engine
    )
    return render(
        request,
        "kto/gap/flag.html",
        {
            "flag": flag,
            "reason": reason,
            "levels": levels,
            "report": report,
            "surveys": surveys if access.is_client else [],
            # What other apps did about the flag (meetings: agendas, SIPs), as they register it.
            "follow_ups": gap_flag_follow_ups(access=access, flag_ids=[flag.pk]).get(flag.pk, []),
            "comments": gap_flag_comment_list(access=access, flag=flag),
            "show_comments": access.is_client,
            "may_act": access.is_client and access.may("gaps.manage"),
            "comment_form": GapFlagCommentForm(),
        },
    )


@require_POST
def gap_flag_comment_add_view(request, org_slug, pk):
    """A contract manager comments on a flag. The comments are the client's own: a supplier's
    user gets a 404, as for anything it may not see."""
    access = request.access
    _client_only(access)
    flag = get_object_for(access, gap_flag_list(access=access), pk=pk)
    access.require(access.may("gaps.manage"))
    form = GapFlagCommentForm(request.POST)
    if form.is_valid():
        try:
            gap_flag_comment_add(access=access, flag=flag, text=form.cleaned_data["text"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your comment was added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("kto_gap:flag", args=[org_slug, flag.pk]) + "#comments")


def gap_run_list_view(request, org_slug):
    access = request.access
    _client_only(access)
    return render(request, "kto/gap/runs.html", {"runs": gap_run_list(access=access)[:50]})


@require_POST
def gap_run_start_view(request, org_slug):
    access = request.access
    _client_only(access)
    if not access.may("gaps.manage"):
        raise PermissionDenied
    period = parse_month(request.POST.get("period", ""))
    if period is None:
        messages.error(request, _("Month to analyse: choose a month (YYYY-MM)."))
        return redirect("kto_gap:matrix", org_slug=org_slug)
    run = gap_run_create(
        organisation=access.organisation,
        period_start=period,
        trigger=GapAnalysisRun.Trigger.MANUAL,
        user=request.user,
    )
    messages.success(request, _("The gap analysis has been queued."))
    return redirect("kto_gap:run_detail", org_slug=org_slug, pk=run.pk)


def _run(access, pk) -> GapAnalysisRun:
    _client_only(access)
    return get_object_for(access, gap_run_list(access=access), pk=pk)


def gap_run_detail_view(request, org_slug, pk):
    run = _run(request.access, pk)
    report = gap_report_latest(access=request.access, run=run)
    return render(request, "kto/gap/run_detail.html", {"run": run, "report": report})


def gap_run_status_view(request, org_slug, pk):
    """The progress fragment the run page polls with htmx until the run is done."""
    run = _run(request.access, pk)
    report = gap_report_latest(access=request.access, run=run)
    return render(request, "kto/gap/run_status.html", {"run": run, "report": report})


def gap_report_download_view(request, org_slug, pk):
    run = _run(request.access, pk)
    report = gap_report_latest(access=request.access, run=run)
    if report is None:
        raise Http404
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    filename = f"regie-gaps-{run.organisation.slug}-{run.last_month:%Y-%m}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- settings: thresholds and the digest schedule ---------------------------------------------
# The organisation's own settings: its members read them, contract managers change them, a
# supplier's user never sees them (404).


def _settings_page(request, *, threshold_form=None, digest_form=None, amber_form=None, status=200):
    access = request.access
    thresholds = list(gap_threshold_list(access=access))
    return render(
        request,
        "kto/gap/settings.html",
        {
            "in_force": thresholds_in_force(access=access, thresholds=thresholds),
            "thresholds": thresholds,
            "threshold_form": threshold_form or GapThresholdForm(access=access),
            "digest_form": digest_form
            or GapDigestScheduleForm(instance=gap_digest_schedule_for(access=access)),
            "amber_form": amber_form or GapSettingsForm(instance=gap_settings_for(access=access)),
            "may_manage": access.may("gaps.manage"),
            "default_delta": DEFAULT_DELTA,
            "default_k": DEFAULT_K,
        },
        status=status,
    )


def gap_settings_view(request, org_slug):
    """The thresholds in force and set, and the digest schedule (saved by POST here)."""
    access = request.access
    _client_only(access)
    if request.method != "POST":
        return _settings_page(request)
    access.require(access.may("gaps.manage"))
    form = GapDigestScheduleForm(request.POST, instance=gap_digest_schedule_for(access=access))
    if form.is_valid():
        try:
            gap_digest_schedule_update(
                access=access, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Digest settings saved."))
            return redirect("kto_gap:settings", org_slug=org_slug)
    return _settings_page(request, digest_form=form, status=400)


@require_POST
def gap_amber_margin_view(request, org_slug):
    """Save the organisation's amber margin (the SLA side of the gap rule)."""
    access = request.access
    _client_only(access)
    access.require(access.may("gaps.manage"))
    form = GapSettingsForm(request.POST, instance=gap_settings_for(access=access))
    if form.is_valid():
        try:
            gap_settings_update(access=access, amber_margin=form.cleaned_data["amber_margin"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Amber margin saved. Months already analysed are analysed again.")
            )
            return redirect("kto_gap:settings", org_slug=org_slug)
    return _settings_page(request, amber_form=form, status=400)


@require_POST
def gap_threshold_add_view(request, org_slug):
    access = request.access
    _client_only(access)
    access.require(access.may("gaps.manage"))
    form = GapThresholdForm(request.POST, access=access)
    if form.is_valid():
        try:
            gap_threshold_set(access=access, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Threshold saved. Months already analysed are analysed again.")
            )
            return redirect("kto_gap:settings", org_slug=org_slug)
    return _settings_page(request, threshold_form=form, status=400)


def _threshold(access, pk):
    _client_only(access)
    return get_object_for(access, gap_threshold_list(access=access), pk=pk)


def gap_threshold_edit_view(request, org_slug, pk):
    access = request.access
    threshold = _threshold(access, pk)
    access.require(access.may("gaps.manage"))
    scope = threshold.scope_label  # as stored: binding the form changes the instance
    form = GapThresholdForm(request.POST or None, access=access, instance=threshold)
    if request.method == "POST":
        if form.is_valid():
            try:
                gap_threshold_set(access=access, threshold=threshold, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("Threshold saved. Months already analysed are analysed again.")
                )
                return redirect("kto_gap:settings", org_slug=org_slug)
        status = 400
    else:
        status = 200
    return render(
        request,
        "kto/gap/threshold_edit.html",
        {"form": form, "scope": scope},
        status=status,
    )


@require_POST
def gap_threshold_delete_view(request, org_slug, pk):
    access = request.access
    threshold = _threshold(access, pk)
    access.require(access.may("gaps.manage"))
    gap_threshold_delete(access=access, threshold=threshold)
    messages.success(request, _("Threshold removed. Months already analysed are analysed again."))
    return redirect("kto_gap:settings", org_slug=org_slug)


# --- the digest: a preview and a test to oneself (contract managers only) ----------------------


def gap_digest_preview_view(request, org_slug):
    """The digest the managers would get for the latest closed month, in the page; nothing is
    sent."""
    access = request.access
    _client_only(access)
    access.require(access.may("gaps.manage"))
    preview = gap_digest_preview(access=access)
    return render(
        request,
        "kto/gap/digest_preview.html",
        {
            "preview": preview,
            "digest": preview.message.content,
            "language_name": dict(settings.LANGUAGES)[preview.message.language],
        },
    )


@require_POST
def gap_digest_test_view(request, org_slug):
    """Queue one test digest to the requesting manager alone."""
    access = request.access
    _client_only(access)
    access.require(access.may("gaps.manage"))
    try:
        email = gap_digest_test_request(access=access, user=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("A test digest is on its way to %(email)s.") % {"email": email})
    return redirect("kto_gap:digest_preview", org_slug=org_slug)
