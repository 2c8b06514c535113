"""Preview or send the gap digest of one organisation, for operators and newcomers:

    manage.py gap_digest --org zuidrand --preview          # subject, recipients and text
    manage.py gap_digest --org zuidrand --send --deliver   # send now, into the mail folder

`--preview` sends and records nothing. `--send` puts the digest in the outbox for the
schedule's recipients (and suppliers, when the schedule includes them) and records it, as the
scheduled job does; the worker delivers it, or this command with `--deliver`.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contracts import selectors as contract_selectors
from governance.platform.access import system_access, tenant_scope
from governance.platform.models import Organisation
from governance.platform.outbox import outbox_relay
from kto.gaps.digest import (
    client_recipients,
    digest_schedule,
    gap_digest_baseline,
    gap_digest_compose,
    gap_digest_send,
)
from kto.gaps.engine import latest_closed_period


class Command(BaseCommand):
    help = "Preview (--preview) or send (--send) an organisation's gap digest."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organisation's slug")
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--preview", action="store_true", help="print it; send nothing")
        mode.add_argument("--send", action="store_true", help="send it to the recipients")
        parser.add_argument("--period", help="YYYY-MM; the last closed month when omitted")
        parser.add_argument("--html", action="store_true", help="preview the HTML part")
        parser.add_argument(
            "--deliver", action="store_true", help="with --send: deliver the outbox now"
        )

    def handle(self, *args, org, preview, send, period, html, deliver, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"--org {org!r}: no such organisation.")
        if deliver and not send:
            raise CommandError("--deliver goes with --send.")
        period_start = self._period(period)
        if preview:
            self._preview(organisation, period_start, html=html)
            return
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        digest = gap_digest_send(
            organisation=organisation, period_start=period_start, schedule_key=f"manual-{stamp}"
        )
        recipients = digest.recipients if digest else 0
        self.stdout.write(
            f"Gap digest {organisation.slug} {period_start:%Y-%m}: queued for {recipients} "
            "recipient(s)."
        )
        if deliver:
            counts = outbox_relay()
            self.stdout.write(
                f"Outbox: {counts['sent']} sent, {counts['retrying']} retrying, "
                f"{counts['failed']} failed."
            )
        else:
            self.stdout.write("The worker delivers it; add --deliver to send it now.")

    def _preview(self, organisation, period_start: date, *, html: bool) -> None:
        access = system_access(organisation)
        with tenant_scope(access):
            message = gap_digest_compose(
                access=access,
                period_start=period_start,
                contracts=list(contract_selectors.contract_list(access=access)),
                baseline=gap_digest_baseline(organisation=organisation),
                language=organisation.default_language,
            )
            by_language = client_recipients(
                organisation, digest_schedule(organisation=organisation)
            )
        recipients = [
            f"{email} ({language})" for language, emails in by_language.items() for email in emails
        ]
        self.stdout.write(f"Subject: {message.subject}")
        self.stdout.write(f"To: {', '.join(recipients) or '(nobody: no recipients configured)'}")
        self.stdout.write("")
        self.stdout.write(message.html if html else message.text)

    @staticmethod
    def _period(text: str | None) -> date:
        if not text:
            return latest_closed_period(timezone.localdate())[0]
        try:
            year, month = (int(part) for part in text.split("-"))
            return date(year, month, 1)
        except ValueError as error:
            raise CommandError(f"--period {text!r}: use YYYY-MM.") from error
