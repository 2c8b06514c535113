"""The audit trail: which governance record changed, when, by whom (user and side), and how.

Built on django-simple-history: a model declares `history = audit_trail(...)` and every
`save()` and `delete()` of it — pages, API, tasks, the admin — adds one row to its historical
table, with the acting user from `HistoryRequestMiddleware` (DRF sets the token's user on the
same request) and the side that user is on. Without a request (Celery, management commands)
the user is empty and the side "system".

Signals do not fire for `QuerySet.update()`, `bulk_create()` and `bulk_update()`, so on a
tracked model those go through `tracked_update`, `tracked_bulk_create` and
`tracked_bulk_update` below; `tests/test_history_write_paths.py` scans the apps' sources and
fails on a raw bulk write to a tracked model. `QuerySet.delete()` needs nothing: Django sends
`post_delete` for every row of a model that has a receiver, and the trail is one.

The trail is append-only for the application: a history row refuses `save()` once stored,
`delete()`, and its queryset refuses `update()` and `delete()`; the admin cannot revert
(`SIMPLE_HISTORY_REVERT_DISABLED`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models.expressions import Combinable
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


class Side(models.TextChoices):
    CLIENT = "client", _("client")
    SUPPLIER = "supplier", _("supplier")
    OPERATOR = "operator", _("platform operator")
    SYSTEM = "system", _("system")


class AppendOnlyError(RuntimeError):
    """History is written once and never changed or removed by the application."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("history rows cannot be changed")

    def delete(self):
        raise AppendOnlyError("history rows cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("history rows cannot be changed")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("history rows cannot be changed")


class HistoricalAuditBase(models.Model):
    """Base of every historical table: the side of the actor, and append-only behaviour."""

    history_side = models.CharField(
        _("side"), max_length=10, choices=Side.choices, default=Side.SYSTEM
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("history rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("history rows cannot be deleted")


class AuditTrail(HistoricalRecords):
    """`HistoricalRecords` with the platform's base and two lists of fields:

    - `excluded`: never copied into the trail (secrets, personal data of the public, files);
    - `private`: copied, but shown only to the client's members, never to a supplier's user;
    - `m2m`: many-to-many fields whose set of related records each history row keeps (in a
      table of its own per field), so a change of the set shows as before → after.

    A save and the many-to-many changes that follow it in the same transaction (a form's
    `save()` then `save_m2m()`, a service's `save()` then `.set()`) are one change: they make
    one history row, whose set is brought up to date by each many-to-many change. A
    many-to-many change on its own makes a "changed" row.
    """

    def __init__(self, *, private=(), excluded=(), m2m=(), **kwargs):
        super().__init__(
            bases=[HistoricalAuditBase],
            excluded_fields=list(excluded),
            user_related_name="+",
            m2m_fields=list(m2m),
            **kwargs,
        )
        self.private = frozenset(private)

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        cls.history_private_fields = self.private
        cls._audit_trail = self

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender._meta.abstract or getattr(sender, "_audit_trail", None) is not self:
            return
        # {field name: historical model of that field's set}, read by the trail.
        sender.history_m2m_models = {
            f.name: self.m2m_models[f] for f in self.get_m2m_fields_from_model(sender)
        }

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        model = kwargs.get("model")
        if reverse:
            # `service.audits.add(audit)`: the audits are the records whose sets changed.
            if action == "pre_clear":
                field = model._meta.get_field(attr)
                through = field.remote_field.through
                instance._history_cleared = list(
                    through._default_manager.filter(
                        **{field.m2m_reverse_field_name(): instance.pk}
                    ).values_list(field.m2m_field_name(), flat=True)
                )
                return
            if action not in ("post_add", "post_remove", "post_clear"):
                return
            ids = pk_set
            if action == "post_clear":
                ids = instance.__dict__.pop("_history_cleared", [])
            for record in model._base_manager.filter(pk__in=list(ids or ())):
                self.record_m2m(record)
            return
        if action in ("post_add", "post_remove", "post_clear"):
            self.record_m2m(instance)

    def record_m2m(self, instance):
        """Keep the change of `instance`'s sets: in the row of this transaction's save of
        it, else in a new "changed" row."""
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        if hasattr(instance, "skip_history_when_saving"):
            return
        row = _open_row(instance)
        if row is None:
            self.create_historical_record(instance, "~")
            return
        for f in row._history_m2m_fields:
            self.m2m_models[f]._default_manager.filter(history=row).delete()
        self.create_historical_record_m2ms(row, instance)

    def post_save(self, instance, created, using=None, **kwargs):
        # A save of fields the trail leaves out only (a reminder's bookkeeping) changes nothing
        # the trail shows, so it adds no row.
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


def audit_trail(*, private=(), excluded=(), m2m=()) -> AuditTrail:
    """The `history` attribute of a tracked model."""
    return AuditTrail(private=private, excluded=excluded, m2m=m2m)


def is_tracked(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def tracked_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [model for model in apps.get_models() if is_tracked(model)]


# --- who ---------------------------------------------------------------------------------


def side_of(user) -> str:
    """The side `user` acts on: a supplier's user, a client member, a platform operator (staff
    without membership), or the system when there is no user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Side.SYSTEM
    cached = getattr(user, "_history_side", None)
    if cached:
        return cached
    # Imported here: the platform's own models declare their trail with this module.
    from governance.platform.models import Membership, SupplierMembership

    if SupplierMembership.objects.filter(user_id=user.pk).exists():
        side = Side.SUPPLIER
    elif Membership.objects.filter(user_id=user.pk).exists():
        side = Side.CLIENT
    else:
        side = Side.OPERATOR
    user._history_side = side
    return side


def current_user():
    """The user of the request being served, or None (tasks, commands, anonymous)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(pre_create_historical_record)
def _stamp_side(sender, history_instance, history_user, **kwargs):
    if isinstance(history_instance, HistoricalAuditBase):
        history_instance.history_side = side_of(history_user)


def _outer_transaction():
    """The outermost atomic block being run, or None in autocommit."""
    connection = transaction.get_connection()
    return connection.atomic_blocks[0] if connection.in_atomic_block else None


def _open_row(instance):
    """The history row this transaction wrote for `instance` (the same Python object), if any."""
    opened = getattr(instance, "_history_open", None)
    if opened is None:
        return None
    block, row = opened
    current = _outer_transaction()
    return row if current is not None and current is block else None


@receiver(post_create_historical_record)
def _keep_open_row(sender, instance, history_instance, **kwargs):
    """Remember the row of a record with many-to-many sets, for the changes of its sets that
    follow in the same transaction."""
    if getattr(history_instance, "_history_m2m_fields", None):
        block = _outer_transaction()
        instance._history_open = (block, history_instance) if block is not None else None


# --- bulk writes that keep the trail -------------------------------------------------------


def _actor_attrs() -> tuple:
    user = current_user()
    return user, {"history_side": side_of(user)}


def _keeps_sets(model) -> bool:
    return bool(getattr(model, "history_m2m_models", None))


def tracked_bulk_create(model, objs, *, batch_size=None) -> list:
    """`model.objects.bulk_create(objs)` plus one "created" history row per object."""
    if _keeps_sets(model):
        # simple-history's bulk helpers leave the sets out: record each row with them.
        with transaction.atomic():
            created = model.objects.bulk_create(list(objs), batch_size=batch_size)
            for obj in created:
                model._audit_trail.create_historical_record(obj, "+")
        return created
    user, attrs = _actor_attrs()
    return bulk_create_with_history(
        list(objs), model, batch_size=batch_size, default_user=user, custom_historical_attrs=attrs
    )


def tracked_bulk_update(model, objs, fields, *, batch_size=None) -> int:
    """`model.objects.bulk_update(objs, fields)` plus one "changed" history row per object."""
    objs = list(objs)
    if not objs:
        return 0
    if _keeps_sets(model):
        with transaction.atomic():
            count = model.objects.bulk_update(objs, list(fields), batch_size=batch_size)
            for obj in objs:
                model._audit_trail.create_historical_record(obj, "~")
        return count
    user, attrs = _actor_attrs()
    return bulk_update_with_history(
        objs,
        model,
        list(fields),
        batch_size=batch_size,
        default_user=user,
        custom_historical_attrs=attrs,
    )


def tracked_update(queryset: models.QuerySet, **values) -> int:
    """`queryset.update(**values)` for a tracked model, one history row per changed row.

    Values must be plain values: an expression (F(), Case…) would be stored in the trail
    unevaluated, so it is refused.
    """
    for name, value in values.items():
        if isinstance(value, Combinable) or hasattr(value, "resolve_expression"):
            raise TypeError(f"tracked_update() takes plain values; {name} is an expression")
    with transaction.atomic():
        objs = list(queryset.select_for_update(of=("self",)))
        for obj in objs:
            for name, value in values.items():
                setattr(obj, name, value)
        return tracked_bulk_update(queryset.model, objs, values.keys())


def history_scrub(model, pks, scrub) -> int:
    """Erase personal data from the history of `model`'s rows `pks` (an erasure request or a
    retention limit, AVG/GDPR art. 17): every text field the trail keeps goes through
    `scrub(text) -> text`. The one write the application makes to history rows; it changes
    words, never who changed what or when. Returns the number of rows changed."""
    history = getattr(model, "history", None)
    if history is None:
        return 0
    historical = history.model
    fields = [
        f.name
        for f in historical._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.name.startswith("history_")
        and not f.choices
    ]
    changed = 0
    rows = models.QuerySet(model=historical).filter(id__in=list(pks))
    for row in rows.values("history_id", *fields):
        new = {name: scrub(row[name]) for name in fields if row[name]}
        new = {name: value for name, value in new.items() if value != row[name]}
        if new:
            models.QuerySet(model=historical).filter(history_id=row["history_id"]).update(**new)
            changed += 1
    return changed
