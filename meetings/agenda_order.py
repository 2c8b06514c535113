"""The order and numbering of an agenda: each item from the data nests under the standard topic
it belongs to (4.1, 4.2 …), items added by hand under "Any other business", and the closing
stays last.

Standard topics are stored as text (the series' template is editable), so a topic is
recognised by its wording in any of the site's languages; an item whose topic is not on the
template goes under the last topic before the closing ones.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from meetings.models import AgendaItem, Meeting, Source

OPENING = gettext_noop("Opening and agenda")
MINUTES = gettext_noop("Minutes and actions of last meeting")
SLA_PERIOD = gettext_noop("Service levels of the period and deviation analyses")
INCIDENTS = gettext_noop("Incidents, changes and complaints")
SLA_GAP = gettext_noop("Service level trend and satisfaction gap")
COMPLAINTS = gettext_noop("Complaint trends and improvement proposals")
AUDITS = gettext_noop("Audit findings and exercises")
SIPS = gettext_noop("Service Improvement Programmes")
RELATIONSHIP = gettext_noop("Relationship and contract")
SATISFACTION = gettext_noop("Satisfaction trends and the stakeholder triangle")
OTHER_BUSINESS = gettext_noop("Any other business")
CLOSING = gettext_noop("Closing")
CLOSING_TOPICS = (OTHER_BUSINESS, CLOSING)

# Where each kind of data item belongs, in order of preference.
TOPIC_OF_SOURCE: dict[str, tuple[str, ...]] = {
    Source.CARRIED_ACTION: (MINUTES,),
    Source.SLA_MISSED: (SLA_PERIOD, SLA_GAP),
    Source.OVERDUE_ACTION: (INCIDENTS, AUDITS),
    Source.OVERDUE_COMPLAINT: (INCIDENTS, COMPLAINTS),
    Source.GAP_FLAG: (SLA_GAP, SATISFACTION),
    Source.DISPUTED_REPORT: (SLA_GAP, SLA_PERIOD, RELATIONSHIP),
    Source.COMPLAINT_TREND: (COMPLAINTS, INCIDENTS),
    Source.PROPOSAL: (COMPLAINTS,),
    Source.AUDIT_FINDING: (AUDITS,),
    Source.EXERCISE: (AUDITS,),
    Source.SIMULATION: (AUDITS,),
    Source.SIMULATION_PROPOSAL: (AUDITS,),
    Source.SIP: (SIPS,),
    Source.CONTRACT: (RELATIONSHIP,),
    Source.PREPARATION: (MINUTES, RELATIONSHIP),
    Source.KTO_TREND: (SATISFACTION, SLA_GAP),
    Source.MANUAL: (OTHER_BUSINESS,),
}


def topic_msgid(title: str) -> str | None:
    """The standard topic's msgid when `title` is its wording in one of the site's languages
    (a leading "8. " numbering typed by hand is allowed)."""
    wanted = _normalise(title)
    for msgid, wordings in _wordings().items():
        if wanted in wordings:
            return msgid
    return None


def _normalise(text: str) -> str:
    text = " ".join(text.split()).casefold()
    head, _dot, rest = text.partition(". ")
    return rest if head.isdigit() and rest else text


@functools.cache
def _wordings() -> dict[str, set[str]]:
    topics = {
        *CLOSING_TOPICS,
        OPENING,
        MINUTES,
        *{t for ts in TOPIC_OF_SOURCE.values() for t in ts},
    }
    result = {}
    for msgid in topics:
        wordings = {_normalise(msgid)}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                wordings.add(_normalise(translation.gettext(msgid)))
        result[msgid] = wordings
    return result


def arranged(items: list[AgendaItem]) -> list[AgendaItem]:
    """The items in agenda order: each standard topic followed by the items that belong to it;
    items are never dropped. Sets `topic_id` on every item to its topic's pk (None for a
    topic or when there are no standard topics)."""
    items = sorted(items, key=lambda i: (i.position, i.pk or 0))
    topics = [i for i in items if i.source == Source.TEMPLATE]
    if not topics:
        for item in items:
            item.topic_id = None
        return items
    by_msgid: dict[str, AgendaItem] = {}
    for topic in topics:
        msgid = topic_msgid(topic.title)
        if msgid is not None:
            by_msgid.setdefault(msgid, topic)
    closing = [t for t in topics if topic_msgid(t.title) in CLOSING_TOPICS]
    before_closing = [t for t in topics if t not in closing]
    fallback = (before_closing or topics)[-1]
    children: dict[int, list[AgendaItem]] = {t.pk: [] for t in topics}
    for item in items:
        if item.source == Source.TEMPLATE:
            item.topic_id = None
            continue
        topic = next(
            (by_msgid[m] for m in TOPIC_OF_SOURCE.get(item.source, ()) if m in by_msgid),
            fallback,
        )
        item.topic_id = topic.pk
        children[topic.pk].append(item)
    result = []
    for topic in topics:
        result.append(topic)
        result.extend(children[topic.pk])
    return result


def numbered(items: list[AgendaItem]) -> list[AgendaItem]:
    """The items in agenda order with `number` set: "4" for a standard topic, "4.1", "4.2"
    for the items under it; without standard topics, 1, 2, 3."""
    result = arranged(list(items))
    top = sub = 0
    for item in result:
        if item.topic_id is None:
            top += 1
            sub = 0
            item.number = str(top)
        else:
            sub += 1
            item.number = f"{top}.{sub}"
    return result


def arrange_positions(*, meeting: Meeting) -> None:
    """Store the agenda order in `position` (10, 20, …), so every list and export that
    orders by position shows data items under their topic and the closing last."""
    items = arranged(list(meeting.items.all()))
    changed = []
    for index, item in enumerate(items, start=1):
        if item.position != index * 10:
            item.position = index * 10
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])
