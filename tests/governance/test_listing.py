"""The list page base: page links keep the filters, strict pages answer 404 out of range."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from governance.platform.listing import ListPage, paginate, query_without_page

ROWS = list(range(60))


def get(query=""):
    request = RequestFactory().get("/o/alpha/things/" + query)
    request.access = None
    return request


def test_page_links_keep_every_filter_but_the_page():
    assert query_without_page(get("?q=desk&status=open&page=3")) == "q=desk&status=open"


@pytest.mark.parametrize(("page", "number"), [("", 1), ("2", 2), ("99", 3), ("x", 1), ("last", 1)])
def test_a_page_number_that_is_not_one_gives_the_nearest_page(page, number):
    assert paginate(get(f"?page={page}"), ROWS, 25).number == number


@pytest.mark.parametrize(("page", "number"), [("", 1), ("2", 2), ("last", 3)])
def test_strict_pages_give_the_page_asked_for(page, number):
    assert paginate(get(f"?page={page}"), ROWS, 25, strict=True).number == number


@pytest.mark.parametrize("page", ["0", "4", "x"])
def test_strict_pages_answer_404_for_a_page_that_is_not_there(page):
    with pytest.raises(Http404):
        paginate(get(f"?page={page}"), ROWS, 25, strict=True)


class Numbers(ListPage):
    export_stem = "numbers"

    def get_rows(self):
        found = [n for n in ROWS if str(n).startswith(self.search)]
        return found[:1] if self.exporting and self.choice("first", ["yes"]) else found

    def export_header(self):
        return ["n"]

    def export_rows(self, rows):
        return [[n] for n in rows]


def test_the_context_has_the_page_its_rows_and_the_query():
    listing = Numbers(get("?q=1&page=2"))
    listing.context_object_name = "numbers"
    context = listing.context(extra=True)
    assert context["page_obj"].number == 1  # 11 rows: one page
    assert list(context["numbers"]) == [1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
    assert context["query"] == "q=1"
    assert context["extra"] is True


def test_the_export_has_every_filtered_row_not_only_the_page():
    response = Numbers(get("?q=5&format=csv")).download()
    assert response["Content-Disposition"] == 'attachment; filename="numbers.csv"'
    assert response.content.decode("utf-8-sig").split() == [
        "n",
        "5",
        "50",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "59",
    ]
    first = Numbers(get("?q=5&first=yes")).download()
    assert first.content.decode("utf-8-sig").split() == ["n", "5"]
