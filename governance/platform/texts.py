"""Generated sentences in the reader's language.

A sentence Regie writes from data (an agenda item, a checklist question) is stored as its kind
and parameters, not as text: `text_key` names a registered kind (an English msgid with
%(name)s placeholders) and `text_params` holds the values. Pages, PDFs and mails render it at
view time with gettext in the active language, so a Dutch-generated agenda reads English to an
English reader and no sentence mixes the two.

Parameters are plain values (codes, dates, numbers, names typed by people), or:
- a choice label given as its untranslated msgid (`msgid_of(label)`) and named in the kind's
  `translated`, so it is translated with the sentence (and lowered when named in `lower`);
- another stored sentence `{"k": key, "p": params, "t": fallback}` (an escalated item's title);
- a figure `{"f": format, "v": value, ...}` written for each reader by a registered format
  (`number`, `percent`, `day` here; apps add their own with `register_format`), so a Dutch
  reader reads "−25,08" and an English one "−25.08" from the same stored row;
- a list of such values, joined with ", ".

The stored text stays beside the key as the fallback: for rows from before this, free text
typed by people, and a kind that is no longer registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext

from governance.platform.formatting import day, number


@dataclass(frozen=True)
class Kind:
    msgid: str
    translated: tuple[str, ...] = ()
    lower: tuple[str, ...] = ()


_kinds: dict[str, Kind] = {}


def register(key: str, msgid: str, *, translated=(), lower=()) -> str:
    """Register a kind of sentence (mark `msgid` with gettext_noop where it is written)."""
    _kinds[key] = Kind(msgid, tuple(translated), tuple(lower))
    return key


def _percent(value, d: int = 1) -> str:
    return f"{number(value * 100, d)} %" if value is not None else "–"


def _day(value) -> str:
    from datetime import date

    try:
        return day(date.fromisoformat(value)) if isinstance(value, str) else day(value)
    except ValueError:
        return str(value)


_formats: dict[str, Callable] = {
    "number": lambda value, d=None, sign=False: number(value, d, sign=sign),
    "percent": _percent,
    "day": _day,
}


def register_format(name: str, function: Callable) -> None:
    """A way to write a stored figure for the reader: `function(value, **options)`."""
    _formats[name] = function


def figure(format_name: str, value, **options) -> dict:
    """A stored figure, written for each reader with the format `format_name` (a Decimal is
    kept exact, as its text)."""
    if isinstance(value, Decimal):
        value = str(value)
    return {"f": format_name, "v": value, **options}


def kind_msgid(key: str) -> str | None:
    """The English msgid of a registered kind (None for an unknown kind)."""
    kind = _kinds.get(key)
    return kind.msgid if kind is not None else None


def msgid_of(label) -> str:
    """The untranslated text of a (lazy) label, e.g. a choice's label: what a stored
    parameter keeps so that it can be translated for each reader."""
    with translation.override(None):
        return str(label)


def choice_msgid(instance, field_name: str) -> str:
    """The untranslated label of a model instance's choice field (e.g. "Major nonconformity"
    for a finding's grade), whatever language is active."""
    meta = getattr(instance, "_meta", None)
    if meta is None:  # not a model instance: its display text is all there is
        return str(getattr(instance, f"get_{field_name}_display")())
    value = getattr(instance, field_name)
    label = dict(meta.get_field(field_name).flatchoices).get(value)
    return msgid_of(label) if label is not None else str(value)


@dataclass(frozen=True)
class Said:
    """A sentence of a registered kind with its parameters, not yet in any language."""

    key: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.key, self.params)

    def stored(self) -> dict:
        """The JSON form nested in another sentence's parameters."""
        return {"k": self.key, "p": self.stored_params(), "t": str(self)}

    def stored_params(self) -> dict:
        """The parameters as JSON: nested sentences in their stored form."""
        return {name: _stored(value) for name, value in self.params.items()}


def _stored(value):
    if isinstance(value, Said):
        return value.stored()
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    return value


def render(key: str, params: dict | None, fallback: str = "") -> str:
    """The sentence in the active language; `fallback` for an unknown kind or bad params."""
    kind = _kinds.get(key or "")
    if kind is None:
        return fallback
    values = {}
    for name, value in (params or {}).items():
        if isinstance(value, list):
            value = ", ".join(str(_value(kind, name, v)) for v in value)
        else:
            value = _value(kind, name, value)
        if name in kind.lower and isinstance(value, str):
            value = value.lower()
        values[name] = value
    try:
        return gettext(kind.msgid) % values if values or "%(" in kind.msgid else gettext(kind.msgid)
    except (KeyError, TypeError, ValueError):
        return fallback


def _value(kind: Kind, name: str, value):
    if isinstance(value, Said):
        return str(value)
    if isinstance(value, dict) and "k" in value:
        return render(value["k"], value.get("p"), value.get("t", ""))
    if isinstance(value, dict) and "f" in value:
        options = {k: v for k, v in value.items() if k not in ("f", "v")}
        write = _formats.get(value["f"])
        return write(value.get("v"), **options) if write else str(value.get("v", ""))
    if name in kind.translated and isinstance(value, str) and value:
        return gettext(value)
    return value


def render_parts(parts: list | None, fallback: str = "") -> str:
    """Lines of stored sentences (`{"k", "p"}`) or plain text (`{"t"}`), joined by newlines."""
    if not parts:
        return fallback
    lines = []
    for part in parts:
        if "k" in part:
            lines.append(render(part["k"], part.get("p"), part.get("t", "")))
        else:
            lines.append(part.get("t", ""))
    return "\n".join(line for line in lines if line)
