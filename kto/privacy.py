"""Survey participants' e-mail addresses: retention after the survey closes, and erasure on
request. Participants are `Invitation` rows; their answers never carry the address, so only the
invitation is touched: its address is replaced by one that reaches nobody (the answered mark,
group and contract stay, so response rates keep counting it) and it gets no more mail.

Registered with the platform's privacy registry in KtoConfig.ready()."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.platform.models import Organisation
from governance.platform.privacy import ERASED_DOMAIN, Expired, PersonalData, erased_address
from kto.models import REMINDERS_CEILING, Invitation

NOT_YET_SENT = (Invitation.Status.IMPORTED, Invitation.Status.SELECTED)


def _replace(invitations: QuerySet[Invitation]) -> tuple[int, set[str]]:
    """Replace the addresses of `invitations`; returns (how many, the old addresses)."""
    changed, addresses = 0, set()
    for invitation in invitations.exclude(email__endswith="@" + ERASED_DOMAIN):
        addresses.add(invitation.email.lower())
        invitation.email = erased_address()
        invitation.segment = ""
        invitation.reminders = max(invitation.reminders, REMINDERS_CEILING)
        if invitation.status in NOT_YET_SENT:
            invitation.status = Invitation.Status.NOT_SELECTED
        invitation.save(update_fields=["email", "segment", "reminders", "status"])
        changed += 1
    return changed, addresses


def expire(*, organisation: Organisation, cutoff: datetime) -> Expired:
    """Addresses of invitations to surveys that closed before `cutoff` (closed early, or their
    closing day passed)."""
    day = cutoff.date()
    invitations = Invitation.objects.filter(organisation=organisation).filter(
        Q(survey__closed_on__lt=day) | Q(survey__closed_on__isnull=True, survey__closes_on__lt=day)
    )
    changed, addresses = _replace(invitations)
    return Expired(counts={"survey_invitations": changed}, addresses=addresses)


def erase(*, organisation: Organisation, email: str, names: set[str]) -> dict[str, int]:
    """Every invitation of the person with `email`, whatever the survey's state."""
    changed, _addresses = _replace(
        Invitation.objects.filter(organisation=organisation, email__iexact=email)
    )
    return {"survey_invitations": changed}


HANDLER = PersonalData(
    key="kto",
    kept=lambda: _(
        "Satisfaction surveys: the e-mail address we invite you at, with your group and "
        "department. Your answers are stored without it and cannot be traced to you."
    ),
    purpose=lambda: _(
        "To send you the invitation and at most a few reminders while the survey is open, and "
        "not to invite you again too soon."
    ),
    period_setting="participant_email_months",
    period_label=lambda months: (
        ngettext(
            "%(months)s month after the survey closes",
            "%(months)s months after the survey closes",
            months,
        )
        % {"months": months}
    ),
    expire=expire,
    erase=erase,
)
