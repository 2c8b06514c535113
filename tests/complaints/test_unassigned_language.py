"""An assignment to nobody reads "nobody" in the reader's language, whoever clicked it; one
stored as a Dutch word before is converted."""

import importlib

from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from complaints import services
from complaints.models import ComplaintEvent
from governance.platform.access import system_access, tenant_scope
from tests.complaints.helpers import route_samples


def unassign_in_dutch(world):
    complaint = route_samples(world)["complaint"]
    access = system_access(world.alpha)
    with translation.override("nl"), tenant_scope(access):
        services.complaint_assign(access=access, complaint=complaint)
    return complaint


def events_read(client, complaint, language):
    url = reverse("complaints:complaint_detail", args=["alpha", complaint.pk])
    body = client.get(url, headers={"accept-language": language}).content.decode()
    return body.count("<p>nobody</p>"), body.count("<p>niemand</p>")


def test_unassigned_by_a_dutch_user_reads_in_each_readers_language(world, client_as):
    complaint = unassign_in_dutch(world)
    client = client_as(world.alice)
    assert events_read(client, complaint, "en") == (1, 0)
    assert events_read(client, complaint, "nl") == (0, 1)


def test_the_migration_clears_a_stored_dutch_nobody(world, client_as):
    complaint = unassign_in_dutch(world)
    with scopes_disabled():
        event = ComplaintEvent.objects.get(complaint=complaint, kind="assigned", text="")
        ComplaintEvent.objects.filter(pk=event.pk).update(text="niemand")
        migration = importlib.import_module(
            "complaints.migrations.0007_unassigned_event_in_readers_language"
        )
        migration.forwards(apps, None)
        event.refresh_from_db()
    assert event.text == ""
    assert events_read(client_as(world.alice), complaint, "en") == (1, 0)
