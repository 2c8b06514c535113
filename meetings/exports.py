"""Spreadsheet downloads of the meeting tables: the actions agreed in a meeting (CSV or
`?format=xlsx`), the same rows the meeting page lists to the same user."""

from django.utils.translation import gettext as _

from governance.platform.access import get_object_for
from governance.platform.exports import download
from meetings import selectors


def action_export(request, org_slug, pk):
    access = request.access
    meeting = get_object_for(access, selectors.meeting_list(access=access), pk=pk)
    header = [_("Action"), _("Owner side"), _("Owner"), _("Due"), _("Status"), _("Done")]
    rows = [
        [
            action.title,
            action.get_owner_side_display(),
            action.owner_name,
            action.due_date,
            action.get_status_display(),
            action.done_at.date() if action.done_at else None,
        ]
        for action in selectors.action_list(access=access, meeting=meeting)
    ]
    stem = f"meeting-actions-{meeting.starts_at:%Y-%m-%d}"
    return download(request.GET.get("format"), stem, header, rows)
