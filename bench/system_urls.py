"""The project's URLs plus two bare views, only for bench/system.py: the baseline that every
page is measured against, behind the same middleware (sessions, CSRF, locale, tenant)."""

from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path

from governance.urls import handler404  # noqa: F401
from governance.urls import urlpatterns as project_urlpatterns


class BareForm(forms.Form):
    text = forms.CharField(max_length=100)


def bare_view(request):
    return HttpResponse("ok", content_type="text/plain")


def bare_form_view(request):
    """A CSRF-protected form: GET hands out the token, POST validates and redirects."""
    if request.method == "POST":
        form = BareForm(request.POST)
        if form.is_valid():
            return HttpResponseRedirect("/bench/bare/")
        return HttpResponse("invalid", status=400, content_type="text/plain")
    return HttpResponse(get_token(request), content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare_view),
    path("bench/form/", bare_form_view),
    *project_urlpatterns,
]
