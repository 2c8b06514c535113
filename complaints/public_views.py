"""The pages end users reach without an account: the complaint form (/k/<org>/), the private
tracking page (/k/t/<token>/) with the verdict, and the open register when published.

There is no tenant in the middleware's sense here, so each view resolves the organisation
itself and enters its scope explicitly; the templates show public fields only.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from complaints import antiabuse, privacy, selectors, services
from complaints.forms import ComplaintForm, VerdictForm
from complaints.models import HANDLED_STATUSES, ComplaintSettings
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation

RATE_LIMITED_MESSAGE = gettext_lazy(
    "Many complaints have reached us from your connection or for this organisation in the last "
    "hour, so we cannot take this one right now. What you typed is still here: please try again "
    "in a while. Nothing of this attempt has been stored."
)


TOO_FAST_MESSAGE = gettext_lazy(
    "Your complaint has not been sent yet: it came back sooner than we expect from a person "
    "filling in the form. What you typed is still here; please check it and send it again "
    "(attachments need to be chosen again)."
)


def _organisation(org_slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=org_slug).first()
    if organisation is None:
        raise Http404
    return organisation


def _language() -> str:
    return "en" if (translation.get_language() or "nl").startswith("en") else "nl"


@never_cache
@csrf_protect
def complaint_form(request, org_slug):
    """The public complaint form. A filled honeypot gets a quiet "thank you" and nothing is
    stored; a form sent back too fast is shown again with its input and a request to resend."""
    organisation = _organisation(org_slug)
    with tenant_scope(system_access(organisation)):
        procedure = selectors.settings_for(organisation=organisation)
        context = {"public_organisation": organisation, "procedure": procedure}
        if not procedure.intake_open:
            return render(request, "complaints/public/closed.html", context)
        if request.method != "POST":
            # A post comes from this page, which has prepared the categories already.
            services.complaint_intake_prepare(organisation=organisation)
            form = ComplaintForm(organisation=organisation)
            return render(request, "complaints/public/form.html", {**context, "form": form})
        if antiabuse.honeypot_filled(request.POST):
            return render(request, "complaints/public/discarded.html", context)
        started = request.POST.get(antiabuse.STARTED_FIELD, "")
        if antiabuse.filled_too_fast(started):
            # A person who is quick (or whose browser refilled the form) must not be told the
            # complaint arrived: keep the input, store nothing, ask to send it again.
            data = request.POST.copy()
            data[antiabuse.STARTED_FIELD] = antiabuse.retry_token(started)
            form = ComplaintForm(data, organisation=organisation)
            form.is_valid()
            form.add_error(None, TOO_FAST_MESSAGE)
            return render(request, "complaints/public/form.html", {**context, "form": form})
        form = ComplaintForm(request.POST, request.FILES, organisation=organisation)
        if form.is_valid():
            # Only stored complaints count: the place is taken now and given back below when
            # the complaint is not registered after all.
            reservation = antiabuse.reserve_submission(
                request=request, organisation_id=organisation.pk
            )
            if reservation is None:
                form.add_error(None, RATE_LIMITED_MESSAGE)
                return render(
                    request, "complaints/public/form.html", {**context, "form": form}, status=429
                )
            data = form.cleaned_data
            try:
                complaint = services.complaint_register(
                    organisation=organisation,
                    service=data["service"],
                    category=data["category"],
                    description=data["description"],
                    occurred_at=data["occurred_at"],
                    channel=data["channel"],
                    impact=data["impact"],
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    consent_to_contact=data["consent_to_contact"],
                    attachments=data["attachments"],
                    language=_language(),
                    base_url=request.build_absolute_uri("/"),
                    procedure=procedure,
                )
            except ValidationError as error:
                reservation.release()
                _add_errors(form, error)
            except BaseException:
                reservation.release()
                raise
            else:
                path = reverse("complaints_public:track", kwargs={"token": complaint.token})
                return HttpResponseRedirect(path + "?new=1")
        return render(request, "complaints/public/form.html", {**context, "form": form})


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


@contextmanager
def _tracked(token: str):
    """The organisation and complaint of a tracking token (404 when there is none), used
    inside that organisation's scope."""
    organisation = selectors.organisation_for_token(token=token)
    if organisation is None:
        raise Http404
    with tenant_scope(system_access(organisation)):
        complaint = selectors.complaint_for_token(organisation=organisation, token=token)
        if complaint is None:
            raise Http404
        yield organisation, complaint


@never_cache
@csrf_protect
def track(request, token):
    """The complainant's private page: status, timeline, messages, and the verdict."""
    with _tracked(token) as (organisation, complaint):
        verdict = getattr(complaint, "verdict", None)
        may_judge = verdict is None and complaint.status in HANDLED_STATUSES
        form = VerdictForm(request.POST or None) if may_judge else None
        if request.method == "POST":
            if form is None:
                raise Http404
            if form.is_valid():
                try:
                    services.verdict_submit(complaint=complaint, **form.cleaned_data)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    return redirect(request.path + "?thanks=1")
        response = render(
            request,
            "complaints/public/track.html",
            {
                "public_organisation": organisation,
                "complaint": complaint,
                "category": complaint.category.label(_language()),
                "timeline": selectors.public_timeline(complaint=complaint),
                "verdict": verdict,
                "form": form,
                "is_new": request.GET.get("new") == "1",
                "thanks": request.GET.get("thanks") == "1",
            },
        )
    # The token is the key to this page: never let it leak to another site through a Referer
    # header. ("no-referrer" would also make browsers send "Origin: null" with the verdict form,
    # which the CSRF check rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@csrf_protect
def track_erase(request, token):
    """The complainant erases its own personal data: a confirmation page, then (POST) the
    erasure. Afterwards the tracking link no longer opens anything."""
    with _tracked(token) as (organisation, complaint):
        context = {"public_organisation": organisation, "complaint": complaint}
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            privacy.complainant_erase(complaint=complaint)
            response = render(request, "complaints/public/erased.html", context)
        else:
            response = render(request, "complaints/public/erase_confirm.html", context)
    response["Referrer-Policy"] = "same-origin"
    return response


def _published(organisation) -> ComplaintSettings:
    procedure = selectors.settings_for(organisation=organisation)
    if not procedure.register_public:
        raise Http404
    return procedure


@never_cache
def register_page(request, org_slug):
    """The open register of handled complaints: aggregated, k-suppressed, no personal data; with
    the quarterly PDFs (the latest one is asked for when it does not exist yet)."""
    organisation = _organisation(org_slug)
    with tenant_scope(system_access(organisation)):
        _published(organisation)
        start, end = selectors.register_period(selectors.local_today(organisation))
        figures = selectors.register(organisation=organisation, period_start=start, period_end=end)
        quarters = selectors.register_report_quarters(organisation=organisation)[:4]
        services.register_report_request(
            organisation=organisation, quarter=quarters[0], language=_language()
        )
        reports = selectors.register_reports(
            organisation=organisation, quarters=quarters, language=_language()
        )
        return render(
            request,
            "complaints/public/register.html",
            {
                "public_organisation": organisation,
                "register": figures,
                "rows": figures.rows,
                "quarters": [(quarter, reports.get(quarter)) for quarter in quarters],
            },
        )


def _report_or_404(organisation, quarter: str):
    if quarter not in selectors.register_report_quarters(organisation=organisation):
        raise Http404
    return selectors.register_reports(
        organisation=organisation, quarters=[quarter], language=_language()
    ).get(quarter)


@never_cache
def register_pdf(request, org_slug, quarter):
    """The register of one closed quarter as PDF, when it has been rendered; otherwise it is
    asked for and a page says it is being prepared (and follows it). Never rendered here."""
    organisation = _organisation(org_slug)
    with tenant_scope(system_access(organisation)):
        _published(organisation)
        _report_or_404(organisation, quarter)
        ready = selectors.register_report_ready(
            organisation=organisation, quarter=quarter, language=_language()
        )
        if ready is None:
            report = services.register_report_request(
                organisation=organisation, quarter=quarter, language=_language()
            )
            return render(
                request,
                "complaints/public/register_preparing.html",
                {"public_organisation": organisation, "quarter": quarter, "report": report},
                status=202,
            )
    response = HttpResponse(bytes(ready.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="klachtenregister-{quarter}.pdf"'
    return response


@never_cache
def register_report_status(request, org_slug, quarter):
    """The state of one quarter's PDF, polled with htmx until it is ready (asks for nothing)."""
    organisation = _organisation(org_slug)
    with tenant_scope(system_access(organisation)):
        _published(organisation)
        report = _report_or_404(organisation, quarter)
        return render(
            request,
            "complaints/public/includes/register_report.html",
            {"public_organisation": organisation, "quarter": quarter, "report": report},
        )
