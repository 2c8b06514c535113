"""Shared data for the complaint tests: a service with office hours in Alpha and Beta, the
default categories, and helpers to file complaints the way the public form does."""

import time
from datetime import datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django_scopes import scopes_disabled

from complaints import antiabuse, services
from complaints.models import Category, Status
from contracts.models import Service, ServiceHours
from governance.platform import ratelimit
from governance.platform.access import system_access, tenant_scope

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def client():
    """English unless a test asks otherwise (the portal's default language is Dutch)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate-limit counters live in the (local-memory) cache, shared by every test, and in
    # process memory while the cache is unreachable.
    cache.clear()
    ratelimit.reset_local()
    yield
    cache.clear()
    ratelimit.reset_local()


def office_service(contract, name="Servicedesk"):
    with scopes_disabled():
        service = Service.objects.create(
            organisation=contract.organisation, contract=contract, name=name
        )
        for day in range(5):
            ServiceHours.objects.create(
                organisation=contract.organisation,
                service=service,
                weekday=day,
                opens=clock(8, 0),
                closes=clock(18, 0),
            )
    return service


@pytest.fixture
def alpha_desk(world):
    return office_service(world.alpha_contract)


@pytest.fixture
def beta_desk(world):
    return office_service(world.beta_northwind_contract, name="Beta servicedesk")


def categories(organisation):
    with tenant_scope(system_access(organisation)):
        services.complaint_intake_prepare(organisation=organisation)
        return list(Category.objects.filter(organisation=organisation))


def file_complaint(organisation, *, service=None, occurred_at=None, now=None, **fields):
    """File a complaint as the public form does (inside the organisation's scope)."""
    with tenant_scope(system_access(organisation)):
        services.complaint_intake_prepare(organisation=organisation)
        category = (
            fields.pop("category", None)
            or Category.objects.filter(organisation=organisation).first()
        )
        moment = occurred_at or datetime(2026, 3, 4, 10, 0, tzinfo=AMSTERDAM)
        return services.complaint_register(
            organisation=organisation,
            service=service,
            category=category,
            description=fields.pop("description", "De servicedesk nam niet op."),
            occurred_at=moment,
            channel=fields.pop("channel", "phone"),
            impact=fields.pop("impact", "medium"),
            now=now or moment,
            **fields,
        )


def form_data(category, service=None, **overrides):
    """A valid public-form POST, started long enough ago."""
    data = {
        "service": service.pk if service else "",
        "category": category.pk,
        "description": "Om 20:00 was de servicedesk niet bereikbaar.",
        "occurred_date": "2026-03-04",
        "occurred_time": "20:00",
        "channel": "phone",
        "impact": "high",
        "name": "",
        "email": "",
        "phone": "",
        "website": "",
        "started": antiabuse.started_token(time.time() - 60),
    }
    data.update(overrides)
    return data


def handle(complaint, resolved_at, verdict=None):
    access = system_access(complaint.organisation)
    with tenant_scope(access):
        complaint = services.complaint_transition(
            access=access,
            complaint=complaint,
            to=Status.RESOLVED,
            text="Opgelost.",
            now=resolved_at,
        )
        if verdict:
            services.verdict_submit(
                complaint=complaint,
                resolved_for_me=verdict[0],
                handling_score=verdict[1],
                now=resolved_at,
            )
    return complaint


@pytest.fixture
def register_data(world):
    with tenant_scope(system_access(world.alpha)):
        services.complaint_intake_prepare(organisation=world.alpha)
        reach = Category.objects.get(organisation=world.alpha, name_nl="Bereikbaarheid")
        wait = Category.objects.get(organisation=world.alpha, name_nl="Wachttijd")
    march = datetime(2026, 3, 2, 10, tzinfo=AMSTERDAM)  # Monday
    april = datetime(2026, 4, 1, 10, tzinfo=AMSTERDAM)  # Wednesday before Easter
    rows = [
        # category, received, resolved (local), verdict (resolved for me, score)
        (reach, march, datetime(2026, 3, 4, 12, tzinfo=AMSTERDAM), (True, 5)),  # 2 working days
        (reach, march, datetime(2026, 3, 5, 12, tzinfo=AMSTERDAM), (True, 5)),  # 3
        (reach, march, datetime(2026, 3, 6, 12, tzinfo=AMSTERDAM), (True, 4)),  # 4
        (reach, march, datetime(2026, 3, 9, 12, tzinfo=AMSTERDAM), (False, 2)),  # 5
        (reach, april, datetime(2026, 4, 7, 12, tzinfo=AMSTERDAM), (False, 1)),  # 2 (Easter)
        (wait, april, datetime(2026, 4, 8, 12, tzinfo=AMSTERDAM), (True, 5)),  # 3
        (wait, april, datetime(2026, 4, 9, 12, tzinfo=AMSTERDAM), None),  # 4
        (wait, april, datetime(2026, 4, 20, 12, tzinfo=AMSTERDAM), None),  # 11: late (due 17th)
    ]
    for category, received, resolved, verdict in rows:
        handle(file_complaint(world.alpha, category=category, now=received), resolved, verdict)
    # Still open, and rejected: neither counts in the register.
    file_complaint(world.alpha, category=reach, now=march)
    rejected = file_complaint(world.alpha, category=wait, now=march)
    with tenant_scope(system_access(world.alpha)):
        services.complaint_transition(
            access=system_access(world.alpha), complaint=rejected, to=Status.REJECTED, text="Vraag"
        )
    return world
