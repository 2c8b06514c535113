"""The privacy statement (public, read from the settings), the contract managers' privacy page
and its API."""

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform.models import PrivacySettings
from tests.kto.helpers import make_survey


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


API = "/api/v1/o/alpha/privacy-settings/"


def _stored(world):
    with scopes_disabled():
        found = PrivacySettings.objects.filter(organisation=world.alpha).first()
    if found is None:
        return None
    return (found.complaint_contact_months, found.participant_email_months)


def test_the_statement_reads_the_settings_and_is_linked_from_form_and_survey(world, client):
    statement = reverse("privacy_statement", args=["alpha"])
    page = client.get(statement).content.decode()
    assert "12 months after the complaint is closed" in page
    assert "3 months after the survey closes" in page
    with scopes_disabled():
        PrivacySettings.objects.create(
            organisation=world.alpha,
            complaint_contact_months=1,
            participant_email_months=6,
            contact_name="Functionaris gegevensbescherming",
            contact_email="fg@alpha.example",
        )
    page = client.get(statement).content.decode()
    assert "1 month after the complaint is closed" in page
    assert "6 months after the survey closes" in page
    assert "fg@alpha.example" in page
    form = client.get(reverse("complaints_public:form", args=["alpha"])).content.decode()
    assert f'href="{statement}"' in form
    assert client.get(reverse("privacy_statement", args=["nobody"])).status_code == 404


def test_the_survey_page_links_the_statement(world, client):
    from kto.models import Invitation, StakeholderGroup
    from kto.tokens import INVITATION, derive_token, new_salt, token_hash

    survey = make_survey(world.alpha, [world.alpha_contract])
    salt = new_salt()
    with scopes_disabled():
        Invitation.objects.create(
            organisation=world.alpha,
            survey=survey,
            email="p@example.test",
            group=StakeholderGroup.END_USERS,
            contract=world.alpha_contract,
            status=Invitation.Status.INVITED,
            salt=salt,
            token_hash=token_hash(derive_token(INVITATION, salt)),
        )
    url = reverse("kto_public:answer", args=[derive_token(INVITATION, salt)])
    page = client.get(url).content.decode()
    assert f'href="{reverse("privacy_statement", args=["alpha"])}"' in page


def test_a_manager_saves_valid_settings_and_an_invalid_one_changes_nothing(world, client):
    client.force_login(world.alice)
    url = reverse("privacy:settings", args=["alpha"])
    data = {"complaint_contact_months": "18", "participant_email_months": "2"}
    assert client.post(url, data).status_code == 302
    assert _stored(world) == (18, 2)
    bad = client.post(url, {**data, "complaint_contact_months": "0"})
    assert bad.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in bad.content.decode()
    assert _stored(world) == (18, 2)


def test_the_api_reads_for_members_and_writes_for_managers(world, client):
    client.force_login(world.victor)
    assert client.get(API).json() == {
        "complaint_contact_months": 12,
        "participant_email_months": 3,
        "contact_name": "",
        "contact_email": "",
    }
    refused = client.patch(API, {"participant_email_months": 1}, content_type="application/json")
    assert (refused.status_code, _stored(world)) == (403, None)
    client.force_login(world.bob)
    assert client.get(API).status_code == 404
    client.force_login(world.alice)
    saved = client.patch(API, {"participant_email_months": 1}, content_type="application/json")
    assert (saved.status_code, saved.json()["participant_email_months"]) == (200, 1)
    bad = client.patch(API, {"complaint_contact_months": 121}, content_type="application/json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["complaint_contact_months"]
    assert _stored(world) == (12, 1)
