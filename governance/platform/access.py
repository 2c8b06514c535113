"""The one access policy of Regie.

Every view, viewset, export, PDF, e-mail and task asks this module who may see what:

- a client member reaches an organisation through its `Membership` and gets the role held there;
- a supplier's user reaches an organisation only while its supplier has a contract there, and
  then sees only what hangs off its supplier's contracts (the `supplier` scope dimension);
- anybody else gets a 404, never a 403, so the existence of a tenant or object is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django_scopes import scope, scopes_disabled

from governance.platform import roles
from governance.platform.models import Membership, Organisation, Role, Supplier, SupplierMembership

WRITE_ROLES = frozenset({Role.CONTRACT_MANAGER})


@dataclass(frozen=True)
class Access:
    """What one user may do in one organisation during one request or task."""

    organisation: Organisation
    user_id: int | None
    role: str | None = None
    supplier: Supplier | None = None
    # A supplier's user who administers its supplier's users (SupplierMembership.is_admin).
    supplier_admin: bool = False

    @property
    def is_client(self) -> bool:
        return self.role is not None

    @property
    def is_supplier(self) -> bool:
        return self.supplier is not None

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @property
    def can_manage(self) -> bool:
        """May change the organisation's governance data in general (the API's default for
        writes); a specific action asks `may()` for its permission instead."""
        return self.is_system or self.role in WRITE_ROLES

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def matrix_role(self) -> str | None:
        """The user's column of the role matrix (`roles.MATRIX`); None for the system."""
        if self.is_system:
            return None
        if self.is_client:
            return self.role
        if self.is_supplier:
            return roles.SUPPLIER_ADMIN if self.supplier_admin else roles.SUPPLIER_USER
        return None

    def may(self, permission: str) -> bool:
        """Whether this access holds `permission` of the role matrix. The system acting for the
        organisation holds every permission; acting towards a supplier, that supplier's users'."""
        if self.is_system and self.is_supplier:
            return roles.allowed(roles.SUPPLIER_USER, permission)
        if self.is_system:
            return roles.allowed(roles.SYSTEM, permission)
        return roles.allowed(self.matrix_role, permission)

    def require(self, allowed: bool) -> None:
        """Refuse an action on something the user may see but not change."""
        if not allowed:
            raise PermissionDenied

    @property
    def scope_kwargs(self) -> dict:
        return {
            "organisation": self.organisation.pk,
            "supplier": self.supplier.pk if self.supplier else None,
        }


def access_for(user, organisation: Organisation) -> Access | None:
    """The access `user` has in `organisation`, or None when it has none."""
    if not user.is_authenticated or not user.is_active:
        return None
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is not None:
        return Access(organisation=organisation, user_id=user.pk, role=membership.role)
    link = supplier_link_of(user)
    if link is not None and supplier_engaged(supplier=link.supplier, organisation=organisation):
        return Access(
            organisation=organisation,
            user_id=user.pk,
            supplier=link.supplier,
            supplier_admin=link.is_admin,
        )
    return None


def system_access(organisation: Organisation) -> Access:
    """Access for background jobs acting for the organisation as a whole."""
    return Access(organisation=organisation, user_id=None)


def supplier_system_access(organisation: Organisation, supplier: Supplier) -> Access:
    """Access for background jobs writing to a supplier about the organisation (e.g. a digest
    of its own contracts): what that supplier's users may see, without a user."""
    return Access(organisation=organisation, user_id=None, supplier=supplier)


def supplier_link_of(user) -> SupplierMembership | None:
    """The user's link to its supplier (one supplier per user), or None."""
    if not user.is_authenticated:
        return None
    return SupplierMembership.objects.select_related("supplier").filter(user=user).first()


def supplier_role(link: SupplierMembership | None) -> str | None:
    """The matrix role of a supplier's user: administrator or user."""
    if link is None:
        return None
    return roles.SUPPLIER_ADMIN if link.is_admin else roles.SUPPLIER_USER


def supplier_may(user, permission: str) -> bool:
    """Whether a supplier's user holds `permission` towards its own supplier (outside any
    organisation, e.g. administering its supplier's users)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return roles.allowed(supplier_role(supplier_link_of(user)), permission)


def supplier_of(user) -> Supplier | None:
    link = supplier_link_of(user)
    return link.supplier if link else None


def supplier_engaged(*, supplier: Supplier, organisation: Organisation) -> bool:
    # Follows the reverse relation of contracts.Contract.supplier (related_name "contracts"):
    # the platform defines the rule, the contracts app owns the rows.
    return Supplier.objects.filter(pk=supplier.pk, contracts__organisation=organisation).exists()


def organisations_for(user) -> list[Organisation]:
    """Every organisation the user can reach, by membership or by its supplier's contracts."""
    if not user.is_authenticated:
        return []
    supplier = supplier_of(user)
    if supplier is not None:
        queryset = Organisation.objects.filter(contracts__supplier=supplier)
    else:
        queryset = Organisation.objects.filter(memberships__user=user)
    return list(queryset.distinct().order_by("name"))


@contextmanager
def tenant_scope(access: Access) -> Iterator[None]:
    """Run a block inside the tenant scope of `access` (django-scopes guard)."""
    with scope(**access.scope_kwargs):
        yield


@contextmanager
def platform_scope() -> Iterator[None]:
    """For platform jobs and the staff admin that work across tenants on purpose."""
    with scopes_disabled():
        yield


def get_object_for[M: Model](access: Access, queryset: QuerySet[M], **lookup) -> M:
    """Fetch one object the user may see, or 404 — the same answer for missing and forbidden.

    The queryset is filtered on the organisation explicitly; the scope guard is the net under it.
    """
    with tenant_scope(access):
        try:
            return queryset.filter(organisation=access.organisation).get(**lookup)
        except (queryset.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
