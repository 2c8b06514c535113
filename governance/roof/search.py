"""One search box across the organisation: contracts, services, complaints, findings,
meetings and improvement programmes, each read through its app's own list selector so a
user finds exactly what the lists would show them."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audits.selectors import finding_list
from complaints.selectors import complaint_list
from contracts.selectors import contract_list, service_list
from governance.platform.access import Access
from governance.platform.queries import text_search
from meetings.selectors import meeting_list, sip_list

SHOWN = 10
# Up to this many matches of a kind are ranked best first; beyond it they come in the list's own
# order (ranking reads the text of every match: seconds for a word in most of 100,000 rows).
RANKED_UP_TO = 500
MAX_LENGTH = 200


@dataclass
class Kind:
    """One kind of record the search finds."""

    key: str
    label: str
    fields: tuple[str, ...]
    references: tuple[str, ...]
    rows: object  # access -> queryset of what the user may see
    link: object  # (organisation slug, row) -> url
    list_url: str = ""  # a list page with the same search, where there is one


def _contracts(access: Access) -> QuerySet:
    return contract_list(access=access)


KINDS = (
    Kind(
        "contracts",
        _("Contracts"),
        ("reference", "title", "supplier__name"),
        ("reference",),
        _contracts,
        lambda slug, row: reverse("contracts:contract_detail", args=[slug, row.pk]),
        "contracts:contract_list",
    ),
    Kind(
        "services",
        _("Services"),
        ("name", "description", "contract__reference"),
        (),
        lambda access: service_list(access=access).select_related("contract"),
        lambda slug, row: (
            reverse("contracts:contract_detail", args=[slug, row.contract_id])
            + f"#service-{row.pk}"
        ),
    ),
    Kind(
        "complaints",
        _("Complaints"),
        ("reference", "description"),
        ("reference",),
        lambda access: complaint_list(access=access),
        lambda slug, row: reverse("complaints:complaint_detail", args=[slug, row.pk]),
        "complaints:complaint_list",
    ),
    Kind(
        "findings",
        _("Audit findings"),
        ("reference", "title", "description", "root_cause"),
        ("reference",),
        lambda access: finding_list(access=access, with_actions=False),
        lambda slug, row: reverse("audits:finding_detail", args=[slug, row.pk]),
        "audits:finding_board",
    ),
    Kind(
        "meetings",
        _("Meetings"),
        ("series__title", "location", "series__contract__reference"),
        (),
        lambda access: meeting_list(access=access).order_by("-starts_at"),
        lambda slug, row: reverse("meetings:meeting_detail", args=[slug, row.pk]),
    ),
    Kind(
        "sips",
        _("Improvement programmes (SIPs)"),
        ("title", "goal", "contract__reference"),
        (),
        lambda access: sip_list(access=access).order_by("-pk"),
        lambda slug, row: reverse("meetings:sip_detail", args=[slug, row.pk]),
    ),
)


@dataclass
class Found:
    kind: Kind
    count: int
    rows: list[tuple[object, str]]  # (record, url)
    more_url: str
    ranked: bool = True


def search_everything(*, access: Access, text: str) -> list[Found]:
    """Per kind, how many records match `text` and the best `SHOWN` of them."""
    slug = access.organisation.slug
    found = []
    for kind in KINDS:
        visible = kind.rows(access)
        matches = text_search(visible, text, kind.fields, kind.references, ranked=False)
        count = matches.count()
        if not count:
            continue
        ranked = count <= RANKED_UP_TO
        if ranked:
            matches = text_search(visible, text, kind.fields, kind.references)
        rows = [(row, kind.link(slug, row)) for row in matches[:SHOWN]]
        more_url = ""
        if count > SHOWN and kind.list_url:
            more_url = reverse(kind.list_url, args=[slug]) + "?" + urlencode({"q": text})
        found.append(Found(kind, count, rows, more_url, ranked))
    return found


def search(request, org_slug):
    """The results of the search box for everything the user may see in this organisation."""
    text = request.GET.get("q", "").strip()
    error = ""
    found = []
    if len(text) > MAX_LENGTH:
        error = _("Type at most %(count)d characters.") % {"count": MAX_LENGTH}
    elif text:
        found = search_everything(access=request.access, text=text)
    return render(
        request,
        "governance/search.html",
        {"q": text, "found": found, "error": error, "total": sum(f.count for f in found)},
    )
