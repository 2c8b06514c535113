"""Optimistic concurrency: an update names the version of the record it was made on, and a
stale one is refused instead of silently overwriting someone else's change.

A record's version is the id of its newest audit-trail row (governance/platform/history.py):
every save of a governance record adds one, so the version moves on each change, without a
version column on every model, and the trail tells who changed what since. A model without a
trail gets a short hash of its stored values instead.

- Browser: `VersionedFormMixin` gives an edit form a hidden `version` field; its `clean()`
  locks the record (select_for_update) and compares, so the view must run the POST in one
  transaction with the write (`atomic_post`): two simultaneous saves cannot both pass. A stale
  form gets an error naming each field the other person changed (their value, yours), nothing
  is saved, and the form now carries the current version: saving again is a deliberate choice.
- API: `VersionedViewSetMixin` sends an `ETag` with a record's responses and honours `If-Match`
  on PUT, PATCH and POST actions of a record: 412 with a JSON body when stale. A request
  without `If-Match` (or a form without `version`) is let through, so integrations written
  before versions existed keep working; sending it is what protects against lost updates.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.permissions import SAFE_METHODS
from simple_history.models import HistoricalRecords

from governance.platform.history import is_tracked
from governance.platform.trail import Entry, _entries, _text, hidden_fields

# --- versions ------------------------------------------------------------------------------


def _stored_version(model, pk) -> str:
    if is_tracked(model):
        newest = (
            model.history.model.objects.filter(**{model._meta.pk.attname: pk})
            .order_by("-history_id")
            .values_list("history_id", flat=True)
            .first()
        )
        return str(newest or 0)
    values = model._base_manager.filter(pk=pk).values_list(
        *[f.attname for f in model._meta.concrete_fields]
    )
    return hashlib.sha256(repr(list(values)).encode()).hexdigest()[:16]


def version_of(record: models.Model) -> str:
    """The record's version as stored now (an opaque token)."""
    return _stored_version(type(record), record.pk)


def locked_version(record: models.Model) -> str:
    """The record's stored version, with its row locked until the transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a version check must run inside the update's transaction")
    model = type(record)
    # of=self: a model whose manager joins related rows locks its own row only.
    list(model._base_manager.select_for_update(of=("self",)).filter(pk=record.pk).values_list("pk"))
    return _stored_version(model, record.pk)


def changes_since(record: models.Model, version: str) -> list[Entry]:
    """The trail entries of `record` after `version`, oldest first, without the fields the
    current user may not read; empty for a record without a trail or an unknown version."""
    model = type(record)
    if not is_tracked(model) or not str(version).isdigit():
        return []
    rows = list(
        model.history.model.objects.filter(
            **{model._meta.pk.attname: record.pk, "history_id__gte": int(version)}
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    request = getattr(HistoricalRecords.context, "request", None)
    access = getattr(request, "access", None)
    hidden = (
        hidden_fields(model, access)
        if access is not None
        else getattr(model, "history_private_fields", frozenset())
    )
    return [e for e in _entries(model, rows, hidden=hidden) if e.history_id > int(version)]


def _yours(record, name, value) -> str:
    try:
        field = type(record)._meta.get_field(name)
    except Exception:
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if field.is_relation:
        return "" if value is None else str(value)
    return _text(field, value, None)


def conflict_messages(record, version: str, yours: dict) -> list[str]:
    """What the other person changed since `version`: one line per field, with their value
    and, where the form had the field, the value entered here."""
    lines = [_("Someone else saved this record after you opened it; nothing of yours is saved.")]
    for entry in changes_since(record, version):
        when = formats.localize(timezone.localtime(entry.when))
        who = entry.user or _("someone")
        for change in entry.changes:
            values = {
                "field": capfirst(change.label),
                "who": who,
                "when": when,
                "theirs": change.after or "—",
            }
            if change.name in yours:
                values["yours"] = _yours(record, change.name, yours[change.name]) or "—"
                lines.append(
                    _(
                        "%(field)s: %(who)s changed it to “%(theirs)s” (%(when)s); you "
                        "entered “%(yours)s”."
                    )
                    % values
                )
            else:
                lines.append(
                    _("%(field)s: %(who)s changed it to “%(theirs)s” (%(when)s).") % values
                )
    lines.append(_("The form shows your values: save again to put them over the other change."))
    return lines


# --- browser -------------------------------------------------------------------------------


class VersionedFormMixin:
    """For an edit form: a hidden `version` of the record, checked in `clean()` against the
    stored one under a row lock. The record is the ModelForm's instance or `record=`."""

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.versioned_record = record if record is not None else instance
        if self.versioned_record is None or self.versioned_record.pk is None:
            self.versioned_record = None
            return
        self.fields["version"] = forms.CharField(
            widget=forms.HiddenInput, required=False, strip=True
        )
        if not self.is_bound:
            self.fields["version"].initial = version_of(self.versioned_record)

    def clean(self):
        cleaned = super().clean()
        record = self.versioned_record
        # The version is no data of the record: the services never see it.
        sent = self.cleaned_data.pop("version", "") or ""
        if record is None or not sent:
            return cleaned
        current = locked_version(record)
        if sent != current:
            yours = dict(self.cleaned_data)
            data = self.data.copy()
            data[self.add_prefix("version")] = current
            self.data = data
            lines = conflict_messages(record, sent, yours)
            raise ValidationError([ValidationError(line, code="stale") for line in lines])
        return cleaned


def stale_messages(form) -> list[str]:
    """The lines of a form refused as stale (empty when it was not), for a view that shows a
    form's problems as messages."""
    if form.has_error(forms.forms.NON_FIELD_ERRORS, code="stale"):
        return list(form.non_field_errors())
    return []


def atomic_post(view):
    """Run a POST to `view` in one transaction, so the form's version check (with its row
    lock) and the write it guards cannot be interleaved with another save."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            with transaction.atomic():
                return view(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapped


# --- API -----------------------------------------------------------------------------------


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class PreconditionFailedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.CharField(help_text="The record's version now (its ETag).")
    changed_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Fields changed since the version sent."
    )


def _tags(header: str) -> list[str]:
    # Weak tags compare by their opaque part: a compressing proxy may weaken ours in transit.
    return [t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()]


def check_if_match(request, record) -> None:
    """Refuse (412) an update whose `If-Match` names no current version of `record`. Without
    the header the update goes ahead."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return
    current = locked_version(record)
    tags = _tags(header)
    if "*" in tags or current in tags:
        return
    sent = tags[0] if tags else ""
    changed = sorted({c.name for e in changes_since(record, sent) for c in e.changes})
    raise PreconditionFailed(
        {
            "detail": _(
                "The record changed after the version you sent; fetch it again and resend "
                "your change with its new ETag in If-Match."
            ),
            "current_version": current,
            "changed_fields": changed,
        }
    )


class VersionedSchema(AutoSchema):
    """Declares `If-Match`, `ETag` and the 412 on a record's operations."""

    def _on_record(self) -> bool:
        return bool(getattr(self.view, "detail", False))

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if not self._on_record():
            return parameters
        if self.method in ("PUT", "PATCH", "POST"):
            parameters = [
                *parameters,
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "The record's ETag as read. When it is no longer current the update "
                        "is refused with 412 and nothing is changed. Optional: without it the "
                        "update is not checked."
                    ),
                ),
            ]
        return [
            *parameters,
            OpenApiParameter(
                "ETag",
                str,
                OpenApiParameter.HEADER,
                response=["200", "201", "412"],
                description="The record's version, to send back in If-Match.",
            ),
        ]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._on_record() and self.method in ("PUT", "PATCH", "POST"):
            responses["412"] = self._get_response_for_code(
                PreconditionFailedSerializer, "412", direction=direction
            )
        return responses


class VersionedViewSetMixin:
    """For a viewset of records: `ETag` on a record's responses, `If-Match` honoured on its
    PUT, PATCH and POST actions (checked in `get_object`, under a row lock, in the request's
    transaction)."""

    schema = VersionedSchema()
    versioned_record = None

    def dispatch(self, request, *args, **kwargs):
        if request.method in SAFE_METHODS or not getattr(self, "detail", False):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        record = super().get_object()
        self.versioned_record = record
        if self.request.method not in SAFE_METHODS:
            check_if_match(self.request, record)
        return record

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = self.versioned_record
        if record is not None and (
            200 <= response.status_code < 300 or response.status_code == 412
        ):
            response["ETag"] = f'"{version_of(record)}"'
        return response
