"""The scheduled gap digest: HTML and text e-mail with the report PDF, exactly once.

What a digest says
------------------
For the organisation's latest closed month it lists the flags worth a person's attention —
both red, watermelon and hidden success — in four sections, *since the last digest*:

- **new**: the previous digest did not report this (contract, dimension);
- **worsening**: it did, and it is worse now (see below);
- **still open**: it did, and it is no worse;
- **resolved**: it reported a listed flag there, and now the cell is aligned or only a watch.

A fifth, **not judged**, holds what the previous digest reported but the month cannot judge
(insufficient data, or no flag at all): the gap analysis never passes silently, so neither does
its digest. Such an entry is carried into the next comparison for `CARRY_MONTHS` months, then
dropped (a contract that ended would otherwise stay in every digest).

Watches (the report is green, users lean below target without a significant gap) are counted,
not listed, with a link to them in the matrix. Aligned and insufficient-data cells never count.

"Worsening" is exact: a flag reported before is worsening when

1. users moved further from content: it was a hidden success (users content) or a watch and is
   now a watermelon or both red;
2. it became confirmed: reported unconfirmed, now confirmed (it held a second month); or
3. users' mean fell by at least the flag's practical margin δ while below target (a
   watermelon or both red now, with a mean then and now).

A watermelon that turned both red, or the other way round, is still open: the users are as far
below target as before, only the report changed; the digest says what it was.

Compared with what
------------------
Each digest records on its `GapDigest` row what it reported (flag id, kind, confirmed, mean and
month per contract and dimension, for the whole organisation). The next digest compares with
that record, not with the stored flags of the previous month: a weekly digest reports the same
closed month four times, and flags are recomputed in place when a late SLA report arrives, so
only the record says what the readers were told. The baseline is the organisation's latest
digest that reached at least one person, whatever its schedule slot; without one, every flag is
new. A digest sent before digests recorded this (`reported` is null) stands in with the stored
flags of its month. The supplier's version compares the same record, limited to its contracts.

Audiences and language
----------------------
The client's version goes to the schedule's contract managers and business owners; with
`include_suppliers` each supplier gets one about its own contracts only (its flags are read
through the supplier's access), with next steps worded for the supplier. Each recipient reads
it in the language they last chose in the portal (`governance.platform.languages`), the
organisation's `default_language` if they never chose: one message per language. The test
message goes out in the manager's own language; the preview shows the manager's language and
names each recipient's.

Links are absolute (`public_base_url()` + `reverse`): each flag to its page, the month to the
matrix. A manager previews the digest on the settings page and sends a test to themselves;
neither records a `GapDigest`, so the scheduled digest still goes out once per slot.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contracts import selectors as contract_selectors
from governance.platform.access import Access, supplier_system_access, system_access, tenant_scope
from governance.platform.dimensions import Dimension
from governance.platform.languages import emails_by_language, language_of
from governance.platform.links import public_base_url
from governance.platform.models import Membership, Organisation, Role
from governance.platform.outbox import outbox_enqueue
from governance.platform.tasking import enqueue_on_commit
from kto.gaps.engine import latest_closed_period
from kto.gaps.models import GapDigest, GapDigestSchedule, GapFlag
from kto.gaps.report import gap_report_pdf, period_label
from kto.gaps.rules import CONFIRMABLE, Flag
from kto.gaps.selectors import ATTENTION, gap_digest_schedule_for, gap_flag_list

logger = logging.getLogger(__name__)

# Listed one by one, in ATTENTION's order of urgency; watches are only counted.
LISTED = [kind for kind in ATTENTION if kind != Flag.WATCH]
# How far users are from content: a rise is worsening (rule 1 of the module docstring).
DISTANCE = {Flag.HIDDEN_SUCCESS: 0, Flag.WATCH: 1, Flag.WATERMELON: 2, Flag.BOTH_RED: 2}
BELOW_TARGET = frozenset({Flag.WATERMELON, Flag.BOTH_RED})
CARRY_MONTHS = 3

CLIENT, SUPPLIER = 0, 1
# The next step per situation, worded for the client and for the supplier.
NEXT_STEPS = {
    "watermelon_confirmed": (
        gettext_lazy("Put it on the agenda of the next tactical meeting of %(contract)s."),
        gettext_lazy(
            "Expect it on the agenda of the next tactical meeting of %(contract)s; bring your "
            "view of what users experience."
        ),
    ),
    "watermelon": (
        gettext_lazy(
            "Check the complaints about %(contract)s now; if it holds next month it is "
            "confirmed and goes to the tactical meeting."
        ),
        gettext_lazy(
            "Look into what the users of %(contract)s experience; if it holds next month it "
            "goes to the tactical meeting."
        ),
    ),
    "both_red_confirmed": (
        gettext_lazy(
            "Ask the supplier for its deviation analysis of %(contract)s and put it on the "
            "agenda of the next tactical meeting."
        ),
        gettext_lazy(
            "Send your deviation analysis of %(contract)s; it goes on the agenda of the next "
            "tactical meeting."
        ),
    ),
    "both_red": (
        gettext_lazy("Ask the supplier for its deviation analysis of %(contract)s."),
        gettext_lazy("Send your deviation analysis of %(contract)s."),
    ),
    "hidden_success": (
        gettext_lazy(
            "Check how the SLA of %(contract)s is measured: users are content while the report "
            "says red."
        ),
        gettext_lazy(
            "Check how you measure the SLA of %(contract)s: users are content while your report "
            "says red."
        ),
    ),
    "resolved": (
        gettext_lazy("Nothing to do; close any agenda item or action still open about it."),
        gettext_lazy("Nothing to do; close any agenda item or action still open about it."),
    ),
    "not_judged": (
        gettext_lazy(
            "Ask for the missing figures of %(contract)s: the SLA report or enough survey answers."
        ),
        gettext_lazy(
            "Check that your SLA report of %(contract)s is in: without figures the flag cannot "
            "be judged."
        ),
    ),
}
SECTIONS = {
    "new": (gettext_lazy("New"), gettext_lazy("Not reported by the previous digest.")),
    "worsening": (
        gettext_lazy("Worsening"),
        gettext_lazy(
            "Reported before and worse now: users further below target, newly confirmed, or "
            "their mean fallen by at least the practical margin."
        ),
    ),
    "still_open": (gettext_lazy("Still open"), gettext_lazy("Reported before, no worse now.")),
    "resolved": (
        gettext_lazy("Resolved"),
        gettext_lazy("Reported before; now aligned or only a watch."),
    ),
    "not_judged": (
        gettext_lazy("Not judged this month"),
        gettext_lazy("Reported before; this month lacks the figures to judge it."),
    ),
}


@dataclass(frozen=True)
class Baseline:
    """What the previous digest reported, by "<contract id>:<dimension>", and when it went."""

    flags: dict[str, dict] = field(default_factory=dict)
    sent_on: date | None = None


@dataclass(frozen=True)
class DigestItem:
    """One flag as the digest lists it, with its words already in the recipients' language."""

    contract: str
    dimension: str
    kind: str
    kind_label: str
    confirmed: bool
    url: str
    next_step: str
    change: str = ""
    reason: str = ""


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: str
    note: str
    items: list[DigestItem]


@dataclass(frozen=True)
class DigestContent:
    """Everything the digest's templates show; built in one language."""

    organisation: Organisation
    period: date
    period_label: str
    sections: list[DigestSection]
    watches: int
    watches_text: str
    watches_url: str
    unjudged: int
    unjudged_text: str
    unjudged_url: str
    matrix_url: str
    compared_with: str
    test: bool = False

    @property
    def listed(self) -> int:
        return sum(len(section.items) for section in self.sections)


@dataclass(frozen=True)
class DigestMessage:
    subject: str
    text: str
    html: str
    content: DigestContent
    language: str


# --- schedule ---------------------------------------------------------------------------------


def digest_schedule(*, organisation: Organisation) -> GapDigestSchedule:
    """The organisation's schedule, for the scheduled jobs (no user): the selector's, read with
    the system's access."""
    return gap_digest_schedule_for(access=system_access(organisation))


def digest_due_key(*, schedule: GapDigestSchedule, today: date) -> str | None:
    """The key of the digest due today, or None. One key per schedule slot keeps it once."""
    if schedule.frequency == GapDigestSchedule.Frequency.WEEKLY:
        if today.weekday() != schedule.weekday:
            return None
        year, week, _day = today.isocalendar()
        return f"weekly-{year}-W{week:02d}"
    if today.day != schedule.day_of_month:
        return None
    return "monthly"


# --- what was reported, and what is new since -------------------------------------------------


def _key(contract_id: int, dimension: str) -> str:
    return f"{contract_id}:{dimension}"


def _entry(flag: GapFlag) -> dict:
    return {
        "id": flag.pk,
        "kind": flag.flag,
        "confirmed": flag.confirmed,
        "mean": flag.mean,
        "period": flag.period_start.isoformat(),
    }


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _not_judged(flag: GapFlag | None) -> bool:
    return flag is None or flag.flag == Flag.INSUFFICIENT_DATA


def gap_digest_baseline(*, organisation: Organisation, exclude_pk: int | None = None) -> Baseline:
    """What the organisation's latest digest that reached anyone reported (the module
    docstring says why the record, not the previous month's flags). `exclude_pk` leaves out the
    digest being sent."""
    previous = (
        GapDigest.objects.filter(organisation=organisation, recipients__gt=0)
        .exclude(pk=exclude_pk)
        .order_by("-created_at", "-pk")
        .first()
    )
    if previous is None:
        return Baseline()
    sent_on = timezone.localtime(previous.created_at).date()
    if previous.reported is not None:
        return Baseline(flags=previous.reported, sent_on=sent_on)
    # Sent before digests recorded what they reported: its month's stored flags stand in.
    flags = gap_flag_list(
        access=system_access(organisation), period_start=previous.period_start
    ).filter(flag__in=ATTENTION)
    reported = {_key(f.contract_id, f.dimension): _entry(f) for f in flags}
    return Baseline(flags=reported, sent_on=sent_on)


def gap_digest_record(*, flags: list[GapFlag], baseline: Baseline, period_start: date) -> dict:
    """What a digest over `flags` (the organisation's flags of `period_start`) reports, to be
    stored on its `GapDigest`: every attention flag, plus what the baseline reported where the
    month cannot judge, for at most CARRY_MONTHS months."""
    current = {_key(f.contract_id, f.dimension): f for f in flags}
    record = {key: _entry(f) for key, f in current.items() if f.flag in ATTENTION}
    for key, entry in baseline.flags.items():
        if key in record or not _not_judged(current.get(key)):
            continue
        if _months_between(date.fromisoformat(entry["period"]), period_start) <= CARRY_MONTHS:
            record[key] = entry
    return record


def worsening_change(*, before: dict, flag: GapFlag) -> str:
    """Why `flag` is worse than what the previous digest reported (`before`), in the active
    language; empty when it is not worse. The three rules of the module docstring."""
    was = Flag(before["kind"])
    if DISTANCE[Flag(flag.flag)] > DISTANCE[was]:
        return _("Previously: %(kind)s.") % {"kind": was.label}
    if flag.confirmed and not before["confirmed"]:
        return _("Now confirmed: it held the month before too, on other survey waves.")
    mean_before = before.get("mean")
    if (
        flag.flag in BELOW_TARGET
        and flag.mean is not None
        and mean_before is not None
        and round(mean_before - flag.mean, 6) >= round(flag.delta, 6)
    ):
        return _("Users' mean fell from %(before)s to %(now)s.") % {
            "before": number_format(mean_before, 2),
            "now": number_format(flag.mean, 2),
        }
    return ""


class _Items:
    """Builds the digest's items for one audience in the active language."""

    def __init__(self, organisation: Organisation, period_start: date, audience: int):
        self.base = public_base_url()
        self.slug = organisation.slug
        self.audience = audience
        self.reason_field = "reason_nl" if translation.get_language() == "nl" else "reason_en"
        self.matrix_url = (
            self.base
            + reverse("kto_gap:matrix", kwargs={"org_slug": self.slug})
            + f"?period={period_start.isoformat()}"
        )

    def url(self, pk: int) -> str:
        return self.base + reverse("kto_gap:flag", kwargs={"org_slug": self.slug, "pk": pk})

    def make(self, *, pk, contract, dimension, kind, confirmed, situation, change="", reason=""):
        return DigestItem(
            contract=str(contract),
            dimension=str(Dimension(dimension).label),
            kind=Flag(kind).value,
            kind_label=str(Flag(kind).label),
            confirmed=confirmed,
            url=self.url(pk),
            next_step=str(NEXT_STEPS[situation][self.audience]) % {"contract": contract.reference},
            change=change,
            reason=reason,
        )

    def current(self, flag: GapFlag, *, change: str = "", reason: bool = False) -> DigestItem:
        """A flag of this month; its next step follows its kind and confirmation."""
        confirmable = flag.confirmed and flag.flag in CONFIRMABLE
        return self.make(
            pk=flag.pk,
            contract=flag.contract,
            dimension=flag.dimension,
            kind=flag.flag,
            confirmed=flag.confirmed,
            situation=f"{flag.flag}_confirmed" if confirmable else flag.flag,
            change=change,
            reason=getattr(flag, self.reason_field) if reason else "",
        )


def _sort_key(flag: GapFlag):
    return (LISTED.index(flag.flag), not flag.confirmed, flag.contract.reference, flag.dimension)


def gap_digest_content(
    *,
    organisation: Organisation,
    flags: list[GapFlag],
    contracts: list,
    baseline: Baseline,
    period_start: date,
    supplier: bool = False,
    test: bool = False,
) -> DigestContent:
    """The sections of one audience's digest in the active language. `flags` are the flags of
    `period_start` the audience may see, `contracts` its contracts; baseline entries of other
    contracts are ignored. Reads nothing from the database."""
    items = _Items(organisation, period_start, SUPPLIER if supplier else CLIENT)
    by_id = {c.pk: c for c in contracts}
    current = {_key(f.contract_id, f.dimension): f for f in flags if f.contract_id in by_id}
    sections = {key: [] for key in SECTIONS}

    for flag in sorted((f for f in current.values() if f.flag in LISTED), key=_sort_key):
        before = baseline.flags.get(_key(flag.contract_id, flag.dimension))
        if before is None:
            sections["new"].append(items.current(flag, reason=True))
        elif change := worsening_change(before=before, flag=flag):
            sections["worsening"].append(items.current(flag, change=change, reason=True))
        else:
            change = ""
            if before["kind"] != flag.flag:
                change = _("Previously: %(kind)s.") % {"kind": Flag(before["kind"]).label}
            sections["still_open"].append(items.current(flag, change=change))

    for key, before in sorted(baseline.flags.items()):
        contract = by_id.get(int(key.split(":", 1)[0]))
        now = current.get(key)
        if contract is None or before["kind"] not in LISTED or (now and now.flag in LISTED):
            continue
        gone = {
            "contract": contract,
            "dimension": key.split(":", 1)[1],
            "kind": before["kind"],
            "confirmed": before["confirmed"],
        }
        was = Flag(before["kind"]).label
        if not _not_judged(now):
            change = _("Now: %(kind)s.") % {"kind": now.get_flag_display()}
            sections["resolved"].append(
                items.make(pk=now.pk, situation="resolved", change=change, **gone)
            )
            continue
        last = date.fromisoformat(before["period"])
        if _months_between(last, period_start) > CARRY_MONTHS:
            continue
        change = _("No judgement for %(month)s; last reported as %(kind)s for %(last)s.") % {
            "month": period_label(period_start),
            "kind": was,
            "last": period_label(last),
        }
        pk = now.pk if now is not None else before["id"]
        sections["not_judged"].append(
            items.make(pk=pk, situation="not_judged", change=change, **gone)
        )

    watches = sum(1 for f in current.values() if f.flag == Flag.WATCH)
    unjudged = sum(1 for f in current.values() if f.flag == Flag.INSUFFICIENT_DATA)
    if baseline.sent_on is None:
        compared_with = _("This is the first digest: every flag counts as new.")
    else:
        compared_with = _("Compared with the digest of %(date)s.") % {
            "date": date_format(baseline.sent_on, "j F Y")
        }
    return DigestContent(
        organisation=organisation,
        period=period_start,
        period_label=period_label(period_start),
        sections=[
            DigestSection(key=key, title=str(title), note=str(note), items=sections[key])
            for key, (title, note) in SECTIONS.items()
        ],
        watches=watches,
        watches_text=ngettext(
            "%(count)d watch: the report is green, users lean below target.",
            "%(count)d watches: the report is green, users lean below target.",
            watches,
        )
        % {"count": watches},
        watches_url=f"{items.matrix_url}&flag={Flag.WATCH.value}",
        unjudged=unjudged,
        unjudged_text=ngettext(
            "%(count)d cell of this month could not be judged (insufficient data).",
            "%(count)d cells of this month could not be judged (insufficient data).",
            unjudged,
        )
        % {"count": unjudged},
        unjudged_url=f"{items.matrix_url}&flag={Flag.INSUFFICIENT_DATA.value}",
        matrix_url=items.matrix_url,
        compared_with=compared_with,
        test=test,
    )


# --- composing and sending --------------------------------------------------------------------


def gap_digest_compose(
    *,
    access: Access,
    period_start: date,
    contracts: list,
    baseline: Baseline,
    language: str,
    test: bool = False,
) -> DigestMessage:
    """Subject, text and HTML of the digest `access` may see (a supplier's access: its own
    contracts), in `language`. Renders no PDF."""
    flags = list(gap_flag_list(access=access, period_start=period_start))
    with translation.override(language):
        content = gap_digest_content(
            organisation=access.organisation,
            flags=flags,
            contracts=contracts,
            baseline=baseline,
            period_start=period_start,
            supplier=access.is_supplier,
            test=test,
        )
        subject = _("Regie gap digest %(organisation)s, %(period)s") % {
            "organisation": access.organisation.name,
            "period": content.period_label,
        }
        if test:
            subject = _("[Test] %(subject)s") % {"subject": subject}
        context = {"digest": content}
        text = render_to_string("kto/gap/digest_email.txt", context)
        html = render_to_string("kto/gap/digest_email.html", context)
    return DigestMessage(subject=subject, text=text, html=html, content=content, language=language)


def _enqueue(*, access: Access, message: DigestMessage, to: list[str], contracts, period_start):
    pdf, _pages = gap_report_pdf(
        access=access, contracts=contracts, period_start=period_start, language=message.language
    )
    filename = f"regie-gaps-{access.organisation.slug}-{period_start:%Y-%m}.pdf"
    return outbox_enqueue(
        to=to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        organisation=access.organisation,
        attachments=[(filename, pdf, "application/pdf")],
    )


def client_recipients(organisation, schedule) -> dict[str, list[str]]:
    """The client's recipients by the language each reads (see `emails_by_language`)."""
    roles = []
    if schedule.include_contract_managers:
        roles.append(Role.CONTRACT_MANAGER)
    if schedule.include_business_owners:
        roles.append(Role.BUSINESS_OWNER)
    if not roles:
        return {}
    users = get_user_model().objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__role__in=roles
    )
    return emails_by_language(users, default=organisation.default_language)


def gap_digest_send(
    *, organisation: Organisation, period_start: date, schedule_key: str
) -> GapDigest | None:
    """Send the digest for (organisation, period, schedule slot) once: the marker row, what it
    reported and the outbox messages commit together, so a doubled or retried task finds the
    marker and stops."""
    with tenant_scope(system_access(organisation)):
        return _send_once(organisation, period_start, schedule_key)


def _send_once(organisation, period_start, schedule_key) -> GapDigest | None:
    schedule = digest_schedule(organisation=organisation)
    with transaction.atomic():
        digest, created = GapDigest.objects.get_or_create(
            organisation=organisation, period_start=period_start, schedule_key=schedule_key
        )
        if not created:
            logger.info("Gap digest %s already sent", digest)
            return None
        access = system_access(organisation)
        baseline = gap_digest_baseline(organisation=organisation, exclude_pk=digest.pk)
        contracts = list(contract_selectors.contract_list(access=access))
        count = 0
        for language, recipients in client_recipients(organisation, schedule).items():
            message = gap_digest_compose(
                access=access,
                period_start=period_start,
                contracts=contracts,
                baseline=baseline,
                language=language,
            )
            _enqueue(
                access=access,
                message=message,
                to=recipients,
                contracts=contracts,
                period_start=period_start,
            )
            count += len(recipients)
        if schedule.include_suppliers:
            count += _send_to_suppliers(organisation, contracts, period_start, baseline)
        digest.recipients = count
        digest.reported = gap_digest_record(
            flags=list(gap_flag_list(access=access, period_start=period_start)),
            baseline=baseline,
            period_start=period_start,
        )
        digest.save(update_fields=["recipients", "reported"])
    return digest


def _send_to_suppliers(organisation, contracts, period_start, baseline) -> int:
    """Each supplier gets a digest about its own contracts only, in each reader's language."""
    count = 0
    by_supplier = {}
    for contract in contracts:
        by_supplier.setdefault(contract.supplier, []).append(contract)
    for supplier, own in by_supplier.items():
        users = get_user_model().objects.filter(
            is_active=True, supplier_membership__supplier=supplier
        )
        access = supplier_system_access(organisation, supplier)
        languages = emails_by_language(users, default=organisation.default_language)
        for language, emails in languages.items():
            message = gap_digest_compose(
                access=access,
                period_start=period_start,
                contracts=own,
                baseline=baseline,
                language=language,
            )
            _enqueue(
                access=access, message=message, to=emails, contracts=own, period_start=period_start
            )
            count += len(emails)
    return count


# --- preview and test -------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestPreview:
    """The client's digest of the latest closed month as it would go out now."""

    message: DigestMessage
    # (address, language code) per recipient, in address order.
    recipients: list[tuple[str, str]]
    include_suppliers: bool


def gap_digest_preview(*, access: Access, today: date | None = None) -> DigestPreview:
    """What the organisation's managers would get for the latest closed month, compared with
    the latest digest sent; nothing is sent or recorded. Client managers only."""
    access.require(access.is_client and access.may("gaps.manage"))
    organisation = access.organisation
    period_start, _end = latest_closed_period(today or timezone.localdate())
    schedule = digest_schedule(organisation=organisation)
    message = gap_digest_compose(
        access=access,
        period_start=period_start,
        contracts=list(contract_selectors.contract_list(access=access)),
        baseline=gap_digest_baseline(organisation=organisation),
        language=translation.get_language() or organisation.default_language,
    )
    by_language = client_recipients(organisation, schedule)
    return DigestPreview(
        message=message,
        recipients=sorted(
            (email, language) for language, emails in by_language.items() for email in emails
        ),
        include_suppliers=schedule.include_suppliers,
    )


def gap_digest_test_request(*, access: Access, user, today: date | None = None) -> str:
    """Queue a test digest of the latest closed month to `user` alone (a task renders its PDF
    and puts it in the outbox). Records no `GapDigest`. Returns the address it goes to; a
    user without one is a ValidationError."""
    access.require(access.is_client and access.may("gaps.manage") and access.user_id == user.pk)
    if not user.email:
        raise ValidationError(_("Your account has no e-mail address to send the test to."))
    period_start, _end = latest_closed_period(today or timezone.localdate())
    enqueue_on_commit(
        "kto.gaps.tasks.task_send_gap_digest_test",
        kwargs={
            "organisation_id": access.organisation.pk,
            "user_id": user.pk,
            "period_start": period_start.isoformat(),
        },
        what="Test gap digest",
    )
    return user.email


def gap_digest_send_test(*, organisation: Organisation, user_id: int, period_start: date):
    """Put one test digest for `period_start` in the outbox, to the user alone, subject marked
    as a test, compared with the latest digest sent. Nothing when the user is no longer an
    active contract manager of the organisation or has no address."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    manager = Membership.objects.filter(
        user_id=user_id, organisation=organisation, role=Role.CONTRACT_MANAGER
    ).exists()
    if user is None or not manager or not user.email:
        logger.info("Test gap digest for user %s not sent: no manager with an address", user_id)
        return None
    access = system_access(organisation)
    with tenant_scope(access), transaction.atomic():
        contracts = list(contract_selectors.contract_list(access=access))
        message = gap_digest_compose(
            access=access,
            period_start=period_start,
            contracts=contracts,
            baseline=gap_digest_baseline(organisation=organisation),
            language=language_of(user, default=organisation.default_language),
            test=True,
        )
        return _enqueue(
            access=access,
            message=message,
            to=[user.email],
            contracts=contracts,
            period_start=period_start,
        )
