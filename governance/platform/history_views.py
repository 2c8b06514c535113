"""The organisation's audit trail for a period: a page for contract managers and its export."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.platform.forms import IsoDateInput
from governance.platform.listing import ListPage
from governance.platform.trail import organisation_trail, trail_header, trail_lines

MAX_DAYS = 366


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=IsoDateInput)
    end = forms.DateField(label=_("Up to and including"), widget=IsoDateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError({"end": _("The period cannot end before it starts.")})
            if (end - start).days >= MAX_DAYS:
                raise ValidationError(
                    {"end": _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS}}
                )
        return data


def default_period() -> dict:
    today = timezone.localdate()
    return {"start": today - timedelta(days=30), "end": today}


class TrailPage(ListPage):
    """Every recorded change of the organisation's records in a period, one line per field."""

    template_name = "governance/history.html"
    context_object_name = "lines"
    paginate_by = 100
    strict_pages = True
    filter_form_name = "period_form"
    export_stem = "audit-trail"

    def permit(self) -> None:
        self.access.require(self.access.may("history.export"))

    @property
    def filter_form(self):
        if not hasattr(self, "_form"):
            data = self.request.GET if "start" in self.request.GET else None
            self._form = PeriodForm(data, initial=default_period())
        return self._form

    @property
    def period(self):
        """(start, end) as dates, or None when the form was sent with mistakes."""
        form = self.filter_form
        if not form.is_bound:
            period = default_period()
            return period["start"], period["end"]
        if not form.is_valid():
            return None
        return form.cleaned_data["start"], form.cleaned_data["end"]

    def get_rows(self):
        if self.period is None:
            return []
        start, end = self.period
        zone = timezone.get_current_timezone()
        return trail_lines(
            organisation_trail(
                organisation=self.access.organisation,
                start=datetime.combine(start, time.min, tzinfo=zone),
                end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
            )
        )

    def get_context(self, page):
        return {"header": trail_header(), "period": self.period}

    def export_header(self):
        return trail_header()

    def export_rows(self, rows):
        return rows

    def download(self):
        if self.period is None:
            self.permit()
            return self.render(status=400)
        return super().download()


def trail_page(request, org_slug):
    page = TrailPage(request)
    return page.render(status=200 if page.period else 400)


def trail_export(request, org_slug):  # ?format=csv (default) or ?format=xlsx
    return TrailPage(request).download()
