"""Planning the audit programme is the client's: the supplier proposes next year's programme,
the client reviews it on a confirmation page and plans it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scopes_disabled

from audits import services
from audits.models import Audit, AuditProgramme
from tests.audits.helpers import manager, supplier


def url(name, *args):
    return reverse(f"audits:{name}", args=["alpha", *args])


@pytest.fixture
def programme(world):
    with scopes_disabled():
        return services.programme_create(
            access=manager(world),
            contract=world.alpha_contract,
            year=2026,
            recurrence="half_yearly",
        )


def programmes():
    with scopes_disabled():
        return sorted((p.year, p.status, p.audits.count()) for p in AuditProgramme.objects.all())


def test_supplier_cannot_plan_a_programme(world, programme):
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            services.programme_next_year(access=supplier(world), programme=programme)
        with pytest.raises(PermissionDenied):
            services.programme_create(
                access=supplier(world), contract=world.alpha_contract, year=2028
            )
    assert programmes() == [(2026, "planned", 2)]


def test_supplier_proposes_and_the_client_confirms(world, programme, client_as):
    bob = client_as(world.bob)
    page = bob.get(url("audit_list"), {"year": 2026}).content.decode()
    assert f'data-testid="next-year-{programme.pk}"' not in page
    assert f'data-testid="propose-next-year-{programme.pk}"' in page
    assert bob.post(url("programme_next_year", programme.pk)).status_code == 403
    assert bob.post(url("programme_propose", programme.pk)).status_code == 302
    # A proposal plans nothing.
    assert programmes() == [(2026, "planned", 2), (2027, "proposed", 0)]
    page = bob.get(url("audit_list"), {"year": 2026}).content.decode()
    assert f'data-testid="proposal-sent-{programme.pk}"' in page

    with scopes_disabled():
        proposal = AuditProgramme.objects.get(year=2027)
    assert bob.post(url("programme_accept", proposal.pk)).status_code == 403
    alice = client_as(world.alice)
    page = alice.get(url("audit_list"), {"year": 2026}).content.decode()
    assert f'data-testid="review-next-{programme.pk}"' in page
    confirm = alice.get(url("programme_accept", proposal.pk))
    body = confirm.content.decode()
    assert 'data-testid="proposal-note"' in body
    # Half-yearly: mid-March and mid-September 2027 (both the 15th is a working day).
    assert [d.isoformat() for d in confirm.context["dates"]] == ["2027-03-15", "2027-09-15"]
    assert programmes() == [(2026, "planned", 2), (2027, "proposed", 0)]
    assert alice.post(url("programme_accept", proposal.pk)).status_code == 302
    assert programmes() == [(2026, "planned", 2), (2027, "planned", 2)]
    with scopes_disabled():
        assert set(
            Audit.objects.filter(programme=proposal).values_list("audit_type", flat=True)
        ) == {"supplier_qa"}


def test_supplier_sees_no_new_programme_button_and_gets_403(world, programme, client_as):
    bob = client_as(world.bob)
    page = bob.get(url("audit_list"), {"year": 2026}).content.decode()
    assert 'data-testid="new-programme"' not in page
    assert bob.get(url("programme_create")).status_code == 403
