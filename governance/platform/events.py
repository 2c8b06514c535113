"""Domain events across layers: a lower app announces, a higher app reacts.

Layers forbid contracts from importing kto, yet an accepted SLA report must start a gap
analysis. The lower layer publishes an event after commit; the higher layer subscribes in its
AppConfig.ready(). Handlers receive keyword ids only and must not raise into the publisher.
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

SLA_REPORT_ACCEPTED = "sla_report_accepted"  # organisation_id, period_start (date)
SURVEY_CLOSED = "survey_closed"  # organisation_id, period_start, period_end (dates)

_handlers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, handler: Callable) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(event: str, **payload) -> None:
    """Call every handler of `event` after the current transaction commits."""

    def deliver():
        for handler in list(_handlers[event]):
            try:
                handler(**payload)
            except Exception:  # noqa: BLE001 - a subscriber must never break the publisher
                logger.exception("Handler %s for %s failed", handler, event)

    transaction.on_commit(deliver)
