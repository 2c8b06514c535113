"""One base for the apps' list pages: filters from the query string, the rows from a selector,
a page of them with the query string kept for the page links, and an export of the same rows.

A list page is a subclass of `ListPage` that names its template and says how its rows are
selected; everything else has a default::

    from governance.platform.listing import ListPage

    class FindingBoard(ListPage):
        template_name = "audits/finding_board.html"
        context_object_name = "ranked"        # the page's rows, in the template
        filter_form_class = FindingFilterForm  # optional: bound to request.GET
        export_stem = "audit-findings"         # optional: the export's file name

        def get_rows(self):
            # `self.filters` is the form's cleaned data ({} without a form or when invalid);
            # without a form, read the query string: `self.search`, `self.choice()`, …
            return selectors.bottleneck_ranking(
                access=self.access,
                contract_id=self.number("contract"),
                grade=self.choice("grade", Result.values),
                search=self.search,
                with_actions=self.exporting,
            )

        def get_context(self, page):
            return {"contracts": contract_list(access=self.access)}

        def export_header(self):
            return [_("Rank"), _("Finding")]

        def export_rows(self, rows):
            return [[rank, r.finding.title] for rank, r in enumerate(rows, start=1)]

    def finding_board(request, org_slug):
        return FindingBoard(request).render()

    def finding_export(request, org_slug):  # ?format=csv (default) or ?format=xlsx
        return FindingBoard(request).download()

In the URLconf a class can also stand for itself: `FindingBoard.as_view()` answers GET and
HEAD only (as Django's ListView does), where the function above answers any method.

The template gets `page_obj`, the page's rows under `context_object_name`, `query` (the query
string without `page`, for the page and export links), the filter form under
`filter_form_name` and whatever `get_context(page)` adds.
"""

from functools import cached_property

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views import View

from governance.platform.exports import download

PAGE_SIZE = 25


def query_without_page(request) -> str:
    """The request's query string without `page`: what the links to other pages start with."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def paginate(
    request, rows, per_page: int = PAGE_SIZE, *, strict: bool = False, count: int | None = None
) -> Page:
    """The page of `rows` that `?page=` asks for. A page number that is not one gives the
    nearest page, or with `strict` a 404 (as Django's ListView does; `last` is the last).
    `count`, when the caller already knows how many rows there are, spares the COUNT(*)."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count
    if not strict:
        return paginator.get_page(request.GET.get("page"))
    number = request.GET.get("page") or 1
    try:
        return paginator.page(paginator.num_pages if number == "last" else int(number))
    except (ValueError, InvalidPage):
        raise Http404 from None


class ListPage:
    """A list page for one request; see the module's docstring for a usage example."""

    template_name: str = ""
    context_object_name: str | None = None
    paginate_by = PAGE_SIZE
    strict_pages = False  # a page number out of range: 404 instead of the nearest page
    filter_form_class = None
    filter_form_name = "filter_form"
    export_stem = ""

    def __init__(self, request):
        self.request = request
        self.access = request.access
        self.exporting = False

    # --- what a page says about itself -----------------------------------------------------

    def permit(self) -> None:
        """Raise (PermissionDenied, Http404) where the user may not see this list at all."""

    def filter_form_kwargs(self) -> dict:
        return {}

    def get_rows(self):
        raise NotImplementedError

    def get_context(self, page: Page) -> dict:
        return {}

    def known_count(self) -> int | None:
        """How many rows `get_rows()` gives, when the page knows it without counting them
        (e.g. from figures it shows anyway); None lets the paginator count."""
        return None

    def export_header(self) -> list:
        raise NotImplementedError

    def export_rows(self, rows) -> list[list]:
        raise NotImplementedError

    # --- the query string ------------------------------------------------------------------

    def param(self, name: str) -> str:
        return self.request.GET.get(name, "")

    @property
    def search(self) -> str:
        return self.param("q").strip()

    def choice(self, name: str, values) -> str:
        """The parameter if it is one of `values`, else "" (no filter)."""
        value = self.param(name)
        return value if value in values else ""

    def number(self, name: str) -> int | None:
        value = self.param(name)
        return int(value) if value.isdigit() else None

    @cached_property
    def filter_form(self):
        if self.filter_form_class is None:
            return None
        return self.filter_form_class(self.request.GET or None, **self.filter_form_kwargs())

    @cached_property
    def filters(self) -> dict:
        form = self.filter_form
        return form.cleaned_data if form is not None and form.is_valid() else {}

    @cached_property
    def rows(self):
        return self.get_rows()

    # --- the answers -----------------------------------------------------------------------

    def context(self, **extra) -> dict:
        page = paginate(
            self.request,
            self.rows,
            self.paginate_by,
            strict=self.strict_pages,
            count=self.known_count(),
        )
        context = {"page_obj": page, "query": query_without_page(self.request)}
        if self.context_object_name:
            context[self.context_object_name] = page.object_list
        if self.filter_form is not None:
            context[self.filter_form_name] = self.filter_form
        context.update(self.get_context(page))
        context.update(extra)
        return context

    def render(self, *, status: int = 200, **extra) -> HttpResponse:
        """The page; `extra` goes into the template's context last."""
        self.permit()
        return render(self.request, self.template_name, self.context(**extra), status=status)

    def download(self) -> HttpResponse:
        """Every filtered row (not only the page's) as CSV, or XLSX with `?format=xlsx`."""
        self.permit()
        self.exporting = True
        header, rows = self.export_header(), self.export_rows(self.rows)
        return download(self.request.GET.get("format"), self.export_stem, header, rows)

    @classmethod
    def as_view(cls):
        """A view for the URLconf that answers GET and HEAD (405 otherwise)."""

        class ListView(View):
            def dispatch(self, request, *args, **kwargs):
                self.page = cls(request)
                self.page.permit()  # one the user may not see is refused whatever the method
                return super().dispatch(request, *args, **kwargs)

            def get(self, request, *args, **kwargs):
                return self.page.render()

        ListView.__name__ = ListView.__qualname__ = cls.__name__
        return ListView.as_view()
