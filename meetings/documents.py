"""The agenda pack and the minutes as PDF, per audience, through governance.platform.pdf."""

from django.utils import translation

from governance.platform.access import Access
from governance.platform.pdf import render_pdf_with_pages
from meetings import agenda_order, selectors
from meetings.models import MeetingDocument
from meetings.preparation import local_today


def audience_access(document: MeetingDocument) -> Access:
    """The supplier's copy is built with the supplier's view: no client-only items, no notes."""
    organisation = document.organisation
    supplier = None
    if document.audience == MeetingDocument.Audience.SUPPLIER:
        supplier = document.meeting.series.contract.supplier
    return Access(organisation=organisation, user_id=None, supplier=supplier)


def context_for(document: MeetingDocument) -> dict:
    meeting = document.meeting
    access = audience_access(document)
    items = agenda_order.numbered(selectors.item_list(access=access, meeting=meeting))
    return {
        "organisation": document.organisation,
        "meeting": meeting,
        "series": meeting.series,
        "items": items,
        "attendance": list(selectors.attendance_for(meeting=meeting)),
        "absent": selectors.absent_required_roles(meeting=meeting),
        "actions": list(selectors.action_list(access=access, meeting=meeting)),
        "carried": list(selectors.open_actions_before(access=access, meeting=meeting)),
        "missing": selectors.missing_preparation(
            items=items, today=local_today(meeting.organisation)
        ),
        "show_internal": document.audience == MeetingDocument.Audience.CLIENT,
    }


def render(*, document: MeetingDocument) -> tuple[bytes, int]:
    template = f"meetings/pdf/{document.kind}.html"
    with translation.override(document.organisation.default_language):
        return render_pdf_with_pages(template, context_for(document))
