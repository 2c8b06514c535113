"""Memberships' invitations and the organisation's settings in the audit trail: who (user and
side), when, and before → after for an invitation's life, the second-factor rule, the privacy
settings and webhook endpoints."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.models import HistoricalRecords

from governance.accounts.services import organisation_mfa_set
from governance.platform import webhooks
from governance.platform.access import access_for
from governance.platform.history import Side
from governance.platform.models import (
    Invitation,
    Organisation,
    PrivacySettings,
    WebhookEndpoint,
)
from governance.platform.trail import record_history
from tests.governance.test_members import accept_url, invite, newcomer, token_from_mail


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def changes(entry):
    return {c.name: (c.before, c.after) for c in entry.changes}


def history(record):
    with scopes_disabled():
        return list(type(record).history.filter(id=record.pk).order_by("history_id"))


def test_an_invitation_is_recorded_when_sent_and_when_accepted(world, client_as, client):
    assert invite(client_as(world.alice), "nel@example.test").status_code == 302
    token = token_from_mail("nel@example.test")
    client.logout()
    assert client.post(accept_url(token), newcomer()).status_code == 302
    invitation = Invitation.objects.get()
    sent, accepted = history(invitation)
    assert (sent.history_type, sent.history_user, sent.history_side) == (
        "+",
        world.alice,
        Side.CLIENT,
    )
    assert (sent.email, sent.role, sent.accepted_at) == ("nel@example.test", "business_owner", None)
    assert accepted.history_type == "~"
    assert accepted.accepted_by_id == invitation.accepted_by_id
    # The hashed link never reaches the trail.
    assert not hasattr(sent, "token_hash")
    with scopes_disabled():
        entries = record_history(invitation, access=access_for(world.alice, world.alpha))
    assert set(changes(entries[0])) == {"accepted_at", "accepted_by"}
    assert changes(entries[0])["accepted_by"][1] == "Nel Nieuw"


def test_a_newer_invitation_withdraws_the_pending_one_in_the_trail(world, client_as):
    manager = client_as(world.alice)
    invite(manager, "nel@example.test", role="viewer")
    invite(manager, "nel@example.test", role="auditor")
    first, second = Invitation.objects.order_by("pk")
    assert [r.history_type for r in history(first)] == ["+", "~"]
    withdrawn = history(first)[-1]
    assert withdrawn.revoked_at == first.revoked_at
    assert (withdrawn.history_user, withdrawn.history_side) == (world.alice, Side.CLIENT)
    assert [r.history_type for r in history(second)] == ["+"]


def test_withdrawing_an_invitation_is_one_row(world, client_as):
    manager = client_as(world.alice)
    invite(manager, "nel@example.test")
    invitation = Invitation.objects.get()
    response = manager.post(
        reverse("members:invitation_withdraw", kwargs={"org_slug": "alpha", "pk": invitation.pk})
    )
    assert response.status_code == 302
    created, withdrawn = history(invitation)
    invitation.refresh_from_db()
    assert (withdrawn.history_type, withdrawn.revoked_at) == ("~", invitation.revoked_at)


def test_the_second_factor_rule_is_in_the_trail_and_its_export(world, as_user, client):
    as_user(world.alice)
    access = access_for(world.alice, world.alpha)
    organisation_mfa_set(access=access, required=True, verified=True)
    # Saving it unchanged adds nothing.
    organisation_mfa_set(access=access, required=True, verified=True)
    organisation_mfa_set(access=access, required=False, verified=True)
    rows = history(world.alpha)
    assert [(r.history_type, r.mfa_required, r.history_user) for r in rows] == [
        ("+", False, None),  # the test world's set-up
        ("~", True, world.alice),
        ("~", False, world.alice),
    ]
    del HistoricalRecords.context.request
    client.force_login(world.alice)
    today = timezone.localdate().isoformat()
    export = client.get(
        reverse("history_export", kwargs={"org_slug": "alpha"}), {"start": today, "end": today}
    )
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    changed = [line for line in lines if line[1] == "organisation" and line[3] == "changed"]
    assert [line[1:] for line in changed] == [
        [
            "organisation",
            str(world.alpha.pk),
            "changed",
            "alice@example.test",
            "client",
            "require two-factor authentication",
            "yes",
            "no",
        ],
        [
            "organisation",
            str(world.alpha.pk),
            "changed",
            "alice@example.test",
            "client",
            "require two-factor authentication",
            "no",
            "yes",
        ],
    ]
    # Another organisation's settings stay out of Alpha's trail.
    assert {line[2] for line in lines[1:] if line[1] == "organisation"} == {str(world.alpha.pk)}
    with scopes_disabled():
        assert Organisation.history.filter(id=world.beta.pk).count() == 1


def test_privacy_settings_through_the_page_and_the_api(world, client_as):
    manager = client_as(world.alice)
    page = manager.post(
        reverse("privacy:settings", kwargs={"org_slug": "alpha"}),
        {
            "complaint_contact_months": 24,
            "participant_email_months": 6,
            "contact_name": "Privacy office",
            "contact_email": "privacy@example.test",
        },
    )
    assert page.status_code == 302
    api = manager.patch(
        reverse("api:privacy-settings", kwargs={"org_slug": "alpha"}),
        {"participant_email_months": 4},
        content_type="application/json",
    )
    assert api.status_code == 200, api.content
    settings = PrivacySettings.objects.get(organisation=world.alpha)
    created, changed = history(settings)
    assert (created.history_type, created.complaint_contact_months) == ("+", 24)
    assert (changed.history_type, changed.participant_email_months) == ("~", 4)
    assert {created.history_user, changed.history_user} == {world.alice}
    with scopes_disabled():
        (latest, first) = record_history(settings, access=access_for(world.alice, world.alpha))
    assert changes(latest) == {"participant_email_months": ("6", "4")}


def test_a_refused_privacy_change_leaves_no_row(world, client_as):
    response = client_as(world.alice).patch(
        reverse("api:privacy-settings", kwargs={"org_slug": "alpha"}),
        {"participant_email_months": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert PrivacySettings.history.count() == 0


def test_webhook_endpoint_life_without_its_secret(world, as_user):
    as_user(world.alice)
    access = access_for(world.alice, world.alpha)
    with scopes_disabled():
        endpoint = WebhookEndpoint(
            organisation=world.alpha,
            name="Service desk",
            url="https://hooks.example.test/regie",
            events=["finding.raised"],
            secret=webhooks.new_secret(),
            created_by=world.alice,
        )
        endpoint.save()
        webhooks.webhook_rotate(access=access, endpoint=endpoint)
        endpoint.active = False
        endpoint.disabled_reason = "5 failed deliveries in a row"
        endpoint.consecutive_failures = 5
        endpoint.save(update_fields=["consecutive_failures", "active", "disabled_reason"])
        webhooks.webhook_enable(access=access, endpoint=endpoint)
        rows = history(endpoint)
        # Rotating changes the secret only, which the trail leaves out: no row of its own.
        assert [r.history_type for r in rows] == ["+", "~", "~"]
        assert not hasattr(rows[0], "secret")
        entries = record_history(endpoint, access=access)
    assert changes(entries[0]) == {
        "active": ("no", "yes"),
        "disabled_reason": ("5 failed deliveries in a row", ""),
    }
    assert changes(entries[1]) == {
        "active": ("yes", "no"),
        "disabled_reason": ("", "5 failed deliveries in a row"),
    }
