"""The checklist of an operational audit, derived from the contract's agreed way of working —
its explicit expectations, its service levels in force and the agreed procedures (what the
supplier must deliver when) — plus a standard question set per level. Texts are written in the
active language (the services module sets the organisation's)."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from audits.models import ChecklistItem, Level
from contracts.selectors import (
    expectations_for_contract,
    information_needs_for_contract,
    service_levels_for_contract,
)


@dataclass(frozen=True)
class DraftItem:
    source: str
    source_key: str
    level: str
    clause: str
    question: str
    guidance: str = ""


def standard_questions(level: str) -> list[tuple[str, str, str]]:
    """(key, clause, question) of the standard set for one level (management or staff)."""
    common = [
        ("known", "7.3", _("Is the agreed procedure known?")),
        ("followed", "8.5", _("Is it followed?")),
        ("chafes", "10.2", _("Where does it chafe?")),
    ]
    if level == Level.MANAGEMENT:
        return [
            *common,
            (
                "competence",
                "7.2",
                _("Are the competences the agreed way of working needs defined and trained?"),
            ),
            (
                "internal_audit",
                "9.2",
                _("Are this contract's processes in the internal audit plan, and followed up?"),
            ),
            (
                "corrective",
                "10.2",
                _("Are nonconformities reported to the client analysed for their root cause?"),
            ),
        ]
    return [
        *common,
        (
            "escalation",
            "7.3",
            _("Do you know when and to whom to escalate under this contract?"),
        ),
        (
            "documented",
            "7.5",
            _("Are the work instructions you use current and easy to find?"),
        ),
    ]


def _levels(audit_level: str) -> list[str]:
    return [Level.MANAGEMENT, Level.STAFF] if audit_level == Level.BOTH else [audit_level]


def draft_items(*, audit, today: date) -> list[DraftItem]:
    """Every item the audit's checklist should hold, in order: the contract's agreed way of
    working first, then the standard questions per level."""
    contract = audit.contract
    items: list[DraftItem] = []
    for expectation in expectations_for_contract(contract=contract):
        items.append(
            DraftItem(
                source=ChecklistItem.Source.EXPECTATION,
                source_key=f"expectation:{expectation.pk}",
                level=audit.level,
                clause="8.2",
                question=_("Does the team know and work to the expectation “%(statement)s”?")
                % {"statement": expectation.statement},
                guidance=_("Measured by: %(measured_by)s · owner: %(owner)s")
                % {"measured_by": expectation.measured_by, "owner": expectation.owner},
            )
        )
    in_force = {}
    for level in service_levels_for_contract(contract=contract):
        if level.valid_from <= today and (level.valid_to is None or level.valid_to >= today):
            in_force[level.code] = level
    for code in sorted(in_force):
        level = in_force[code]
        target = f"{level.target.normalize():f} {level.unit}".strip()
        items.append(
            DraftItem(
                source=ChecklistItem.Source.SERVICE_LEVEL,
                source_key=f"service_level:{code}",
                level=audit.level,
                clause="8.5",
                question=_(
                    "Does the team know service level %(code)s “%(name)s” (target %(target)s) "
                    "and how its own work affects it?"
                )
                % {"code": code, "name": level.name, "target": target},
                guidance=(
                    _("Service: %(service)s") % {"service": level.service.name}
                    if level.service
                    else ""
                ),
            )
        )
    for need in information_needs_for_contract(contract=contract):
        items.append(
            DraftItem(
                source=ChecklistItem.Source.PROCEDURE,
                source_key=f"procedure:{need.pk}",
                level=audit.level,
                clause="7.4",
                question=_(
                    "Is the agreed procedure for “%(what)s” (%(format)s, %(frequency)s, to "
                    "%(recipient)s) known and followed?"
                )
                % {
                    "what": need.what,
                    "format": need.format,
                    "frequency": need.get_frequency_display().lower(),
                    "recipient": need.recipient,
                },
                guidance=_("Due %(days)d days after the period ends.") % {"days": need.due_days},
            )
        )
    for level in _levels(audit.level):
        for key, clause, question in standard_questions(level):
            items.append(
                DraftItem(
                    source=ChecklistItem.Source.STANDARD,
                    source_key=f"standard:{key}",
                    level=level,
                    clause=clause,
                    question=question,
                )
            )
    return items
