"""The layers of DESIGN.md, enforced by walking imports.

An app imports only from layers below it, and across apps only through `selectors` (reads) and
`services` (writes). The platform (`governance/platform/`, layer 0) imports no app; the roof
(`governance/roof/`) and the project files (settings, urls, celery) compose them all, and no
layer imports those.
No project module loads another by name (`importlib.import_module`, `__import__`,
`import_string`): the walk cannot see such an import, and a renamed target would only show up
at run time.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "governance": 0,
    "contracts": 1,
    "complaints": 2,
    "audits": 2,
    "simulations": 2,
    "kto": 3,
    "meetings": 4,
}
# The project files and the roof compose everything; the layers never import them.
PROJECT = {
    "governance/__init__.py",
    "governance/settings.py",
    "governance/test_settings.py",
    "governance/env.py",
    "governance/celery.py",
    "governance/wsgi.py",
    "governance/urls.py",
}
ROOF = "governance/roof/"
# What of the governance package a layer may import: the platform, and the Celery app.
FOR_THE_LAYERS = {"platform", "celery"}
# The accounts app (governance/accounts/: logins, MFA, API tokens) stands on the platform and
# plugs into it through its guard registry: no layer, and not the platform, imports it.
ACCOUNTS = "governance/accounts/"
PUBLIC_SURFACE = {"selectors", "services"}
IMPORT_BY_NAME = {"import_module", "__import__", "import_string"}


def imported_modules(source: str) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules += [f"{node.module}.{alias.name}" for alias in node.names]
    return modules


def violations(app: str, relative_path: str, source: str) -> list[str]:
    if relative_path in PROJECT or relative_path.startswith(ROOF):
        return []
    found = []
    for module in imported_modules(source):
        parts = module.split(".")
        target = parts[0]
        if target == "governance":  # the platform serves every layer; the roof serves none
            allowed = FOR_THE_LAYERS | (
                {"accounts"} if relative_path.startswith(ACCOUNTS) else set()
            )
            if len(parts) < 2 or parts[1] not in allowed:
                found.append(f"{relative_path}: {module} (the roof and project files compose)")
            continue
        if target not in LAYERS or target == app:
            continue
        if LAYERS[target] >= LAYERS[app]:
            found.append(f"{relative_path}: {module} (layer {LAYERS[target]} ≥ {LAYERS[app]})")
        elif len(parts) < 2 or parts[1] not in PUBLIC_SURFACE:
            found.append(f"{relative_path}: {module} (only selectors and services)")
    return found


def imports_by_name(relative_path: str, source: str) -> list[str]:
    """Every call of a function that loads a module by name, whatever its argument: the
    project has no use for one, and an argument built at run time would hide what it loads."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in IMPORT_BY_NAME:
                found.append(f"{relative_path}:{node.lineno}: {name}()")
    return found


def project_files():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield app, relative, path.read_text()


def test_every_app_respects_the_layers():
    found = [v for app, rel, src in project_files() for v in violations(app, rel, src)]
    assert found == []


def test_no_app_loads_a_module_by_name():
    found = [v for _app, rel, src in project_files() for v in imports_by_name(rel, src)]
    assert found == []


MAX_MODULE_LINES = 800


def test_no_module_is_longer_than_it_stays_readable():
    """Past 800 lines a module is split by sub-domain (migrations are generated, not read)."""
    long = [
        f"{rel}: {len(src.splitlines())} lines"
        for _app, rel, src in project_files()
        if len(src.splitlines()) > MAX_MODULE_LINES
    ]
    assert long == []


def test_the_walk_sees_every_app():
    assert {app for app, _, _ in project_files()} == set(LAYERS)


def test_checker_catches_upward_and_sideways_imports():
    source = (
        "from meetings.models import Meeting\n"
        "import kto.selectors\n"
        "from contracts.models import Contract\n"
        "from contracts import selectors\n"
        "from contracts.services import contract_create\n"
    )
    assert violations("complaints", "complaints/views.py", source) == [
        "complaints/views.py: meetings.models.Meeting (layer 4 ≥ 2)",
        "complaints/views.py: kto.selectors (layer 3 ≥ 2)",
        "complaints/views.py: contracts.models.Contract (only selectors and services)",
    ]
    assert violations(
        "governance", "governance/platform/views.py", "import contracts.selectors"
    ) == ["governance/platform/views.py: contracts.selectors (layer 1 ≥ 0)"]
    assert violations("governance", "governance/urls.py", "import meetings.views") == []


def test_no_layer_imports_the_roof_or_the_project_files():
    source = (
        "from governance.roof.dashboard import organisation_home\n"
        "from governance import urls\n"
        "from governance.platform.access import Access\n"
        "from governance.celery import app\n"
    )
    expected = [
        "{}: governance.roof.dashboard.organisation_home (the roof and project files compose)",
        "{}: governance.urls (the roof and project files compose)",
    ]
    for app, path in (("governance", "governance/platform/tasking.py"), ("kto", "kto/views.py")):
        assert violations(app, path, source) == [line.format(path) for line in expected]
    assert violations("governance", "governance/roof/schedule.py", source) == []


def test_only_the_accounts_app_and_the_project_files_import_the_accounts_app():
    source = "from governance.accounts.tokens import token_find\n"
    assert violations("governance", "governance/platform/middleware.py", source) == [
        "governance/platform/middleware.py: governance.accounts.tokens.token_find "
        "(the roof and project files compose)"
    ]
    assert violations("contracts", "contracts/views.py", source) != []
    assert violations("governance", "governance/accounts/guards.py", source) == []


def test_a_subpackage_of_an_app_is_not_its_public_surface():
    # Meetings reads gap flags through `kto.selectors`, which re-exports them from kto.gaps.
    source = (
        "from kto.gaps.selectors import confirmed_flags\nfrom kto.selectors import gap_flag_list\n"
    )
    assert violations("meetings", "meetings/sources.py", source) == [
        "meetings/sources.py: kto.gaps.selectors.confirmed_flags (only selectors and services)"
    ]


def test_checker_catches_imports_by_name():
    source = (
        "import importlib\n"
        "from django.utils.module_loading import import_string\n"
        "selectors = importlib.import_module('contracts.selectors')\n"
        "models = __import__('kto.models')\n"
        "view = import_string('meetings.views.meeting_detail')\n"
        "loader = importlib.__import__(name)\n"
        "MODULE = 'contracts.models.Contract.Status'\n"
    )
    assert imports_by_name("audits/views.py", source) == [
        "audits/views.py:3: import_module()",
        "audits/views.py:4: __import__()",
        "audits/views.py:5: import_string()",
        "audits/views.py:6: __import__()",
    ]
