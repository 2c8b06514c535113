"""Contract terms in the browser: contracts, services with their weekly window, service levels
and their amendments, expectations, information needs and their deliveries.

Objects come through the selectors and get_object_for (invisible → 404); writing needs the
predicates in permissions.py (visible but not allowed → 403). The services validate; their
errors land on the form's fields, and nothing is stored."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contracts import selectors, services
from contracts.forms import (
    ContractForm,
    DeliveryForm,
    ExpectationForm,
    InformationNeedForm,
    ServiceForm,
    ServiceLevelAmendForm,
    ServiceLevelForm,
    hours_formset,
    hours_from,
)
from contracts.permissions import may_manage_contract, may_record_delivery
from governance.platform.access import get_object_for
from governance.platform.concurrency import atomic_post
from governance.platform.forms import apply_errors


def _managed(request, selector, pk):
    """The object (404 when the user cannot see it), once the user may change terms (403)."""
    found = get_object_for(request.access, selector(access=request.access), pk=pk)
    request.access.require(may_manage_contract(request.access))
    return found


def _write(form, write):
    """Run the service on a valid form: the stored object, or None with the errors on the
    form."""
    try:
        return write()
    except ValidationError as error:
        apply_errors(form, error)
        return None


def _page(request, template, *, title, contract, form, **extra):
    """A form page: 400 for a rejected POST, so a test or a script sees the refusal."""
    return render(
        request,
        template,
        {"title": title, "contract": contract, "form": form, **extra},
        status=400 if request.method == "POST" else 200,
    )


def _to_contract(request, contract, message):
    messages.success(request, message)
    return redirect("contracts:contract_detail", request.access.organisation.slug, contract.pk)


# --- contracts -----------------------------------------------------------------------------


def contract_create(request, org_slug):
    access = request.access
    access.require(may_manage_contract(access))
    form = ContractForm(
        request.POST or None,
        organisation=access.organisation,
        suppliers=selectors.supplier_list(access=access),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        contract = _write(
            form,
            lambda: services.contract_create(organisation=access.organisation, **data),
        )
        if contract is not None:
            return _to_contract(request, contract, _("The contract is registered."))
    return _page(request, "contracts/form.html", title=_("New contract"), contract=None, form=form)


@atomic_post
def contract_edit(request, org_slug, pk):
    contract = _managed(request, selectors.contract_list, pk)
    title = _("Terms of %(contract)s") % {"contract": contract.reference}
    form = ContractForm(
        request.POST or None, instance=contract, organisation=request.access.organisation
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _write(form, lambda: services.contract_update(contract=contract, **data)):
            return _to_contract(request, contract, _("The terms are saved."))
    return _page(request, "contracts/form.html", title=title, contract=contract, form=form)


# --- services ------------------------------------------------------------------------------


def _service_page(request, *, contract, service=None):
    title = _("New service") if service is None else _("Service %(name)s") % {"name": service}
    form = ServiceForm(request.POST or None, instance=service, contract=contract)
    hours = hours_formset(request.POST or None, service=service)
    window_errors = []
    if request.method == "POST" and form.is_valid() & hours.is_valid():
        fields = {**form.cleaned_data, "hours": hours_from(hours)}
        try:
            if service is None:
                stored = services.service_create(contract=contract, **fields)
            else:
                stored = services.service_update(service=service, **fields)
        except ValidationError as error:
            # The window's problems are shown with the window.
            window_errors = apply_errors(form, error, aside="hours")
        else:
            return _to_contract(
                request, contract, _("The service %(name)s is saved.") % {"name": stored.name}
            )
    return _page(
        request,
        "contracts/service_form.html",
        title=title,
        contract=contract,
        form=form,
        hours=hours,
        window_errors=window_errors,
    )


def service_create(request, org_slug, pk):
    return _service_page(request, contract=_managed(request, selectors.contract_list, pk))


@atomic_post
def service_edit(request, org_slug, pk):
    service = _managed(request, selectors.service_list, pk)
    return _service_page(request, contract=service.contract, service=service)


# --- service levels ------------------------------------------------------------------------


def service_level_create(request, org_slug, pk):
    contract = _managed(request, selectors.contract_list, pk)
    form = ServiceLevelForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        level = _write(
            form,
            lambda: services.service_level_add(
                contract=contract, dimensions=form.dimensions(), **form.level_fields()
            ),
        )
        if level is not None:
            return _to_contract(
                request, contract, _("Service level %(code)s is agreed.") % {"code": level.code}
            )
    return _page(
        request, "contracts/form.html", title=_("New service level"), contract=contract, form=form
    )


def service_level_amend(request, org_slug, pk):
    """A new version of a service level from a date; the form shows every version so far."""
    level = _managed(request, selectors.service_level_list, pk)
    form = ServiceLevelAmendForm.for_level(request.POST or None, level=level)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        amended = _write(form, lambda: services.service_level_amend(level=level, **data))
        if amended is not None:
            return _to_contract(
                request,
                level.contract,
                _("Service level %(code)s is amended from %(date)s.")
                % {"code": amended.code, "date": amended.valid_from.isoformat()},
            )
    return _page(
        request,
        "contracts/level_amend.html",
        title=_("Amend %(code)s") % {"code": level.code},
        contract=level.contract,
        form=form,
        level=level,
        versions=selectors.service_levels_for_contract(contract=level.contract).filter(
            code=level.code
        ),
    )


# --- expectations and information needs ----------------------------------------------------


def _simple_page(request, *, contract, form, title, write, done):
    if (
        request.method == "POST"
        and form.is_valid()
        and _write(form, lambda: write(**form.cleaned_data)) is not None
    ):
        return _to_contract(request, contract, done)
    return _page(request, "contracts/form.html", title=title, contract=contract, form=form)


def expectation_create(request, org_slug, pk):
    contract = _managed(request, selectors.contract_list, pk)
    return _simple_page(
        request,
        contract=contract,
        form=ExpectationForm(request.POST or None),
        title=_("New expectation"),
        write=lambda **data: services.expectation_create(contract=contract, **data),
        done=_("The expectation is recorded."),
    )


@atomic_post
def expectation_edit(request, org_slug, pk):
    expectation = _managed(request, selectors.expectation_list, pk)
    return _simple_page(
        request,
        contract=expectation.contract,
        form=ExpectationForm(request.POST or None, instance=expectation),
        title=_("Edit expectation"),
        write=lambda **data: services.expectation_update(expectation=expectation, **data),
        done=_("The expectation is saved."),
    )


def information_need_create(request, org_slug, pk):
    contract = _managed(request, selectors.contract_list, pk)
    return _simple_page(
        request,
        contract=contract,
        form=InformationNeedForm(request.POST or None),
        title=_("New information need"),
        write=lambda **data: services.information_need_create(contract=contract, **data),
        done=_("The information need is recorded."),
    )


@atomic_post
def information_need_edit(request, org_slug, pk):
    need = _managed(request, selectors.information_need_list, pk)
    return _simple_page(
        request,
        contract=need.contract,
        form=InformationNeedForm(request.POST or None, instance=need),
        title=_("Edit information need"),
        write=lambda **data: services.information_need_update(need=need, **data),
        done=_("The information need is saved."),
    )


def delivery_record(request, org_slug, pk):
    """Record that an information need was delivered for a period; on time or late follows."""
    access = request.access
    need = get_object_for(access, selectors.information_need_list(access=access), pk=pk)
    access.require(may_record_delivery(access, need))
    form = DeliveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        delivery = _write(
            form,
            lambda: services.information_delivery_record(
                access=access, need=need, day=data["period"], delivered_on=data["delivered_on"]
            ),
        )
        if delivery is not None:
            verdict = _("on time") if delivery.on_time else _("late")
            return _to_contract(
                request,
                need.contract,
                _("%(what)s for %(period)s is recorded: delivered %(verdict)s.")
                % {
                    "what": need.what,
                    "period": f"{delivery.period_start:%Y-%m}",
                    "verdict": verdict,
                },
            )
    return _page(
        request,
        "contracts/delivery_form.html",
        title=_("Record a delivery of %(what)s") % {"what": need.what},
        contract=need.contract,
        form=form,
        need=need,
        deliveries=need.deliveries.order_by("-period_start")[:6],
    )
