"""The role matrix: one module the access policy reads, the README's table generated from it.

The route walk (tests/test_route_isolation.py) tests every role × permission cell through the
routes; these tests pin the policy's reading of the matrix and the business owner's own rights.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from governance.platform import roles
from governance.platform.access import access_for, supplier_may, system_access
from governance.platform.management.commands.role_matrix import BEGIN, END
from governance.platform.roles import matrix_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_each_actor_gets_its_column_of_the_matrix(world, cast):
    for role, user in cast.items():
        access = access_for(user, world.alpha)
        if role == roles.PLATFORM_OPERATOR:
            # The operator works in the admin and reaches no tenant by default.
            assert access is None
            continue
        assert access.matrix_role == role
        held = {p for p in roles.PERMISSION_NAMES if access.may(p)}
        assert held == set(roles.MATRIX[role]), role


def test_business_owner_has_rights_of_its_own():
    owner = roles.MATRIX[roles.BUSINESS_OWNER]
    assert owner - roles.MATRIX[roles.VIEWER] == {"improvements.approve", "audits.prioritise"}


def test_only_the_supplier_administrator_manages_supplier_users(world, cast):
    answers = {role: supplier_may(user, "supplier_members.manage") for role, user in cast.items()}
    assert answers == {role: role == roles.SUPPLIER_ADMIN for role in cast}


def test_an_unknown_permission_is_an_error(world):
    with pytest.raises(KeyError):
        system_access(world.alpha).may("contracts.mangae")


def test_system_holds_the_client_permissions_but_not_the_admin(world):
    system = system_access(world.alpha)
    assert system.may("members.manage") and system.may("audits.close")
    assert not system.may("platform.admin")
    assert not system.may("supplier_members.manage")


def test_table_has_a_row_per_permission_and_a_column_per_role():
    lines = matrix_table().splitlines()
    assert len(lines) == 2 + len(roles.PERMISSIONS)
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    with translation.override("en"):
        assert header == ["permission", *[str(label) for label in roles.ROLES.values()]]
    row = [
        cell.strip()
        for cell in lines[2 + roles.PERMISSION_NAMES.index("audits.prioritise")]
        .strip("|")
        .split("|")
    ]
    # contract manager ✓, business owner ✓, every other role blank
    assert row[1:] == ["✓", "✓", "", "", "", "", ""]


def test_command_checks_a_readme(tmp_path):
    out = StringIO()
    call_command("role_matrix", stdout=out)
    current = tmp_path / "README.md"
    current.write_text(f"# Regie\n\n{out.getvalue()}\n", encoding="utf-8")
    call_command("role_matrix", check=str(current), stdout=StringIO())

    stale = tmp_path / "STALE.md"
    stale.write_text(current.read_text().replace("| ✓ |", "|  |", 1), encoding="utf-8")
    with pytest.raises(CommandError, match="differs"):
        call_command("role_matrix", check=str(stale), stdout=StringIO())
    bare = tmp_path / "BARE.md"
    bare.write_text("# Regie\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no role matrix"):
        call_command("role_matrix", check=str(bare), stdout=StringIO())


def test_readme_role_matrix_is_the_module():
    """The README's table is the one generated from the module (paste the output of
    `python manage.py role_matrix` into the README when the matrix changes)."""
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "README.md lacks the role matrix"
    call_command("role_matrix", check=str(README), stdout=StringIO())
