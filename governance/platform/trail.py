"""Reading the audit trail: history rows turned into entries of field-by-field changes.

An entry is one history row: when, what happened (created, changed, deleted), who (user and
side) and, per field, the value before and after in words (verbose field names, choice labels,
related records by name). A record's page, its API `history` action and the organisation's
trail page and export all read through here, so they say the same.

Suppliers see a record's history only where they may see the record itself (the caller fetched
it through the scoped querysets), and never the fields the model marks private.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from governance.platform.access import Access
from governance.platform.history import Side, tracked_models

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def action_label(code: str) -> str:
    return {"+": _("created"), "~": _("changed"), "-": _("deleted")}[code]


@dataclass(frozen=True)
class Change:
    name: str
    label: str
    before: str
    after: str


@dataclass
class Entry:
    when: datetime
    action: str  # created / changed / deleted
    user: str
    side: str
    record_type: str
    record_id: int
    changes: list[Change] = field(default_factory=list)
    history_id: int = 0

    @property
    def action_label(self) -> str:
        return action_label({v: k for k, v in ACTIONS.items()}[self.action])

    @property
    def lines(self) -> list[Change]:
        """The changes, or one empty line for an entry without field changes."""
        return self.changes or [Change("", "", "", "")]

    @property
    def side_label(self) -> str:
        return Side(self.side).label


def _user_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email or user.get_username()


class _Labels:
    """Names of the related records the rows point to, fetched once per related model through
    its default (scoped) manager: what the viewer may not see stays a number."""

    def __init__(self, model, rows, fields):
        self.names: dict = {}
        wanted = defaultdict(set)
        for f in fields:
            if f.is_relation:
                for row in rows:
                    if (value := getattr(row, f.attname)) is not None:
                        wanted[f.related_model].add(value)
        user_model = get_user_model()
        for related, ids in wanted.items():
            found = related._default_manager.filter(pk__in=ids)
            for obj in found:
                label = _user_label(obj) if related is user_model else str(obj)
                self.names[(related, obj.pk)] = label

    def __call__(self, f, value) -> str:
        if value is None:
            return ""
        return self.names.get((f.related_model, value), f"#{value}")


def _text(f, value, labels: _Labels) -> str:
    if f.is_relation:
        return labels(f, value)
    if value is None or value == "":
        return ""
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, date):
        return formats.localize(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _fields(model, *, hidden=frozenset()) -> list[models.Field]:
    excluded = set(model.history.model._history_excluded_fields) | set(hidden)
    return [
        f
        for f in model._meta.fields
        if f.name not in excluded and not f.primary_key and f.name != "organisation"
    ]


class _Sets:
    """The many-to-many sets each history row keeps, as sorted names of the related records
    (fetched through their default, scoped managers like `_Labels`)."""

    def __init__(self, model, rows, *, hidden=frozenset()):
        self.fields = []
        self.names: dict = {}  # (field name, history id) -> "name, name"
        stored = getattr(model, "history_m2m_models", {})
        history_ids = [row.history_id for row in rows]
        user_model = get_user_model()
        for name, m2m_model in stored.items():
            if name in hidden:
                continue
            f = model._meta.get_field(name)
            self.fields.append(f)
            target = f.m2m_reverse_field_name()
            members = defaultdict(set)
            for history_id, related_id in m2m_model._default_manager.filter(
                history_id__in=history_ids
            ).values_list("history_id", f"{target}_id"):
                members[history_id].add(related_id)
            related = f.related_model
            wanted = set().union(*members.values()) if members else set()
            found = {obj.pk: obj for obj in related._default_manager.filter(pk__in=wanted)}
            for history_id, ids in members.items():
                labels = sorted(
                    (_user_label(found[i]) if related is user_model else str(found[i]))
                    if i in found
                    else f"#{i}"
                    for i in ids
                )
                self.names[(name, history_id)] = ", ".join(labels)

    def text(self, f, row) -> str:
        return self.names.get((f.name, row.history_id), "")


def _entries(model, rows: list, *, hidden=frozenset()) -> list[Entry]:
    """Entries for the history `rows` of records of `model`, oldest first; each change is
    computed against the record's previous row (which must be among `rows`)."""
    fields = _fields(model, hidden=hidden)
    labels = _Labels(model, rows, fields)
    sets = _Sets(model, rows, hidden=hidden)
    record_type = str(model._meta.verbose_name)
    pk_name = model._meta.pk.attname
    # Each field's label once per call (in the active language), not once per change.
    label_of = {f.name: _field_label(f) for f in (*fields, *sets.fields)}
    previous: dict = {}
    entries = []
    for row in rows:
        record_id = getattr(row, pk_name)
        before = previous.get(record_id)
        changes = []
        if row.history_type != "-":
            for f in fields:
                new = getattr(row, f.attname)
                old = getattr(before, f.attname) if before is not None else None
                if before is not None and old == new:
                    continue
                if before is None and new in (None, ""):
                    continue
                changes.append(
                    Change(
                        name=f.name,
                        label=label_of[f.name],
                        before=_text(f, old, labels) if before is not None else "",
                        after=_text(f, new, labels),
                    )
                )
            for f in sets.fields:
                new = sets.text(f, row)
                old = sets.text(f, before) if before is not None else ""
                if old != new:
                    changes.append(Change(f.name, label_of[f.name], old, new))
        previous[record_id] = row
        entries.append(
            Entry(
                when=row.history_date,
                action=ACTIONS[row.history_type],
                user=_user_label(row.history_user),
                side=row.history_side,
                record_type=record_type,
                record_id=record_id,
                changes=changes,
                history_id=row.history_id,
            )
        )
    return entries


def hidden_fields(model, access: Access) -> frozenset:
    """Fields of `model` this access may not read in the trail."""
    return (
        getattr(model, "history_private_fields", frozenset()) if access.is_supplier else frozenset()
    )


def record_history(obj: models.Model, *, access: Access, related=()) -> list[Entry]:
    """The history of one record the caller may see, newest first.

    `related` names reverse relations (e.g. "opening_hours") whose rows' histories join in,
    deleted rows included; for client members only, as a supplier may not see every row that
    hangs off a record it sees.
    """
    model = type(obj)
    rows = list(
        model.history.model.objects.filter(**{model._meta.pk.attname: obj.pk})
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = _entries(model, rows, hidden=hidden_fields(model, access))
    if access.is_client or access.is_system:
        for name in related:
            relation = model._meta.get_field(name)
            child = relation.related_model
            child_rows = list(
                child.history.model.objects.filter(**{relation.field.attname: obj.pk})
                .select_related("history_user")
                .order_by("history_date", "history_id")
            )
            entries += _entries(child, child_rows)
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries


def organisation_trail(*, organisation, start: datetime, end: datetime) -> list[Entry]:
    """Every history entry of the organisation's records from `start` up to `end`, newest
    first; changes are computed against each record's row before the period too."""
    entries = []
    from governance.platform.models import Organisation

    for model in tracked_models():
        history = model.history.model
        pk_name = model._meta.pk.attname
        if model is Organisation:
            # The organisation's own settings (the second-factor rule among them).
            own = {pk_name: organisation.pk}
        elif any(f.name == "organisation" for f in history._meta.fields):
            own = {"organisation_id": organisation.pk}
        else:
            continue
        in_period = history.objects.filter(**own, history_date__gte=start, history_date__lt=end)
        ids = set(in_period.values_list(pk_name, flat=True))
        if not ids:
            continue
        rows = list(
            history.objects.filter(**own, history_date__lt=end, **{f"{pk_name}__in": ids})
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        entries += [e for e in _entries(model, rows) if e.when >= start]
    entries.sort(key=lambda e: (e.when, e.record_type, e.history_id), reverse=True)
    return entries


def trail_lines(entries: list[Entry]) -> list[list]:
    """One line per changed field (one line for an entry without field changes): the page's
    table and the export's rows."""
    lines = []
    for e in entries:
        when = formats.localize(timezone.localtime(e.when))
        head = [when, e.record_type, e.record_id, e.action_label, e.user, e.side_label]
        for change in e.lines:
            lines.append([*head, change.label, change.before, change.after])
    return lines


def trail_header() -> list[str]:
    return [
        _("When"),
        _("Record type"),
        _("Record id"),
        _("Action"),
        _("User"),
        _("Side"),
        _("Field"),
        _("Before"),
        _("After"),
    ]


def _field_label(field) -> str:
    """The field's name for people: a relation named without a label of its own (Django then
    makes one of the attribute name, untranslated) takes its model's translated name."""
    unnamed = str(field.verbose_name) == field.name.replace("_", " ")
    if field.is_relation and field.related_model is not None and unnamed:
        return str(field.related_model._meta.verbose_name)
    return str(field.verbose_name)
