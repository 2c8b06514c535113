"""Erasure requests, from both entry points: a contract manager for a named person (privacy
page) and the complainant itself (tracking link). Afterwards every text, e-mail and JSON
column of every table is searched for the person's address and name: nothing is left but a
record that an erasure happened."""

from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints import selectors as complaint_selectors
from complaints import services as complaint_services
from complaints.models import Attachment, Complaint, Status
from complaints.uploads import CheckedFile
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import ErasureRecord, Membership, OutboxMessage, Role
from kto.models import Invitation, StakeholderGroup
from kto.tokens import new_salt
from tests.complaints.conftest import AMSTERDAM, file_complaint
from tests.conftest import make_user
from tests.kto.helpers import make_survey

EMAIL, NAME = "Erik.Wisser@example.test", "Erik Wisser"
OTHER = "keep.me@example.test"
PNG = CheckedFile("scan.png", "image/png", b"\x89PNG\r\n\x1a\n")
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


@pytest.fixture
def client():
    """English pages (the portal's default language is Dutch)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def everywhere(needle: str) -> dict[str, int]:
    """{"app.Model.field": rows} for every row of every table whose text, e-mail or JSON
    column contains `needle` (case-insensitive)."""
    found = {}
    with scopes_disabled():
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, TEXT_FIELDS):
                    continue
                rows = model._base_manager.filter(**{f"{field.name}__icontains": needle}).count()
                if rows:
                    found[f"{model._meta.label}.{field.name}"] = rows
    return found


@pytest.fixture
def person(world):
    """The person's data in every place it can sit, and another person's that must stay."""
    moment = datetime(2026, 3, 4, 10, tzinfo=AMSTERDAM)
    mine = [
        file_complaint(
            world.alpha,
            now=moment + timedelta(days=n),
            name=NAME,
            email=EMAIL,
            phone="0611122233",
            consent_to_contact=True,
            attachments=[PNG],
            description=f"Ik ben {NAME} en de printer doet het niet ({n}).",
        )
        for n in range(2)
    ]
    theirs = file_complaint(
        world.alpha,
        now=moment,
        name="Kees Blijft",
        email=OTHER,
        attachments=[PNG],
        description=f"Mijn collega {EMAIL.lower()} had hetzelfde probleem.",
    )
    access = system_access(world.alpha)
    with tenant_scope(access):
        complaint_services.complaint_note_add(
            access=access, complaint=mine[0], text=f"Gebeld met {NAME}, {EMAIL}."
        )
        complaint_services.complaint_message_send(
            access=access, complaint=mine[0], text=f"Beste {NAME}, we zijn ermee bezig."
        )
        resolved = complaint_services.complaint_transition(
            access=access, complaint=mine[0], to=Status.RESOLVED, text=f"Opgelost voor {NAME}."
        )
        complaint_services.verdict_submit(
            complaint=resolved,
            resolved_for_me=True,
            handling_score=4,
            kept_informed=5,
            comment=f"Groet, {NAME}",
        )
    surveys = [make_survey(world.alpha, [world.alpha_contract], title=f"KTO {n}") for n in range(2)]
    with scopes_disabled():
        for survey in surveys:
            for address in (EMAIL.lower(), OTHER):
                Invitation.objects.create(
                    organisation=world.alpha,
                    survey=survey,
                    email=address,
                    group=StakeholderGroup.END_USERS,
                    contract=world.alpha_contract,
                    status=Invitation.Status.INVITED,
                    salt=new_salt(),
                    token_hash=new_salt() * 2,
                )
    return {"mine": mine, "theirs": theirs}


def _figures(world):
    access = system_access(world.alpha)
    with tenant_scope(access):
        return (
            Complaint.objects.filter(organisation=world.alpha).count(),
            complaint_selectors.verdict_summary(access=access),
            Invitation.objects.filter(organisation=world.alpha, status="invited").count(),
        )


def _assert_person_gone(world, person):
    assert everywhere(EMAIL) == {}
    assert everywhere(NAME) == {}
    with scopes_disabled():
        mine = [Complaint.objects.get(pk=c.pk) for c in person["mine"]]
        theirs = Complaint.objects.get(pk=person["theirs"].pk)
        attachments = sorted(Attachment.objects.values_list("complaint_id", flat=True))
        kept_invitations = Invitation.objects.filter(email=OTHER).count()
        kept_mail = OutboxMessage.objects.filter(to=[OTHER]).count()
    assert [(c.name, c.email, c.phone, c.consent_to_contact) for c in mine] == [
        ("", "", "", False)
    ] * 2
    assert mine[0].description == "Ik ben […] en de printer doet het niet (0)."
    # The other person keeps everything, except the mention of the erased address.
    assert (theirs.name, theirs.email) == ("Kees Blijft", OTHER)
    assert theirs.description == "Mijn collega […] had hetzelfde probleem."
    assert attachments == [theirs.pk]
    assert (kept_invitations, kept_mail) == (2, 1)


# What goes, counted by hand: two complaints of the person and the other one mentioning the
# address; their two attachments; the note, the message and the resolution on the timeline;
# two invitations; the mails: received ×2, message, resolved.
EXPECTED_COUNTS = {
    "complaints": 3,
    "complaint_attachments": 2,
    "complaint_events": 3,
    "survey_invitations": 2,
    "outbox_messages": 4,
}


def test_a_contract_manager_erases_a_named_person(world, person, client):
    figures = _figures(world)
    assert everywhere(EMAIL) != {}  # there is something to find before
    client.force_login(world.alice)
    url = reverse("privacy:erase", args=["alpha"])
    preview = client.post(url, {"email": EMAIL.upper()})
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "14 records of erik.wisser@example.test will be anonymised." in body
    assert everywhere(EMAIL) != {}  # the preview changed nothing

    done = client.post(url, {"email": EMAIL.upper(), "confirm": "True"})
    assert (done.status_code, done["Location"]) == (
        302,
        reverse("privacy:settings", args=["alpha"]),
    )
    _assert_person_gone(world, person)
    assert _figures(world) == figures
    with scopes_disabled():
        record = ErasureRecord.objects.get()
    assert (record.reason, record.requested_by, record.counts) == (
        "manager",
        world.alice,
        EXPECTED_COUNTS,
    )
    page = client.get(reverse("privacy:settings", args=["alpha"])).content.decode()
    assert "Request handled by a contract manager" in page and "alice" in page


def test_the_complainant_erases_from_its_tracking_link(world, person, client):
    figures = _figures(world)
    token = person["mine"][1].token
    confirm = client.get(reverse("complaints_public:track_erase", args=[token]))
    assert confirm.status_code == 200
    assert everywhere(EMAIL) != {}  # asking is not erasing

    done = client.post(reverse("complaints_public:track_erase", args=[token]), {"confirm": "yes"})
    assert done.status_code == 200
    assert 'data-testid="erased"' in done.content.decode()
    _assert_person_gone(world, person)
    assert _figures(world) == figures
    with scopes_disabled():
        record = ErasureRecord.objects.get()
    assert (record.reason, record.requested_by, record.counts) == (
        "complainant",
        None,
        EXPECTED_COUNTS,
    )
    # The old private link opens nothing any more.
    assert client.get(reverse("complaints_public:track", args=[token])).status_code == 404


def test_an_anonymous_complainant_erases_its_own_complaint_only(world, client):
    anonymous = file_complaint(world.alpha, name="Zonder Adres", attachments=[PNG])
    other = file_complaint(world.alpha, name="Iemand Anders", attachments=[PNG])
    url = reverse("complaints_public:track_erase", args=[anonymous.token])
    assert client.post(url, {"confirm": "yes"}).status_code == 200
    with scopes_disabled():
        names = dict(Complaint.objects.values_list("pk", "name"))
        attachments = list(Attachment.objects.values_list("complaint_id", flat=True))
        record = ErasureRecord.objects.get()
    assert names == {anonymous.pk: "", other.pk: "Iemand Anders"}
    assert attachments == [other.pk]
    assert record.counts == {"complaints": 1, "complaint_attachments": 1}


def test_a_post_without_confirmation_erases_nothing(world, person, client):
    url = reverse("complaints_public:track_erase", args=[person["mine"][0].token])
    assert client.post(url, {}).status_code == 200
    with scopes_disabled():
        assert ErasureRecord.objects.count() == 0
    assert everywhere(NAME) != {}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.BUSINESS_OWNER, Role.AUDITOR])
def test_only_contract_managers_handle_erasure_requests(world, person, client, role):
    member = make_user(f"member-{role}")
    with scopes_disabled():
        Membership.objects.create(user=member, organisation=world.alpha, role=role)
    client.force_login(member)
    url = reverse("privacy:erase", args=["alpha"])
    refused = client.post(url, {"email": EMAIL, "confirm": "True"})
    assert refused.status_code == 403
    with scopes_disabled():
        assert ErasureRecord.objects.count() == 0


def test_a_bad_address_is_refused_with_its_reason(world, client):
    client.force_login(world.alice)
    response = client.post(reverse("privacy:erase", args=["alpha"]), {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    with scopes_disabled():
        assert ErasureRecord.objects.count() == 0
