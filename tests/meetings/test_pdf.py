"""The agenda pack and the minutes as PDF, rendered by the worker task, per audience."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform.access import Access
from governance.platform.models import TaskRun
from meetings import services
from meetings.models import MeetingDocument
from meetings.tasks import task_render_meeting_document
from tests.meetings.helpers import make_meetings
from tests.pdf_text import keep_pdf, pdf_text


def render(world, meeting, kind, access):
    with scopes_disabled():
        document = services.document_request(meeting=meeting, kind=kind, access=access)
    task_render_meeting_document(organisation_id=world.alpha.pk, document_id=document.pk)
    with scopes_disabled():
        return MeetingDocument.objects.get(pk=document.pk)


def text_of(pdf: bytes, name: str) -> str:
    keep_pdf(pdf, name)
    return pdf_text(pdf)


def test_agenda_pack_and_minutes_are_valid_pdfs_per_audience(world, client_as):
    found = make_meetings(world)
    manager = Access(organisation=world.alpha, user_id=world.alice.pk, role="contract_manager")
    supplier = Access(organisation=world.alpha, user_id=world.bob.pk, supplier=world.northwind)
    minutes = render(world, found.past, "minutes", manager)
    agenda = render(world, found.past, "agenda", manager)
    supplier_minutes = render(world, found.past, "minutes", supplier)
    for document in (minutes, agenda, supplier_minutes):
        pdf = bytes(document.pdf)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        assert (document.status, document.pages >= 1) == ("ready", True)
    with scopes_disabled():
        runs = list(TaskRun.objects.values_list("status", flat=True))
    assert runs == ["succeeded"] * 3

    client_text = text_of(bytes(minutes.pdf), "meeting-minutes")
    agenda_text = text_of(bytes(agenda.pdf), "meeting-agenda")
    supplier_text = text_of(bytes(supplier_minutes.pdf), "meeting-minutes-supplier")
    assert ("Internal: budget pressure" in client_text, "Extend desk hours" in client_text) == (
        True,
        True,
    )
    assert "Desk availability" in agenda_text
    assert ("Internal: budget pressure" in supplier_text, "Client-only" in supplier_text) == (
        False,
        False,
    )

    # Each side downloads only its own copy.
    bob = client_as(world.bob)
    url = reverse("meetings:document_download", args=["alpha", minutes.pk])
    own = reverse("meetings:document_download", args=["alpha", supplier_minutes.pk])
    assert (bob.get(url).status_code, bob.get(own).status_code) == (404, 200)


def test_minutes_pdf_needs_a_held_meeting(world):
    from django.core.exceptions import ValidationError

    found = make_meetings(world)
    manager = Access(organisation=world.alpha, user_id=world.alice.pk, role="contract_manager")
    with scopes_disabled(), pytest.raises(ValidationError):
        services.document_request(meeting=found.upcoming, kind="minutes", access=manager)
