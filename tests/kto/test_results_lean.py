"""The results page's figures worked out once in Python: each cell reads its own rollups (the
same rows, in the same order, as filtering the survey's list), and the overview's means are
the ones the template's filters wrote."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from kto.results import Figure, ResultCell, _by_cell, _means, _rows_of
from tests.kto.helpers import english  # noqa: F401 - the fixture
from tests.kto.test_results_one_contract import _survey_with

DIMENSIONS = [
    ("responsiveness", "Responsiveness"),
    ("reliability", "Reliability"),
    ("competence", "Competence"),
]


def test_a_cell_reads_the_rows_that_filtering_the_list_would_give():
    rows = [
        SimpleNamespace(contract_id=contract, group=group, n=n)
        for n, (contract, group) in enumerate(
            [(1, "eu"), (2, "eu"), (1, "biz"), (3, "it"), (1, "eu"), (2, "biz"), (3, "eu")]
        )
    ]
    cells = _by_cell(rows)
    for contracts, groups in (
        ([1], ["eu"]),
        ([1, 2, 3], ["eu", "biz", "it"]),
        ([2, 1], ["biz", "eu"]),
        ([3, 3], ["it", "it", "eu"]),
        ([4], ["eu"]),
    ):
        expected = [r for r in rows if r.contract_id in contracts and r.group in groups]
        assert _rows_of(cells, contracts, groups) == expected


def test_the_overview_means_against_hand_written_values():
    cell = ResultCell(key=(1, "total"), label="All groups", respondents=12, hidden=False)
    cell.perception = {
        "responsiveness": Figure(n=12, mean=3.456, ci_low=3.1, ci_high=3.8),
        "competence": Figure(n=12, mean=4.0, ci_low=None, ci_high=None),
    }
    with translation.override("en"):
        assert _means(cell, DIMENSIONS) == ["3.46", "—", "4.00"]
    with translation.override("nl"):
        assert _means(cell, DIMENSIONS) == ["3,46", "—", "4,00"]


OLD_OVERVIEW_CELLS = Template(
    "{% load kto_tags %}{% for dimension, label in dimensions %}"
    "{% with f=o.total.perception|lookup:dimension %}"
    '<td class="num">{% if f %}{{ f.mean|num:2 }}{% else %}—{% endif %}</td>'
    "{% endwith %}{% endfor %}"
)


@pytest.mark.usefixtures("english")
def test_the_overview_rows_are_what_the_template_filters_wrote(world, client_as):
    survey, _contracts = _survey_with(world, 3)
    response = client_as(world.alice).get(reverse("kto:survey_results", args=["alpha", survey.pk]))
    body = response.content.decode()
    results = response.context["results"]
    assert len(results.overview) == 3
    for o in results.overview:
        old = OLD_OVERVIEW_CELLS.render(Context({"o": o, "dimensions": results.dimensions}))
        assert f'<td class="num">{o.total.respondents}</td>{old}' in body
        assert "".join(f'<td class="num">{m}</td>' for m in o.overview_means) == old
