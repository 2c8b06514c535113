"""The checklist of an operational audit, derived from the contract's agreed way of working —
its explicit expectations, its service levels in force and the agreed procedures (what the
supplier must deliver when) — plus a standard question set per level. Questions are sentences
of registered kinds with their parameters (governance.platform.texts), read in each reader's
language; their text in the organisation's language is stored beside them as the fallback."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_noop

from audits.models import ChecklistItem, Level
from contracts.selectors import (
    expectations_for_contract,
    information_needs_for_contract,
    service_levels_for_contract,
)
from governance.platform.texts import Said, choice_msgid, register


@dataclass(frozen=True)
class DraftItem:
    source: str
    source_key: str
    level: str
    clause: str
    question: Said
    guidance: tuple = ()  # sentences (Said) or plain text, one line each


EXPECTATION = register(
    "audits.expectation",
    gettext_noop("Does the team know and work to the expectation “%(statement)s”?"),
)
MEASURED_BY = register(
    "audits.measured_by", gettext_noop("Measured by: %(measured_by)s · owner: %(owner)s")
)
SERVICE_LEVEL = register(
    "audits.service_level",
    gettext_noop(
        "Does the team know service level %(code)s “%(name)s” (target %(target)s) "
        "and how its own work affects it?"
    ),
)
SERVICE = register("audits.service", gettext_noop("Service: %(service)s"))
PROCEDURE = register(
    "audits.procedure",
    gettext_noop(
        "Is the agreed procedure for “%(what)s” (%(format)s, %(frequency)s, to "
        "%(recipient)s) known and followed?"
    ),
    translated=("frequency",),
    lower=("frequency",),
)
DUE = register("audits.due", gettext_noop("Due %(days)d days after the period ends."))
STANDARD = {
    key: register(f"audits.standard.{key}", msgid)
    for key, msgid in {
        "known": gettext_noop("Is the agreed procedure known?"),
        "followed": gettext_noop("Is it followed?"),
        "chafes": gettext_noop("Where does it chafe?"),
        "competence": gettext_noop(
            "Are the competences the agreed way of working needs defined and trained?"
        ),
        "internal_audit": gettext_noop(
            "Are this contract's processes in the internal audit plan, and followed up?"
        ),
        "corrective": gettext_noop(
            "Are nonconformities reported to the client analysed for their root cause?"
        ),
        "escalation": gettext_noop("Do you know when and to whom to escalate under this contract?"),
        "documented": gettext_noop("Are the work instructions you use current and easy to find?"),
    }.items()
}


def standard_questions(level: str) -> list[tuple[str, str, Said]]:
    """(key, clause, question) of the standard set for one level (management or staff)."""
    common = [("known", "7.3"), ("followed", "8.5"), ("chafes", "10.2")]
    if level == Level.MANAGEMENT:
        keys = [*common, ("competence", "7.2"), ("internal_audit", "9.2"), ("corrective", "10.2")]
    else:
        keys = [*common, ("escalation", "7.3"), ("documented", "7.5")]
    return [(key, clause, Said(STANDARD[key])) for key, clause in keys]


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
                question=Said(EXPECTATION, {"statement": expectation.statement}),
                guidance=(
                    Said(
                        MEASURED_BY,
                        {"measured_by": expectation.measured_by, "owner": expectation.owner},
                    ),
                ),
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
                question=Said(SERVICE_LEVEL, {"code": code, "name": level.name, "target": target}),
                guidance=(
                    (Said(SERVICE, {"service": level.service.name}),) if level.service else ()
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
                question=Said(
                    PROCEDURE,
                    {
                        "what": need.what,
                        "format": need.format,
                        "frequency": choice_msgid(need, "frequency"),
                        "recipient": need.recipient,
                    },
                ),
                guidance=(Said(DUE, {"days": need.due_days}),),
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
