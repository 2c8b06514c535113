"""The webhooks pages: a contract manager manages the organisation's endpoints, a supplier's
user those of its supplier for this organisation; each sees its own side's only."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from governance.platform.access import get_object_for
from governance.platform.forms import saved
from governance.platform.webhooks import (
    Event,
    webhook_create,
    webhook_delete,
    webhook_enable,
    webhook_endpoints_for,
    webhook_rotate,
)

DELIVERIES_SHOWN = 50


class EndpointForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    url = forms.URLField(
        label=gettext_lazy("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Regie posts each event here as signed JSON."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )


def _secret_page(request, endpoint, secret):
    return render(
        request,
        "governance/webhooks/secret.html",
        {"organisation": request.access.organisation, "endpoint": endpoint, "secret": secret},
    )


def webhook_list(request, org_slug):
    access = request.access
    endpoints = webhook_endpoints_for(access=access)
    form = EndpointForm(request.POST or None)
    created = saved(request, form, lambda data: webhook_create(access=access, **data))
    if created is not None:
        endpoint, secret = created
        return _secret_page(request, endpoint, secret)
    return render(
        request,
        "governance/webhooks/list.html",
        {"organisation": access.organisation, "endpoints": endpoints, "form": form},
    )


def _endpoint(request, pk):
    access = request.access
    return get_object_for(access, webhook_endpoints_for(access=access), pk=pk)


def webhook_detail(request, org_slug, pk):
    endpoint = _endpoint(request, pk)
    return render(
        request,
        "governance/webhooks/detail.html",
        {
            "organisation": request.access.organisation,
            "endpoint": endpoint,
            "events": [Event(event).label for event in endpoint.events],
            "deliveries": endpoint.deliveries.all()[:DELIVERIES_SHOWN],
        },
    )


@require_POST
def webhook_rotate_view(request, org_slug, pk):
    endpoint = _endpoint(request, pk)
    return _secret_page(request, endpoint, webhook_rotate(access=request.access, endpoint=endpoint))


@require_POST
def webhook_enable_view(request, org_slug, pk):
    endpoint = webhook_enable(access=request.access, endpoint=_endpoint(request, pk))
    messages.success(request, _("The endpoint is on again; waiting events go out shortly."))
    return redirect("webhooks:detail", org_slug, endpoint.pk)


@require_POST
def webhook_delete_view(request, org_slug, pk):
    webhook_delete(access=request.access, endpoint=_endpoint(request, pk))
    messages.success(request, _("The endpoint is removed."))
    return redirect("webhooks:list", org_slug)
