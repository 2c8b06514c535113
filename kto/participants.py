"""Participant import: a CSV of e-mail, group and optional contract, department and language,
validated as a whole with row-level errors; nothing is stored unless every row is valid."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from kto.models import Invitation, StakeholderGroup, Survey
from kto.tokens import INVITATION, derive_token, new_salt, token_hash

MAX_ROWS = 20_000
MAX_BYTES = 2_000_000
REQUIRED_COLUMNS = {"email", "group"}
KNOWN_COLUMNS = {"email", "group", "contract", "department", "language"}
GROUP_ALIASES = {
    "end_users": StakeholderGroup.END_USERS,
    "end users": StakeholderGroup.END_USERS,
    "end user": StakeholderGroup.END_USERS,
    "eindgebruikers": StakeholderGroup.END_USERS,
    "eindgebruiker": StakeholderGroup.END_USERS,
    "business": StakeholderGroup.BUSINESS,
    "opdrachtgever": StakeholderGroup.BUSINESS,
    "it": StakeholderGroup.IT,
    "it organisation": StakeholderGroup.IT,
    "it-organisatie": StakeholderGroup.IT,
    "ict-organisatie": StakeholderGroup.IT,
}


@dataclass(frozen=True)
class RowError:
    row: int  # 1 = the header; data rows start at 2, as in a spreadsheet
    field: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


class ImportRejected(ValidationError):
    """The file was rejected as a whole; `row_errors` lists every problem."""

    def __init__(self, row_errors: list[RowError]):
        super().__init__([str(e) for e in row_errors])
        self.row_errors = row_errors


def _read_rows(content: bytes | str) -> tuple[list[str], list[dict]]:
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise ImportRejected([RowError(0, _("file"), _("The file is larger than 2 MB."))])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected(
                [RowError(0, _("file"), _("The file is not UTF-8 text."))]
            ) from None
    sample = content[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise ImportRejected(
            [RowError(1, column, _("This column is missing.")) for column in sorted(missing)]
        )
    rows = []
    for index, row in enumerate(reader):
        if index >= MAX_ROWS:
            raise ImportRejected(
                [RowError(0, _("file"), _("At most %(max)s rows.") % {"max": MAX_ROWS})]
            )
        rows.append({k: (v or "").strip() for k, v in row.items() if k})
    return header, rows


@transaction.atomic
def participants_import(*, survey: Survey, content: bytes | str) -> int:
    """Add the participants in a CSV to a survey that has not been launched yet. Raises
    ImportRejected with every row error; returns the number of participants added."""
    if survey.launched_on is not None:
        raise ImportRejected(
            [RowError(0, _("file"), _("Invitations have been released; the list is fixed."))]
        )
    rows = _read_rows(content)[1]
    if not rows:
        raise ImportRejected([RowError(0, _("file"), _("The file has no participants."))])
    contracts = {c.reference.lower(): c for c in survey.contracts.all()}
    only_contract = next(iter(contracts.values())) if len(contracts) == 1 else None
    groups = set(survey.groups.values_list("group", flat=True))
    existing = {e.lower() for e in survey.invitations.values_list("email", flat=True)}
    seen: set[str] = set()
    errors: list[RowError] = []
    invitations = []
    for number, row in enumerate(rows, start=2):
        email = row.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(number, "email", _("Not a valid e-mail address.")))
        else:
            if email in seen or email in existing:
                errors.append(RowError(number, "email", _("This address is already listed.")))
            seen.add(email)
        group = GROUP_ALIASES.get(row.get("group", "").lower())
        if group is None:
            errors.append(RowError(number, "group", _("Use end_users, business or it.")))
        elif group not in groups:
            errors.append(RowError(number, "group", _("This group is not asked in this survey.")))
        reference = row.get("contract", "").lower()
        contract = contracts.get(reference) if reference else only_contract
        if contract is None:
            errors.append(
                RowError(
                    number,
                    "contract",
                    _("Give the reference of one of the survey's contracts.")
                    if not reference
                    else _("Not one of the survey's contracts."),
                )
            )
        language = row.get("language", "").lower() or "nl"
        if language not in ("nl", "en"):
            errors.append(RowError(number, "language", _("Use nl or en.")))
        department = row.get("department", "")
        if len(department) > 100:
            errors.append(RowError(number, "department", _("At most 100 characters.")))
        if not errors or errors[-1].row != number:
            invitations.append(
                Invitation(
                    organisation=survey.organisation,
                    survey=survey,
                    email=email,
                    group=group,
                    contract=contract,
                    segment=department,
                    language=language,
                    salt=new_salt(),
                )
            )
    if errors:
        raise ImportRejected(errors)
    for invitation in invitations:
        invitation.token_hash = token_hash(derive_token(INVITATION, invitation.salt))
    Invitation.objects.bulk_create(invitations)
    return len(invitations)
