"""Objects of tenant Alpha for the route walk (idempotent): a complaint assigned to Northwind
(so alice and bob reach it) with an attachment, a category and an improvement proposal."""

from datetime import date, time
from decimal import Decimal

from django.utils import timezone
from django_scopes import scopes_disabled

from complaints import services
from complaints.models import Attachment, Category, Complaint, ImprovementProposal
from complaints.uploads import CheckedFile
from contracts.models import Service
from governance.platform.access import system_access, tenant_scope


def route_samples(world) -> dict:
    with scopes_disabled():
        complaint = Complaint.objects.filter(organisation=world.alpha).order_by("pk").first()
    if complaint is None:
        access = system_access(world.alpha)
        with tenant_scope(access):
            services.complaint_intake_prepare(organisation=world.alpha)
            service = Service.objects.create(
                organisation=world.alpha, contract=world.alpha_contract, name="Walk desk"
            )
            complaint = services.complaint_register(
                organisation=world.alpha,
                service=service,
                category=Category.objects.filter(organisation=world.alpha).first(),
                description="Route walk complaint",
                occurred_at=timezone.now(),
                channel="phone",
                impact="low",
                attachments=[CheckedFile("walk.png", "image/png", b"\x89PNG\r\n\x1a\n")],
            )
            services.complaint_assign(access=access, complaint=complaint, supplier=world.northwind)
            ImprovementProposal.objects.create(
                organisation=world.alpha,
                service=service,
                title="Walk proposal",
                weekdays=[0],
                opens=time(18),
                closes=time(20),
                period_start=date(2026, 1, 1),
                period_end=date(2026, 3, 31),
                complaints_total=0,
                complaints_outside=0,
                complaints_avoided=0,
                extra_hours_per_week=Decimal("2"),
                hourly_rate=Decimal("55"),
                annual_cost=Decimal("5720"),
                avoided_per_year=Decimal("0"),
            )
    with scopes_disabled():
        return {
            "complaint": complaint,
            "complaint_attachment": Attachment.objects.get(complaint=complaint),
            "complaint_category": Category.objects.filter(organisation=world.alpha).first(),
            "complaint_proposal": ImprovementProposal.objects.get(organisation=world.alpha),
        }
