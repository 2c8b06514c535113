"""`{% history_section record %}`: the History section of a record's page."""

from django import template
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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
    shown = entries[:SHOWN]
    return {
        "entries": shown,
        "history_lines": history_lines(shown, context),
        "more": max(0, len(entries) - SHOWN),
        "with_types": bool(related),
    }


def history_lines(entries, context) -> SafeString:
    """The table rows of the entries: one per changed field, the entry's time, user and action
    spanning its rows. Written here rather than by a template loop (a record with fifty
    entries has hundreds of lines); every value goes through the template engine's own
    rendering (`render_value_in_context`: local time, localisation, escaping), so the rows are
    what the loop gave."""

    autoescape = context.autoescape

    def text(value) -> str:
        if type(value) is str and autoescape:
            return escape(value)  # what the engine does with a plain string
        return render_value_in_context(value, context)

    parts = []
    for entry in entries:
        lines = entry.lines
        span = text(len(lines))
        for number, change in enumerate(lines):
            parts.append('\n        <tr data-testid="history-line">\n          ')
            if number == 0:
                parts.append(
                    f'<td rowspan="{span}">{text(entry.when)}</td>\n'
                    f'          <td rowspan="{span}">{text(entry.user or _("system"))} '
                    f"<small>({text(entry.side_label)})</small></td>\n"
                    f'          <td rowspan="{span}">{text(entry.action_label)}</td>'
                )
            before = f"<del>{text(change.before)}</del>" if change.before else ""
            after = f"<ins>{text(change.after)}</ins>" if change.after else ""
            parts.append(
                f"\n          <td>{text(change.label)}</td><td>{before}</td><td>{after}</td>"
                "\n        </tr>\n      "
            )
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through text()
