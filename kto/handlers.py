"""Reactions of the KTO to events of lower layers (subscribed in KtoConfig.ready)."""

import logging

from django.db import transaction

from contracts import selectors as contract_selectors
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from kto.services import verdict_survey_invite

logger = logging.getLogger(__name__)


def on_complaint_verdict_requested(
    *, organisation_id: int, contract_id: int, email: str, language: str = "nl"
) -> None:
    """The complaints app asks for the complainant's verdict: invite it to the contract's
    pooled verdict survey. Runs after the complaint's transaction has committed."""
    organisation = Organisation.objects.get(pk=organisation_id)
    access = system_access(organisation)
    with tenant_scope(access), transaction.atomic():
        contract = contract_selectors.contract_list(access=access).get(pk=contract_id)
        verdict_survey_invite(
            organisation=organisation, contract=contract, email=email, language=language
        )
    logger.info("Verdict survey invitation queued for contract %s", contract_id)
