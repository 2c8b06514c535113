"""Contract pages: list, export, detail, SLA report upload, review and charts."""

import base64
import re
import secrets
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from contracts import selectors, services
from contracts.forms import AppealForm, ContractFilterForm, ReportUploadForm
from contracts.models import Measurement, SLAReport, add_months, month_period
from contracts.permissions import may_manage_contract, may_review_report, may_upload_report
from contracts.templatetags.contracts_tags import num, plain
from contracts.uploads import COLUMNS, DUTCH_HEADINGS, levels_due
from governance.platform.access import get_object_for
from governance.platform.charts import STATE_COLOURS, Cell, Series, heatmap, line_chart
from governance.platform.exports import download
from governance.platform.listing import ListPage
from governance.platform.views import TenantMixin

SESSION_KEY = "contracts_sla_upload"
STATE_TONE = {"met": "good", "near_miss": "warn", "missed": "bad"}


def on_time_chart(rows):
    """Each supplier's monthly on-time reporting rate, one line per supplier."""
    months = [f"{month:%Y-%m}" for month, _rate in rows[0]["trend"]]
    return line_chart(
        x_labels=months,
        series=[
            Series(row["supplier"].name, [rate.percent for _month, rate in row["trend"]])
            for row in rows
        ],
        y_min=0,
        y_max=100,
        unit="%",
        title=_("SLA reports on time per month, per supplier"),
    )


class ContractListView(ListPage):
    """The contract list (filtered, paginated) and its export."""

    template_name = "contracts/contract_list.html"
    context_object_name = "contracts"
    strict_pages = True
    filter_form_class = ContractFilterForm
    export_stem = "contracts"

    def filter_form_kwargs(self):
        return {"suppliers": selectors.supplier_list(access=self.access)}

    def get_rows(self):
        return selectors.contract_list(
            access=self.access,
            search=(self.filters.get("q") or "").strip(),
            status=self.filters.get("status") or "",
            supplier_id=self.filters.get("supplier"),
        )

    def get_context(self, page):
        rows = selectors.supplier_on_time(access=self.access, today=date.today())
        return {
            "may_manage": may_manage_contract(self.access),
            "on_time": rows,
            "on_time_chart": on_time_chart(rows) if any(r["rate"].due for r in rows) else "",
        }

    def export_header(self):
        return [
            _("Reference"),
            _("Title"),
            _("Supplier"),
            _("Status"),
            _("Start date"),
            _("End date"),
            _("Notice period (months)"),
            _("Renewal"),
            _("Next notice deadline"),
        ]

    def export_rows(self, contracts):
        today = date.today()
        return [
            [
                c.reference,
                c.title,
                c.supplier.name,
                c.get_status_display(),
                c.start_date.isoformat() if c.start_date else "",
                (e.isoformat() if (e := c.current_end_date(today)) else ""),
                c.notice_period_months,
                c.get_renewal_display(),
                (d.isoformat() if (d := c.next_notice_deadline(today)) else ""),
            ]
            for c in contracts
        ]


def contract_export(request, org_slug):
    """The (filtered) contract list as CSV or XLSX."""
    return ContractListView(request).download()


def _contract(request, pk):
    return get_object_for(request.access, selectors.contract_list(access=request.access), pk=pk)


def _report(request, pk) -> SLAReport:
    return get_object_for(request.access, selectors.sla_report_list(access=request.access), pk=pk)


class ContractDetailView(TenantMixin, DetailView):
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get_object(self, queryset=None):
        return _contract(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        today = date.today()
        on_time, due = selectors.on_time_rate(contract=contract, today=today)
        delivered_on_time, deliveries_due = selectors.information_delivery_rate(contract=contract)
        codes, months, cells = selectors.attainment_matrix(contract=contract, today=today)
        context.update(
            {
                "services": selectors.services_for_contract(contract=contract),
                "levels": selectors.service_levels_for_contract(contract=contract),
                "expectations": selectors.expectations_for_contract(contract=contract),
                "information_needs": selectors.information_needs_for_contract(contract=contract),
                "timeline": selectors.report_timeline(contract=contract)[:24],
                "on_time": on_time,
                "periods_due": due,
                "on_time_percent": round(100 * on_time / due) if due else None,
                "deliveries_on_time": delivered_on_time,
                "deliveries_due": deliveries_due,
                "next_notice_deadline": contract.next_notice_deadline(today),
                "may_upload": may_upload_report(self.access, contract),
                "may_manage": may_manage_contract(self.access),
                "heatmap": _heatmap(codes, months, cells) if months else "",
                "today": today,
            }
        )
        return context


def _heatmap(codes, months, cells):
    columns = [f"{m:%Y-%m}" for m in months]
    chart_cells = {}
    for code, _name in codes:
        for month, column in zip(months, columns, strict=True):
            measurement = cells.get((code, month))
            if measurement is not None:
                chart_cells[(code, column)] = Cell(
                    text=num(measurement.value),
                    state=STATE_TONE[measurement.state],
                )
    return heatmap(
        rows=[code for code, _name in codes],
        columns=columns,
        cells=chart_cells,
        title=_("Attainment per service level and month"),
        legend=[
            (str(Measurement.State(state).label), STATE_COLOURS[tone])
            for state, tone in STATE_TONE.items()
        ]
        + [(_("no figure"), STATE_COLOURS["none"])],
    )


def report_template(request, org_slug, pk):
    """A report template with the contract's codes due in a month (?period=YYYY-MM, default the
    previous month), as CSV or XLSX."""
    contract = _contract(request, pk)
    try:
        year, month = (int(p) for p in request.GET.get("period", "").split("-")[:2])
        period_start = date(year, month, 1)
    except (TypeError, ValueError):
        period_start = add_months(date.today().replace(day=1), -1)
    period_end = month_period(period_start)[1]
    levels = selectors.service_levels_in_force(
        contract=contract, period_start=period_start, period_end=period_end
    )
    due = levels_due(list(levels), period_start=period_start, period_end=period_end)
    fmt = request.GET.get("format")
    header = [*COLUMNS, "name", "unit", "target"]
    # ?dialect=nl: Dutch headings, and for CSV ";" and decimal commas, as Dutch Excel expects.
    dutch = request.GET.get("dialect") == "nl"
    if dutch:
        header = [DUTCH_HEADINGS[column] for column in header]

    def target(level):
        text = plain(level.target)
        return text.replace(".", ",") if dutch and fmt != "xlsx" else text

    rows = [
        [code, "", "", "", "", level.name, level.unit, target(level)]
        for code, level in sorted(due.items())
    ]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", f"sla-{contract.reference}-{period_start:%Y-%m}")
    return download(fmt, stem, header, rows, delimiter=";" if dutch else ",")


class ReportUploadView(TenantMixin, View):
    """Upload a report: every problem is shown at once (dry run); a clean file waits in the
    session for the user to confirm it."""

    template_name = "contracts/report_upload.html"

    def dispatch(self, request, *args, **kwargs):
        self.contract = _contract(request, kwargs["pk"])
        if not may_upload_report(request.access, self.contract):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, org_slug, pk):
        # A correction comes with its period (?period=YYYY-MM); else last month is due.
        period = request.GET.get("period") or f"{add_months(date.today().replace(day=1), -1):%Y-%m}"
        initial = {"period": period[:7]}
        return self.render(ReportUploadForm(initial=initial))

    def post(self, request, org_slug, pk):
        form = ReportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        period_start = form.cleaned_data["period"]
        result = services.sla_report_upload(
            access=self.access,
            contract=self.contract,
            period_start=period_start,
            content=content,
            name=upload.name,
            content_type=upload.content_type or "",
            dry_run=True,
        )
        token = ""
        if result.ok and result.report is None:
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token,
                "contract": self.contract.pk,
                "period": period_start.isoformat(),
                "name": upload.name,
                "content_type": upload.content_type or "",
                "content": base64.b64encode(content).decode(),
            }
        return self.render(form, result=result, token=token, period_start=period_start)

    def render(self, form, **extra):
        return render(
            self.request,
            self.template_name,
            {"contract": self.contract, "form": form, "columns": COLUMNS, **extra},
        )


def report_upload_confirm(request, org_slug, pk):
    """Store the previewed file (validated again, in one transaction)."""
    if request.method != "POST":
        return redirect("contracts:report_upload", org_slug, pk)
    contract = _contract(request, pk)
    if not may_upload_report(request.access, contract):
        raise PermissionDenied
    pending = request.session.get(SESSION_KEY) or {}
    if pending.get("token") != request.POST.get("token") or pending.get("contract") != contract.pk:
        messages.error(request, _("This preview has expired; upload the file again."))
        return redirect("contracts:report_upload", org_slug, pk)
    result = services.sla_report_upload(
        access=request.access,
        contract=contract,
        period_start=date.fromisoformat(pending["period"]),
        content=base64.b64decode(pending["content"]),
        name=pending["name"],
        content_type=pending["content_type"],
        dry_run=False,
    )
    del request.session[SESSION_KEY]
    if not result.ok:
        messages.error(request, _("The file is no longer valid; see the problems below."))
        return render(
            request,
            "contracts/report_upload.html",
            {
                "contract": contract,
                "form": ReportUploadForm(initial={"period": pending["period"][:7]}),
                "columns": COLUMNS,
                "result": result,
            },
        )
    if result.created:
        messages.success(
            request,
            _("Version %(version)d of the report for %(period)s is stored.")
            % {"version": result.report.version, "period": result.report.period_label},
        )
    else:
        messages.info(request, _("This file was uploaded before; nothing new was stored."))
    return redirect("contracts:report_detail", org_slug, result.report.pk)


class ReportDetailView(TenantMixin, DetailView):
    template_name = "contracts/report_detail.html"
    context_object_name = "report"

    def get_object(self, queryset=None):
        return _report(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        context.update(
            {
                "contract": report.contract,
                "measurements": selectors.report_measurements(report=report),
                "versions": selectors.report_versions(report=report),
                "may_review": may_review_report(self.access) and report.is_current,
                "may_respond": may_upload_report(self.access, report.contract)
                and report.is_current,
                "appeal_form": AppealForm(),
            }
        )
        return context


def report_source(request, org_slug, pk):
    """The file the supplier uploaded, byte for byte."""
    report = get_object_for(
        request.access, selectors.sla_report_list(access=request.access).defer(None), pk=pk
    )
    response = HttpResponse(
        bytes(report.source_file),
        content_type=report.source_content_type or "application/octet-stream",
    )
    name = report.source_name.replace('"', "") or f"report-{report.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _act(request, report, action, **kwargs):
    try:
        action(access=request.access, report=report, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    return True


def _report_action(action, may, done_message):
    """A report's POST action for a user `may(access, report)` allows; a GET goes to the report."""

    def view(request, org_slug, pk):
        if request.method != "POST":
            return redirect("contracts:report_detail", org_slug, pk)
        report = _report(request, pk)
        request.access.require(may(request.access, report))
        if _act(request, report, action):
            messages.success(request, str(done_message))
        return redirect("contracts:report_detail", org_slug, pk)

    return view


report_accept = _report_action(
    services.sla_report_accept,
    lambda access, report: may_review_report(access),
    gettext_lazy("The report is accepted."),
)
report_withdraw = _report_action(
    services.sla_report_withdraw,
    lambda access, report: may_review_report(access),
    gettext_lazy("The appeal is rejected; the report is withdrawn."),
)
report_submit = _report_action(
    services.sla_report_submit,
    lambda access, report: may_upload_report(access, report.contract),
    gettext_lazy("The report is submitted."),
)


def report_dispute(request, org_slug, pk):
    """The client disputes measurements of a submitted report, each with a reason."""
    report = _report(request, pk)
    request.access.require(may_review_report(request.access))
    measurements = list(selectors.report_measurements(report=report))
    error = ""
    reasons = {}
    if request.method == "POST":
        reasons = {m.pk: request.POST.get(f"reason-{m.pk}", "") for m in measurements}
        try:
            services.sla_report_dispute(access=request.access, report=report, reasons=reasons)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request, _("The report is disputed; the supplier is asked to respond.")
            )
            return redirect("contracts:report_detail", org_slug, pk)
    rows = [(m, reasons.get(m.pk, "")) for m in measurements]
    return render(
        request,
        "contracts/report_dispute.html",
        {"report": report, "contract": report.contract, "rows": rows, "error": error},
        status=400 if error else 200,
    )


def report_appeal(request, org_slug, pk):
    """The supplier stands by a disputed report."""
    report = _report(request, pk)
    request.access.require(may_upload_report(request.access, report.contract))
    if request.method != "POST":
        return redirect("contracts:report_detail", org_slug, pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the report stands."))
    elif _act(request, report, services.sla_report_appeal, reason=form.cleaned_data["reason"]):
        messages.success(request, _("Your appeal is sent to the client."))
    return redirect("contracts:report_detail", org_slug, pk)


class LevelChartView(TenantMixin, DetailView):
    """One service level's reported values against its target over time."""

    template_name = "contracts/level_chart.html"
    context_object_name = "level"

    def get_object(self, queryset=None):
        return get_object_for(
            self.access, selectors.service_level_list(access=self.access), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        level = self.object
        history = selectors.level_history(level=level)
        labels = [f"{row['period']:%Y-%m}" for row in history]
        targets = [float(row["target"]) for row in history]
        series = [Series(name=level.name, values=[float(row["value"]) for row in history])]
        if len(set(targets)) > 1:
            series.append(Series(name=_("Target in force"), values=targets))
        context.update(
            {
                "contract": level.contract,
                "history": history,
                "chart": line_chart(
                    x_labels=labels,
                    series=series,
                    target=float(level.target) if len(set(targets)) <= 1 else None,
                    unit=level.unit,
                    title=f"{level.code} · {level.name}",
                )
                if history
                else "",
                "versions": selectors.service_levels_for_contract(contract=level.contract).filter(
                    code=level.code
                ),
            }
        )
        return context
