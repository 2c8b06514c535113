"""Sampling, launching and sending: invitations and reminders in batches through the outbox,
only on working days, reminders only to non-responders, with a fatigue cap across the
organisation's surveys."""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.platform.links import public_base_url
from governance.platform.outbox import outbox_enqueue
from governance.platform.tasking import enqueue_on_commit
from governance.platform.workdays import is_working_day
from kto.models import Invitation, KtoSettings, Survey, SurveyKind
from kto.planning import plan_for
from kto.tokens import invitation_token

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


def answer_url(token: str) -> str:
    return public_base_url() + reverse("kto_public:answer", kwargs={"token": token})


@transaction.atomic
def survey_sample(*, survey: Survey, seed: int | None = None) -> dict[str, int]:
    """Draw a stratified random sample from the imported participants: per group the plan's
    invitations, allocated over strata (contract × department) in proportion to their size
    (largest remainder). Returns the number selected per group."""
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    imported = list(survey.invitations.filter(status=Invitation.Status.IMPORTED).order_by("pk"))
    by_group: dict[str, list[Invitation]] = defaultdict(list)
    for invitation in imported:
        by_group[invitation.group].append(invitation)
    plans = {plan.group: plan for plan in survey.groups.all()}
    selected_count: dict[str, int] = {}
    for group, people in by_group.items():
        wanted = plan_for(plans[group], listed=len(people)).invitations_needed
        strata: dict[tuple, list[Invitation]] = defaultdict(list)
        for person in people:
            strata[(person.contract_id, person.segment.lower())].append(person)
        quotas = _allocate(wanted, {key: len(members) for key, members in strata.items()})
        chosen: set[int] = set()
        for key, members in strata.items():
            chosen.update(p.pk for p in rng.sample(members, quotas[key]))
        for person in people:
            person.status = (
                Invitation.Status.SELECTED
                if person.pk in chosen
                else Invitation.Status.NOT_SELECTED
            )
        Invitation.objects.bulk_update(people, ["status"])
        selected_count[group] = len(chosen)
    return selected_count


def _allocate(total: int, sizes: dict) -> dict:
    """Proportional allocation of `total` over strata, largest remainder, capped by size."""
    population = sum(sizes.values())
    if total >= population:
        return dict(sizes)
    exact = {key: total * size / population for key, size in sizes.items()}
    quotas = {key: int(value) for key, value in exact.items()}
    leftover = total - sum(quotas.values())
    for key in sorted(exact, key=lambda k: (exact[k] - quotas[k], sizes[k]), reverse=True):
        if leftover == 0:
            break
        if quotas[key] < sizes[key]:
            quotas[key] += 1
            leftover -= 1
    return quotas


@transaction.atomic
def survey_launch(*, survey: Survey, today: date | None = None) -> Survey:
    """Release the invitations: draw the sample (if not drawn) and let the dispatcher send them
    in batches from the opening date, on working days."""
    today = today or timezone.localdate()
    if survey.launched_on is not None:
        raise ValidationError(_("The invitations have already been released."))
    if survey.closed_on or survey.closes_on < today:
        raise ValidationError(_("The survey is closed."))
    if not survey.invitations.exists() and not survey.open_link_hash:
        raise ValidationError(_("Import participants or switch on the open link first."))
    if survey.invitations.filter(status=Invitation.Status.IMPORTED).exists():
        survey_sample(survey=survey)
    survey.launched_on = today
    survey.save(update_fields=["launched_on"])
    dispatch_after_commit(survey.organisation_id)
    return survey


def dispatch_after_commit(organisation_id: int) -> None:
    """Once committed, ask the dispatcher to send the organisation's invitations now."""
    # When it is lost, the hourly schedule sends them anyway.
    enqueue_on_commit(
        "kto.tasks.task_kto_dispatch",
        kwargs={"organisation_id": organisation_id},
        what="KTO dispatch",
    )


def _send(invitation: Invitation, *, reminder: bool) -> None:
    with translation.override(invitation.language):
        context = {
            "survey": invitation.survey,
            "organisation": invitation.survey.organisation,
            "url": answer_url(invitation_token(invitation)),
            "reminder": reminder,
        }
        subject = (
            _("Reminder: your opinion on %(title)s") if reminder else _("Your opinion on %(title)s")
        ) % {"title": invitation.survey.title}
        outbox_enqueue(
            to=[invitation.email],
            subject=subject,
            text=render_to_string("kto/email/invitation.txt", context),
            html=render_to_string("kto/email/invitation.html", context),
            organisation=invitation.survey.organisation,
        )


def _recently_invited(survey: Survey, emails: list[str], today: date) -> set[str]:
    """Addresses invited to another of the organisation's surveys within the fatigue cap."""
    since = today - timedelta(days=survey.fatigue_days)
    return set(
        Invitation.objects.filter(
            organisation=survey.organisation, email__in=emails, invited_on__gt=since
        )
        .exclude(survey=survey)
        .values_list("email", flat=True)
    )


@transaction.atomic
def invitations_send_batch(
    *, survey: Survey, today: date | None = None, limit: int = BATCH_SIZE
) -> int:
    """Send up to `limit` selected invitations through the outbox. Nothing on weekends or Dutch
    public holidays, before the opening date or once closed. Returns how many were sent."""
    today = today or timezone.localdate()
    if survey.state(today) != "open" or not is_working_day(today):
        return 0
    batch = list(
        Invitation.objects.select_for_update(skip_locked=True)
        .filter(survey=survey, status=Invitation.Status.SELECTED)
        .select_related("survey__organisation")
        .order_by("pk")[:limit]
    )
    exempt = survey.kind == SurveyKind.VERDICT  # the complainant asked for its verdict
    tired = set() if exempt else _recently_invited(survey, [i.email for i in batch], today)
    sent = 0
    for invitation in batch:
        if invitation.email in tired:
            invitation.status = Invitation.Status.FATIGUE
        else:
            _send(invitation, reminder=False)
            invitation.status = Invitation.Status.INVITED
            invitation.invited_on = today
            sent += 1
    Invitation.objects.bulk_update(batch, ["status", "invited_on"])
    return sent


@transaction.atomic
def reminders_send_batch(
    *,
    survey: Survey,
    today: date | None = None,
    after_days: int | None = None,
    limit: int = BATCH_SIZE,
) -> int:
    """Remind non-responders only: invited, not used, last contact at least `after_days` ago
    (the organisation's cadence unless given), at most as often as the organisation's cap;
    working days only."""
    today = today or timezone.localdate()
    if survey.state(today) != "open" or not is_working_day(today):
        return 0
    chosen = KtoSettings.for_organisation(survey.organisation)
    if after_days is None:
        after_days = chosen.reminder_after_days
    if chosen.max_reminders == 0:
        return 0
    cutoff = today - timedelta(days=after_days)
    candidates = (
        Invitation.objects.select_for_update(skip_locked=True)
        .filter(
            survey=survey,
            status=Invitation.Status.INVITED,
            used=False,
            reminders__lt=chosen.max_reminders,
            invited_on__lte=cutoff,
        )
        .select_related("survey__organisation")
        .order_by("pk")
    )
    batch = [
        i for i in candidates[: limit * 2] if i.reminded_on is None or i.reminded_on <= cutoff
    ][:limit]
    for invitation in batch:
        _send(invitation, reminder=True)
        invitation.reminders += 1
        invitation.reminded_on = today
    Invitation.objects.bulk_update(batch, ["reminders", "reminded_on"])
    return len(batch)


def kto_dispatch(*, organisation, today: date | None = None) -> dict[str, int]:
    """The periodic job for one organisation: a batch of invitations and of reminders for every
    open survey."""
    today = today or timezone.localdate()
    counts = {"invitations": 0, "reminders": 0}
    surveys = Survey.objects.filter(
        organisation=organisation,
        launched_on__isnull=False,
        closed_on__isnull=True,
        opens_on__lte=today,
        closes_on__gte=today,
    )
    for survey in surveys:
        counts["invitations"] += invitations_send_batch(survey=survey, today=today)
        counts["reminders"] += reminders_send_batch(survey=survey, today=today)
    return counts
