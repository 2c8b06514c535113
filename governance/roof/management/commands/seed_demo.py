"""Demo data for `make run`: idempotent, grows with every capability of Regie."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from audits import demo as audits_demo
from complaints import demo as complaints_demo
from contracts import demo as contracts_demo
from contracts.models import Contract
from governance.platform.access import platform_scope
from governance.platform.links import public_base_url
from governance.platform.models import Membership, Organisation, Role, Supplier, SupplierMembership
from kto import demo as kto_demo
from kto.gaps import demo as gap_demo
from meetings import demo as meetings_demo
from simulations import demo as simulations_demo

DEMO_PASSWORD = "regie-demo"  # noqa: S105 - published demo credential

ORGANISATIONS = [
    ("zuidrand", "Provincie Zuidrand"),
    ("deltabank", "Deltabank N.V."),
]
SUPPLIERS = ["Noordlicht IT", "CloudKern"]
MEMBERS = [
    ("manager@zuidrand.example", "zuidrand", Role.CONTRACT_MANAGER, "Marieke", "de Vries"),
    ("owner@zuidrand.example", "zuidrand", Role.BUSINESS_OWNER, "Otto", "Bakker"),
    ("viewer@zuidrand.example", "zuidrand", Role.VIEWER, "Vera", "Jansen"),
    ("manager@deltabank.example", "deltabank", Role.CONTRACT_MANAGER, "Daan", "Visser"),
]
SUPPLIER_USERS = [
    ("supplier@noordlicht.example", "Noordlicht IT", "Noor", "Smit"),
    ("supplier@cloudkern.example", "CloudKern", "Koen", "Mulder"),
]
CONTRACTS = [
    ("zuidrand", "Noordlicht IT", "ZR-2024-001", "Werkplekbeheer en servicedesk"),
    ("zuidrand", "CloudKern", "ZR-2025-004", "Hosting en cloudplatform"),
    ("deltabank", "Noordlicht IT", "DB-2023-017", "Servicedesk en applicatiebeheer"),
]

OPERATOR = "admin@regie.example"


def demo_logins() -> list[tuple[str, str]]:
    return [
        *[(email, f"{role.label}, {slug}") for email, slug, role, *_ in MEMBERS],
        *[(email, supplier) for email, supplier, *_ in SUPPLIER_USERS],
        (OPERATOR, "Platform operator (/admin/)"),
    ]


class Command(BaseCommand):
    help = "Load Regie's demo organisations, suppliers, users and contracts (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        with platform_scope():
            self._seed()
            survey = kto_demo.seed_open_survey()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password: regie-demo):"))
        with translation.override("en"):
            for email, label in demo_logins():
                self.stdout.write(f"  {email:32} {label}")
        base = public_base_url()
        self.stdout.write(f'Answer the open demo survey "{survey["title"]}" as a respondent:')
        self.stdout.write(f"  personal link (once): {base}{survey['personal']}")
        self.stdout.write(f"  open link (walk-in):  {base}{survey['open']}")
        self.stdout.write("Preview the gap digest: manage.py gap_digest --org zuidrand --preview")

    def _seed(self):
        orgs = {
            slug: Organisation.objects.update_or_create(slug=slug, defaults={"name": name})[0]
            for slug, name in ORGANISATIONS
        }
        suppliers = {name: Supplier.objects.get_or_create(name=name)[0] for name in SUPPLIERS}
        for email, slug, role, first, last in MEMBERS:
            user = self._user(email, first, last)
            Membership.objects.update_or_create(
                user=user, organisation=orgs[slug], defaults={"role": role}
            )
        for email, supplier, first, last in SUPPLIER_USERS:
            user = self._user(email, first, last)
            # Each demo supplier's user administers its supplier's users (/supplier/members/).
            SupplierMembership.objects.update_or_create(
                user=user, defaults={"supplier": suppliers[supplier], "is_admin": True}
            )
        operator = self._user(OPERATOR, "Regie", "Beheer")
        if not operator.is_superuser:
            operator.is_staff = operator.is_superuser = True
            operator.save(update_fields=["is_staff", "is_superuser"])
        for slug, supplier, reference, title in CONTRACTS:
            Contract.objects.update_or_create(
                organisation=orgs[slug],
                reference=reference,
                defaults={"supplier": suppliers[supplier], "title": title},
            )
        contracts_demo.seed()
        complaints_demo.seed()
        audits_demo.seed()
        kto_demo.seed()
        simulations_demo.seed()
        gap_demo.seed()
        meetings_demo.seed()

    @staticmethod
    def _user(email, first_name, last_name):
        user, created = get_user_model().objects.get_or_create(
            username=email,
            defaults={"email": email, "first_name": first_name, "last_name": last_name},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user
