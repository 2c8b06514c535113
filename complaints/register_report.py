"""The open register of a quarter as PDF: the public page's aggregated, k-suppressed figures and
nothing else (no references, no texts, no names). Rendered by a task only."""

from datetime import date

from django.utils import timezone, translation

from complaints import selectors
from governance.platform.models import Organisation
from governance.platform.pdf import render_pdf_with_pages


def register_report_pdf(
    *, organisation: Organisation, quarter: str, period_start: date, period_end: date, language: str
) -> tuple[bytes, int]:
    """(PDF bytes, pages) of the register of `quarter` in `language`. Call inside the
    organisation's scope."""
    with translation.override(language):
        figures = selectors.register(
            organisation=organisation, period_start=period_start, period_end=period_end
        )
        return render_pdf_with_pages(
            "complaints/pdf/register.html",
            {
                "organisation": organisation,
                "register": figures,
                "rows": figures.rows,
                "quarter": quarter,
                "rendered_on": timezone.localdate(),
            },
        )
