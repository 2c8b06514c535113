"""Pages of repeating survey campaigns and of the organisation's KTO settings."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from governance.platform.forms import saved
from governance.platform.views import TenantMixin
from kto import services
from kto.campaigns import campaign_questions, wave_dates
from kto.forms import CampaignForm, KtoSettingsForm
from kto.models import KtoSettings, SurveyCampaign
from kto.views import SurveyMixin


class SurveyRepeatView(SurveyMixin, View):
    """Make a survey the template of a campaign that repeats, or change its campaign."""

    manage = True
    template_name = "kto/survey_repeat.html"

    def form(self, survey, data=None):
        campaign = SurveyCampaign.objects.filter(template=survey).first()
        initial = {}
        if campaign is not None:
            initial = {
                "recurrence": campaign.recurrence,
                "lead_days": campaign.lead_days,
                "active": campaign.active,
                "left_out": list(campaign.left_out.values_list("pk", flat=True)),
                "added": list(campaign.added.values_list("pk", flat=True)),
            }
        on_template, bank = campaign_questions(survey=survey)
        form = CampaignForm(data, initial=initial, on_template=on_template, bank=bank)
        return form, campaign

    def render_page(self, survey, form, campaign, status=200):
        upcoming = []
        if campaign is not None:
            upcoming = [wave_dates(survey, number * campaign.months) for number in range(1, 5)]
        waves = campaign.waves.filter(wave__gt=0).order_by("wave") if campaign else []
        return self.show(
            survey, status=status, form=form, campaign=campaign, upcoming=upcoming, waves=waves
        )

    def get(self, request, org_slug, pk):
        survey = self.get_survey()
        form, campaign = self.form(survey)
        return self.render_page(survey, form, campaign)

    def post(self, request, org_slug, pk):
        survey = self.get_survey()
        form, campaign = self.form(survey, request.POST)
        if saved(request, form, lambda data: services.campaign_set(survey=survey, **data)):
            messages.success(request, _("Saved: the next wave is prepared before it is due."))
            return redirect("kto:survey_repeat", org_slug, survey.pk)
        return self.render_page(survey, form, campaign, status=400)


class KtoSettingsView(TenantMixin, View):
    """The organisation's reminder cadence and cap."""

    template_name = "kto/settings.html"

    def dispatch(self, request, *args, **kwargs):
        if self.access.is_supplier:
            raise Http404
        self.access.require(self.access.may("kto.manage"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, org_slug):
        form = KtoSettingsForm(instance=KtoSettings.for_organisation(self.organisation))
        return render(request, self.template_name, {"form": form})

    def post(self, request, org_slug):
        form = KtoSettingsForm(
            request.POST, instance=KtoSettings.for_organisation(self.organisation)
        )
        organisation = self.organisation
        if saved(
            request,
            form,
            lambda data: services.kto_settings_update(organisation=organisation, **data),
        ):
            messages.success(request, _("Reminder settings saved."))
            return redirect("kto:settings", org_slug)
        return render(request, self.template_name, {"form": form}, status=400)
