"""Complaints per contract and local month, the context the gap analysis stores per flag."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_scopes import scopes_disabled

from complaints import selectors, services
from complaints.models import Category, Complaint, Status
from contracts.models import Service
from governance.platform.access import system_access, tenant_scope

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def register(world, service, received_at, status=None):
    complaint = services.complaint_register(
        organisation=world.alpha,
        service=service,
        category=Category.objects.filter(organisation=world.alpha).first(),
        description="Unreachable in the evening",
        occurred_at=timezone.now(),
        channel="phone",
        impact="low",
        attachments=[],
    )
    fields = {"received_at": received_at}
    if status:
        fields["status"] = status
    Complaint.objects.filter(pk=complaint.pk).update(**fields)


def test_counts_follow_the_local_month_and_skip_rejected_complaints(world):
    access = system_access(world.alpha)
    with tenant_scope(access):
        services.complaint_intake_prepare(organisation=world.alpha)
        desk = Service.objects.create(
            organisation=world.alpha, contract=world.alpha_contract, name="Desk"
        )
        # 23:30 on 31 March in Amsterdam is still March; 00:30 on 1 April is April, although
        # both are 31 March in UTC.
        register(world, desk, datetime(2026, 3, 31, 23, 30, tzinfo=AMSTERDAM))
        register(world, desk, datetime(2026, 4, 1, 0, 30, tzinfo=AMSTERDAM))
        register(world, desk, datetime(2026, 4, 15, 12, 0, tzinfo=AMSTERDAM))
        register(world, desk, datetime(2026, 4, 16, 12, 0, tzinfo=AMSTERDAM), Status.REJECTED)
        register(world, desk, datetime(2026, 6, 1, 12, 0, tzinfo=AMSTERDAM))  # after the range
        counts = selectors.complaint_counts_by_month(
            organisation=world.alpha,
            contract_ids=[world.alpha_contract.pk],
            since=date(2026, 3, 1),
            until=date(2026, 5, 31),
        )
    assert counts == {
        (world.alpha_contract.pk, date(2026, 3, 1)): 1,
        (world.alpha_contract.pk, date(2026, 4, 1)): 2,
    }


def test_other_organisations_complaints_are_not_counted(world):
    with tenant_scope(system_access(world.alpha)):
        services.complaint_intake_prepare(organisation=world.alpha)
        desk = Service.objects.create(
            organisation=world.alpha, contract=world.alpha_contract, name="Desk"
        )
        register(world, desk, datetime(2026, 4, 2, 9, 0, tzinfo=AMSTERDAM))
    with scopes_disabled():
        beta_contract = world.beta_northwind_contract
    with tenant_scope(system_access(world.beta)):
        counts = selectors.complaint_counts_by_month(
            organisation=world.beta,
            contract_ids=[beta_contract.pk, world.alpha_contract.pk],
            since=date(2026, 4, 1),
            until=date(2026, 4, 30),
        )
    assert counts == {}
