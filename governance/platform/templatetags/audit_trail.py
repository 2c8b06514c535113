"""`{% history_section record %}`: the History section of a record's page."""

from django import template

from governance.platform.trail import record_history

register = template.Library()

SHOWN = 50  # the newest entries on the page; the API and the export have all of them


@register.inclusion_tag("includes/history.html", takes_context=True)
def history_section(context, record, *related):
    """The record's history, newest first, as the viewer may read it (a supplier's user
    never sees the fields the record keeps for the client); `related` names reverse relations
    whose rows' histories join in for client members (e.g. a service's "opening_hours")."""
    access = context["request"].access
    entries = record_history(record, access=access, related=related)
    return {
        "entries": entries[:SHOWN],
        "more": max(0, len(entries) - SHOWN),
        "with_types": bool(related),
    }
