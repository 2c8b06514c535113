"""No write path escapes the audit trail.

1. Every write route of Regie (browser form posts and API actions, taken from the route walk's
   classification with its valid payloads) is run by an insider; every tracked record it
   creates, changes or deletes must have exactly one new history row, of the right kind, by
   that user and side, holding the record's values after the write (before, for a delete),
   and no other history row may appear.
2. The apps' sources are scanned: a raw `QuerySet.update()`, `bulk_update()` or `bulk_create()`
   on a tracked model fails the suite unless it is on the allow-list below with a reason.
"""

import ast
from pathlib import Path

import pytest
from django.db import models
from django_scopes import scopes_disabled

from governance.platform import roles
from governance.platform.history import Side, is_tracked, tracked_models
from tests.test_route_isolation import ROUTES, TENANT, request, samples, tenant_url

ROOT = Path(__file__).resolve().parent.parent
APPS = ["contracts", "kto", "complaints", "audits", "simulations", "meetings", "governance"]

WRITE_ROUTES = sorted(
    name for name, route in ROUTES.items() if route.kind == TENANT and route.method != "get"
)


def _columns(model) -> list[str]:
    excluded = set(model.history.model._history_excluded_fields)
    return [f.attname for f in model._meta.fields if f.name not in excluded]


def _sets(model) -> dict:
    """{field name: historical model} of the many-to-many sets `model`'s trail keeps."""
    return getattr(model, "history_m2m_models", {})


def snapshot() -> dict:
    """Every tracked record's trail-visible values, by (model, pk), its many-to-many sets
    included (as `set:<field>`)."""
    state = {}
    with scopes_disabled():
        for model in tracked_models():
            columns = _columns(model)
            for row in model._base_manager.values(*columns):
                state[(model, row[model._meta.pk.attname])] = row
            for name in _sets(model):
                f = model._meta.get_field(name)
                through = f.remote_field.through._default_manager
                source, target = f"{f.m2m_field_name()}_id", f"{f.m2m_reverse_field_name()}_id"
                for key in [k for k in state if k[0] is model]:
                    state[key][f"set:{name}"] = frozenset()
                for pk, related in through.values_list(source, target):
                    key = (model, pk)
                    state[key][f"set:{name}"] = state[key][f"set:{name}"] | {related}
    return state


def last_history_ids() -> dict:
    with scopes_disabled():
        return {
            model: model.history.model.objects.aggregate(top=models.Max("history_id"))["top"] or 0
            for model in tracked_models()
        }


def new_history(since: dict) -> dict:
    """History rows written after `since`, by (model, pk)."""
    rows = {}
    with scopes_disabled():
        for model in tracked_models():
            columns = _columns(model)
            found = model.history.model.objects.filter(history_id__gt=since[model]).values(
                *columns, "history_id", "history_type", "history_user_id", "history_side"
            )
            for row in found:
                rows.setdefault((model, row[model._meta.pk.attname]), []).append(row)
            for name, m2m_model in _sets(model).items():
                target = f"{model._meta.get_field(name).m2m_reverse_field_name()}_id"
                kept = {}
                for history_id, related in m2m_model.objects.filter(
                    history_id__gt=since[model]
                ).values_list("history_id", target):
                    kept.setdefault(history_id, set()).add(related)
                for key, found_rows in rows.items():
                    if key[0] is model:
                        for row in found_rows:
                            row[f"set:{name}"] = frozenset(kept.get(row["history_id"], ()))
    return rows


ACTOR_SIDE = {"alice": Side.CLIENT, "victor": Side.CLIENT, "bob": Side.SUPPLIER}


def assert_trail_matches(before, after, written, actor):
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert sorted(map(_name, written)) == sorted(map(_name, changed)), (
        "history rows without a change, or changes without a history row"
    )
    for key in changed:
        rows = written[key]
        assert len(rows) == 1, f"{_name(key)}: {len(rows)} history rows for one write"
        row = rows[0]
        kind = "+" if key not in before else "-" if key not in after else "~"
        assert row["history_type"] == kind, _name(key)
        state = after.get(key) or before[key]
        assert {c: row[c] for c in state} == state, _name(key)
        assert row["history_user_id"] == actor.pk, _name(key)
        assert row["history_side"] == ACTOR_SIDE[actor.username], _name(key)


def _name(key) -> str:
    return f"{key[0].__name__}#{key[1]}"


@pytest.mark.parametrize("name", WRITE_ROUTES)
def test_write_route_leaves_one_history_row_per_changed_record(name, world, client):
    route = ROUTES[name]
    objects = samples(world)
    url = tenant_url(name, world.alpha, objects)
    # The route's insider: a contract manager where the role holds its permission, else the
    # supplier's user.
    actor = world.alice if route.admits(roles.CONTRACT_MANAGER) else world.bob
    client.force_login(actor)
    before, since = snapshot(), last_history_ids()
    response = request(client, route, url)
    assert response.status_code in route.ok
    assert_trail_matches(before, snapshot(), new_history(since), actor)


# --- the source scan -------------------------------------------------------------------------

BULK_CALLS = {"update", "bulk_update", "bulk_create"}

# (file, function): why the raw write is allowed there.
ALLOWED = {
    ("kto/pool.py", "_pool_add"): (
        "sets Survey.anonymity_locked, a field the trail leaves out: its time would date the "
        "survey's first answer"
    ),
    ("kto/pool.py", "pool_finalise"): (
        "sets Survey.final_release_on, left out of the trail like the anonymity lock: the "
        "survey's close is in the trail already"
    ),
    ("meetings/agenda_order.py", "arrange_positions"): (
        "AgendaItem.position is derived from the agenda order (topics, then their data items, "
        "closing last) and left out of the trail"
    ),
    ("governance/platform/webhooks.py", "_post_claimed"): (
        "resets WebhookEndpoint.consecutive_failures, delivery bookkeeping the trail leaves out"
    ),
    ("governance/platform/webhooks.py", "webhook_enable"): (
        "`endpoint.deliveries` are webhook deliveries (not tracked), named like the information "
        "needs' deliveries"
    ),
}


def _tracked_names() -> set[str]:
    """Names that lead a chain to a tracked model's rows: the model classes and the reverse
    accessors (related names) of foreign keys into tracked models."""
    names = set()
    for model in tracked_models():
        names.add(model.__name__)
        for f in model._meta.fields:
            if f.is_relation and f.remote_field and is_tracked(model):
                accessor = f.remote_field.get_accessor_name()
                if accessor and not accessor.endswith("+"):
                    names.add(accessor)
    return names


def _tracked_classes() -> dict[str, set[str]]:
    """{class name: modules of the tracked models of that name}."""
    classes: dict[str, set[str]] = {}
    for model in tracked_models():
        classes.setdefault(model.__name__, set()).add(model.__module__)
    return classes


def _untracked_here(tree, module: str, classes: dict) -> set[str]:
    """Tracked class names that, in this file, name an untracked model of the same name (kto's
    survey `Invitation` is not the platform's member `Invitation`)."""
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                imported[alias.asname or alias.name] = node.module
    return {name for name, modules in classes.items() if imported.get(name, module) not in modules}


def _chain(node) -> list[str]:
    """The attribute and name parts of `a.b(...).c.d`, outermost last."""
    parts = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts[::-1]
        else:
            return parts[::-1]


def raw_bulk_writes() -> list[tuple[str, str, int]]:
    tracked, classes = _tracked_names(), _tracked_classes()
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            relative = str(path.relative_to(ROOT))
            module = relative.removesuffix(".py").replace("/", ".")
            here = tracked - _untracked_here(tree, module, classes)
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if not (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr in BULK_CALLS
                    ):
                        continue
                    chain = _chain(node.func.value)
                    if any(part in here for part in chain):
                        found.append((relative, function.name, node.lineno))
    return found


def test_no_raw_bulk_write_on_a_tracked_model():
    offending = [
        (path, function, line)
        for path, function, line in raw_bulk_writes()
        if (path, function) not in ALLOWED
    ]
    assert offending == [], (
        "use governance.platform.history.tracked_update / tracked_bulk_create / "
        "tracked_bulk_update, or allow the call with a reason"
    )


def test_allow_list_names_only_existing_raw_writes():
    present = {(path, function) for path, function, _ in raw_bulk_writes()}
    assert set(ALLOWED) <= present


def test_scan_finds_a_raw_bulk_write(tmp_path):
    """The scan itself: a raw update on a tracked model's manager or reverse accessor is seen."""
    tracked = _tracked_names()
    code = (
        "def f(c):\n"
        "    Contract.objects.filter(pk=1).update(title='x')\n"
        "    c.services.all().update(name='y')\n"
        "    d = {}\n"
        "    d.update(a=1)\n"
    )
    calls = [
        _chain(node.func.value)
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "update"
    ]
    assert [any(part in tracked for part in chain) for chain in calls] == [True, True, False]


def test_scan_tells_models_of_the_same_name_apart():
    """kto's survey `Invitation` is not tracked; the platform's member `Invitation` is."""
    classes = _tracked_classes()
    survey = ast.parse("from kto.models import Invitation\n")
    member = ast.parse("from governance.platform.models import Invitation\n")
    assert "Invitation" in _untracked_here(survey, "kto.sending", classes)
    assert "Invitation" not in _untracked_here(member, "governance.platform.members.x", classes)
