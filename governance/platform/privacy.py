"""Personal data of people without an account: how long it is kept, and how it goes.

A registry of handlers in the manner of a data shredder: each app that holds personal data of
complainants or survey participants registers one `PersonalData` handler in its
AppConfig.ready(), saying what it keeps, why, under which retention setting, and how to
anonymise what has expired and everything of one person. The platform runs them: the nightly
retention job (`retention_run`) and an erasure request (`person_erase`, from the complainant's
tracking link or by a contract manager), and scrubs the outbox messages to that person itself.
What stays behind is an `ErasureRecord`: who asked, when, how many rows — never whose or what.
"""

from __future__ import annotations

import calendar
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.platform.access import Access
from governance.platform.models import (
    ErasureRecord,
    Organisation,
    OutboxAttachment,
    OutboxMessage,
    PrivacySettings,
)

logger = logging.getLogger(__name__)

# What replaces a scrubbed piece of text, and the domain of addresses that replace erased ones
# (".invalid" is reserved: nothing is ever delivered there, RFC 2606).
ERASED = "[…]"
ERASED_DOMAIN = "erased.invalid"
ERASED_BODY = "—"


@dataclass(frozen=True)
class Expired:
    """What a handler anonymised: rows per kind, and the addresses that went (so the outbox
    messages to them from before the cut-off can go too)."""

    counts: dict[str, int] = field(default_factory=dict)
    addresses: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class PersonalData:
    """One app's personal data of people without an account.

    `expire(*, organisation, cutoff: datetime) -> Expired` anonymises what ended before
    `cutoff`; `erase(*, organisation, email: str, names: set[str]) -> dict[str, int]` anonymises
    everything of the person with that (lower-case) address, and `names(*, organisation, email)`
    gives the names that person left (scrubbed from texts too). All run inside the scope and
    the transaction of the caller. `kept`, `purpose` and `period_setting` feed the public
    privacy statement."""

    key: str
    kept: Callable[[], str]
    purpose: Callable[[], str]
    period_setting: str
    period_label: Callable[[int], str]
    expire: Callable[..., Expired]
    erase: Callable[..., dict[str, int]]
    names: Callable[..., set[str]] = lambda **kwargs: set()


_handlers: dict[str, PersonalData] = {}


def register(handler: PersonalData) -> None:
    _handlers[handler.key] = handler


def handlers() -> list[PersonalData]:
    return [_handlers[key] for key in sorted(_handlers)]


# --- settings ------------------------------------------------------------------------------


def privacy_settings_for(*, organisation: Organisation) -> PrivacySettings:
    """The organisation's retention settings (the defaults until a manager changes them)."""
    found = PrivacySettings.objects.filter(organisation=organisation).first()
    return found or PrivacySettings(organisation=organisation)


def may_handle_privacy(access: Access) -> bool:
    """Retention settings and erasure requests are the contract managers' business."""
    return not access.is_supplier and access.may("privacy.manage")


def privacy_settings_update(*, access: Access, **fields) -> PrivacySettings:
    """Change the retention periods and the privacy contact (contract managers only); invalid
    values raise ValidationError and change nothing."""
    access.require(may_handle_privacy(access))
    current = privacy_settings_for(organisation=access.organisation)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    return current


# --- helpers for handlers ------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` moved back `months` calendar months (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def erased_address() -> str:
    """A unique address that reaches nobody, to stand in for an erased one."""
    return f"erased-{uuid.uuid4().hex}@{ERASED_DOMAIN}"


def scrub_text(text: str, needles: Iterable[str]) -> str:
    """`text` with every occurrence of each needle (case-insensitive) replaced by a marker.
    Needles shorter than three characters are left alone: they would cut words apart."""
    for needle in sorted({n.strip() for n in needles if n and len(n.strip()) >= 3}, key=len)[::-1]:
        text = re.sub(re.escape(needle), ERASED, text, flags=re.IGNORECASE)
    return text


def normalise_email(email: str) -> str:
    """The address as stored for comparison, or ValidationError naming the field."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    return email


# --- the outbox ----------------------------------------------------------------------------


def outbox_scrub(
    *, organisation: Organisation, addresses: set[str], before: datetime | None = None
) -> int:
    """Outbox messages of the organisation to, or mentioning, any of `addresses`: recipients
    replaced, subject scrubbed, bodies and attachments removed; a message not yet sent is
    never sent. With `before`, only messages created before it. Returns how many."""
    addresses = {a.strip().lower() for a in addresses if a and a.strip()}
    if not addresses:
        return 0
    match = Q()
    for address in addresses:
        match |= (
            Q(to__icontains=address)
            | Q(body_text__icontains=address)
            | Q(body_html__icontains=address)
        )
    messages = OutboxMessage.objects.filter(match, organisation=organisation)
    if before is not None:
        messages = messages.filter(created_at__lt=before)
    scrubbed = 0
    for message in messages.select_for_update():
        message.to = [
            erased_address() if str(r).strip().lower() in addresses else r for r in message.to
        ]
        message.subject = scrub_text(message.subject, addresses)
        message.body_text = ERASED_BODY
        message.body_html = ""
        message.last_error = ""
        if message.status in (OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING):
            message.status = OutboxMessage.Status.FAILED
        message.save(
            update_fields=["to", "subject", "body_text", "body_html", "last_error", "status"]
        )
        OutboxAttachment.objects.filter(message=message).delete()
        scrubbed += 1
    return scrubbed


# --- the retention job and erasure requests ------------------------------------------------


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for kind, number in counts.items():
        total[kind] = total.get(kind, 0) + number


def retention_run(*, organisation: Organisation, now: datetime | None = None) -> dict[str, int]:
    """Anonymise every piece of personal data of the organisation whose retention period has
    passed, in one transaction; record the counts (when there were any) and log them."""
    now = now or timezone.now()
    current = privacy_settings_for(organisation=organisation)
    total: dict[str, int] = {}
    with transaction.atomic():
        for handler in handlers():
            cutoff = months_before(now, getattr(current, handler.period_setting))
            expired = handler.expire(organisation=organisation, cutoff=cutoff)
            _add(total, expired.counts)
            _add(
                total,
                {
                    "outbox_messages": outbox_scrub(
                        organisation=organisation, addresses=expired.addresses, before=cutoff
                    )
                },
            )
        total = {kind: number for kind, number in total.items() if number}
        if total:
            ErasureRecord.objects.create(
                organisation=organisation,
                reason=ErasureRecord.Reason.RETENTION,
                at=now,
                counts=total,
            )
    logger.info("Retention for organisation %s: %s", organisation.pk, total or "nothing expired")
    return total


def person_count(*, organisation: Organisation, email: str) -> dict[str, int]:
    """How many rows an erasure of `email` would anonymise (a dry run, rolled back)."""
    email = normalise_email(email)
    with transaction.atomic():
        counts = _erase(organisation=organisation, email=email)
        transaction.set_rollback(True)
    return counts


def _erase(*, organisation: Organisation, email: str) -> dict[str, int]:
    names: set[str] = set()
    for handler in handlers():
        names |= handler.names(organisation=organisation, email=email)
    total: dict[str, int] = {}
    for handler in handlers():
        _add(total, handler.erase(organisation=organisation, email=email, names=names))
    _add(total, {"outbox_messages": outbox_scrub(organisation=organisation, addresses={email})})
    return {kind: number for kind, number in total.items() if number}


@transaction.atomic
def person_erase(
    *, access: Access, email: str, reason: str, now: datetime | None = None
) -> ErasureRecord:
    """Erase or anonymise everything the organisation holds of the person with `email`:
    contact details and attachments of complaints, texts naming them, survey invitations and
    outbox messages. Leaves a record of the request without the address. Contract managers
    (reason "manager") or the system on the complainant's own request ("complainant")."""
    access.require(may_handle_privacy(access))
    email = normalise_email(email)
    counts = _erase(organisation=access.organisation, email=email)
    record = ErasureRecord.objects.create(
        organisation=access.organisation,
        reason=reason,
        requested_by_id=access.user_id,
        at=now or timezone.now(),
        counts=counts,
    )
    logger.info("Erasure %s for organisation %s: %s", record.pk, access.organisation.pk, counts)
    return record


def erasure_records(*, organisation: Organisation, limit: int = 20) -> list[ErasureRecord]:
    return list(
        ErasureRecord.objects.filter(organisation=organisation).select_related("requested_by")[
            :limit
        ]
    )
