"""A gap flag's badge as HTML, written in Python once per cell: the matrix shows 50 contracts ×
5 dimensions of them, and an included template per cell cost most of the page's time.

`FlagBadges` writes exactly what `kto/gap/_flag_badge.html` renders for the same cell (the
contract page still includes that template; a test holds the two equal)."""

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kto.gaps.rules import Drift, Flag

EMPTY = mark_safe('<span class="flag flag-none">–</span>\n')  # noqa: S308 - a constant
ARROWS = {Drift.DETERIORATING: "↘", Drift.IMPROVING: "↗"}


class FlagBadges:
    """Badges for one organisation and the active language: labels and the flag URL's prefix
    are worked out once, not per cell."""

    def __init__(self, org_slug: str):
        # The flag page's URL ends in the flag's id: reverse it once for id 0 and swap the id in.
        url = reverse("kto_gap:flag", args=[org_slug, 0])
        if not url.endswith("/0/"):  # pragma: no cover - the URLconf says flags/<int:pk>/
            raise ValueError(url)
        self.url_prefix = escape(url[: -len("0/")])
        # Escaped once (html.escape is what Django's escape() does, without its lazy wrapper).
        self.flags = {value: escape(str(label)) for value, label in Flag.choices}
        self.drifts = {value: escape(str(label)) for value, label in Drift.choices}
        self.confirmed = escape(_("confirmed"))

    def __call__(self, cell) -> SafeString:
        if cell is None:
            return EMPTY
        label = self.flags.get(cell.flag) or escape(cell.flag)
        title = f"{label} · {self.confirmed}" if cell.confirmed else label
        tick = " ✓" if cell.confirmed else ""
        html = (
            f'<a href="{self.url_prefix}{int(cell.pk)}/" class="flag flag-{escape(cell.flag)}"'
            f' title="{title}">{label}{tick}</a>'
        )
        arrow = ARROWS.get(cell.drift)
        if arrow:
            drift = self.drifts[cell.drift]
            html += f' <small class="drift" title="{drift}">{arrow}</small>'
        return mark_safe(html + "\n")  # noqa: S308 - built from escaped parts
