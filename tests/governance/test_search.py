"""The search box: what each actor finds across the organisation, by words, by prefix and by
reference, and never anything of another organisation or beyond the actor's own lists."""

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scopes_disabled

from complaints.models import Complaint
from governance.platform.access import system_access, tenant_scope
from governance.roof.search import MAX_LENGTH, SHOWN
from tests.audits.helpers import make_setup
from tests.complaints.helpers import route_samples as complaint_samples
from tests.meetings.helpers import make_meetings


@pytest.fixture
def planted(world):
    """Alpha: contract A-1 "Alpha desk", a complaint "Route walk complaint" on service "Walk
    desk" assigned to Northwind, a finding "Escalation not followed", a tactical series "Alpha
    tactical" with two meetings and the SIP "Desk reachability". Beta: the same meetings as
    "Beta hosting tactical" on Southwind's contract."""
    complaint = complaint_samples(world)["complaint"]
    setup = make_setup(world)
    make_meetings(world)
    make_meetings(world, world.beta, world.beta_southwind_contract, title="Beta hosting tactical")
    return {"complaint": complaint, "finding": setup.finding}


def found(client, org, text):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse("search", args=[org.slug]), {"q": text})
    assert response.status_code == 200
    return {group.kind.key: group for group in response.context["found"]}, response


def labels(group):
    return sorted(str(row) for row, _url in group.rows)


def test_every_word_must_begin_a_word_of_the_record(client_as, world, planted):
    groups, response = found(client_as(world.alice), world.alpha, "alpha desk")
    assert set(groups) == {"contracts"}
    assert [row.reference for row, _ in groups["contracts"].rows] == ["A-1"]
    assert "1 result for" in response.content.decode()


def test_one_word_finds_each_kind_that_holds_it(client_as, world, planted):
    groups, _ = found(client_as(world.alice), world.alpha, "walk")
    assert {key: group.count for key, group in groups.items()} == {
        "services": 1,  # "Walk desk"
        "complaints": 1,  # "Route walk complaint"
    }
    groups, _ = found(client_as(world.alice), world.alpha, "tactical")
    assert groups["meetings"].count == 2  # Alpha's two meetings, not Beta's two
    assert {row.series.title for row, _ in groups["meetings"].rows} == {"Alpha tactical"}
    groups, _ = found(client_as(world.alice), world.alpha, "reachab")
    assert labels(groups["sips"]) == ["Desk reachability"]


def test_a_prefix_and_a_reference_find_the_record(client_as, world, planted):
    groups, _ = found(client_as(world.alice), world.alpha, "escal")
    assert [row.pk for row, _ in groups["findings"].rows] == [planted["finding"].pk]
    reference = planted["complaint"].reference
    groups, response = found(client_as(world.alice), world.alpha, reference)
    assert [row.reference for row, _ in groups["complaints"].rows] == [reference]
    url = reverse("complaints:complaint_detail", args=["alpha", planted["complaint"].pk])
    assert url in response.content.decode()


def test_a_supplier_finds_only_what_its_lists_show(client_as, world, planted):
    groups, _ = found(client_as(world.bob), world.alpha, "walk")
    assert groups["complaints"].count == 1  # assigned to Northwind
    with scopes_disabled():
        Complaint.objects.filter(pk=planted["complaint"].pk).update(assigned_supplier=None)
    groups, _ = found(client_as(world.bob), world.alpha, "walk")
    assert "complaints" not in groups
    # In Beta, Northwind sees its own contract and nothing of Southwind's.
    groups, response = found(client_as(world.bob), world.beta, "beta")
    assert [row.reference for row, _ in groups["contracts"].rows] == ["B-1"]
    assert "meetings" not in groups  # Beta's series are on Southwind's contract
    assert "Southwind" not in response.content.decode()


def test_nothing_of_another_organisation(client_as, world, planted):
    groups, _ = found(client_as(world.alice), world.alpha, "beta hosting")
    assert groups == {}
    response = client_as(world.dave).get(reverse("search", args=["alpha"]), {"q": "desk"})
    assert response.status_code == 404


def test_too_long_text_is_refused_with_its_reason(client_as, world):
    client = client_as(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(reverse("search", args=["alpha"]), {"q": "x" * (MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert response.context["found"] == []
    assert f"Type at most {MAX_LENGTH} characters." in response.content.decode()


def test_many_matches_show_the_first_and_link_to_the_list(client_as, world):
    from contracts.models import Contract

    with scopes_disabled():
        Contract.objects.bulk_create(
            Contract(
                organisation=world.alpha,
                supplier=world.northwind,
                reference=f"RENT-{n:02}",
                title="Printer rental",
            )
            for n in range(SHOWN + 3)
        )
    groups, response = found(client_as(world.alice), world.alpha, "printer")
    assert groups["contracts"].count == SHOWN + 3
    assert len(groups["contracts"].rows) == SHOWN
    assert f"Showing the first {SHOWN} of {SHOWN + 3}." in response.content.decode()
    assert "/o/alpha/contracts/?q=printer" in response.content.decode()


def test_beyond_the_ranked_number_matches_come_in_the_lists_order(client_as, world, monkeypatch):
    """Ranking reads the text of every match; past `RANKED_UP_TO` matches the list's own order
    (contracts: by reference) is kept and the page says so."""
    from contracts.models import Contract
    from governance.roof import search

    with scopes_disabled():
        Contract.objects.bulk_create(
            Contract(
                organisation=world.alpha,
                supplier=world.northwind,
                reference=f"RENT-{n:02}",
                # the later ones say "printer" twice: ranked, they would come first
                title="Printer rental" + (" printer printer" if n > 1 else ""),
            )
            for n in range(4)
        )
    monkeypatch.setattr(search, "SHOWN", 2)
    groups, response = found(client_as(world.alice), world.alpha, "printer")
    # PostgreSQL ranks; SQLite's fallback search keeps the list's order
    best = ["RENT-02", "RENT-03"] if connection.vendor == "postgresql" else ["RENT-00", "RENT-01"]
    assert [row.reference for row, _ in groups["contracts"].rows] == best
    assert groups["contracts"].ranked
    monkeypatch.setattr(search, "RANKED_UP_TO", 3)
    groups, response = found(client_as(world.alice), world.alpha, "printer")
    assert groups["contracts"].count == 4
    assert not groups["contracts"].ranked
    assert [row.reference for row, _ in groups["contracts"].rows] == ["RENT-00", "RENT-01"]
    assert (
        "Too many to rank: showing the first 2 of 4 in the list's order."
        in response.content.decode()
    )


def test_query_count_does_not_grow_with_the_data(
    client_as, world, planted, django_assert_max_num_queries
):
    client = client_as(world.alice)
    with django_assert_max_num_queries(20):
        client.get(reverse("search", args=["alpha"]), {"q": "desk"})
    with tenant_scope(system_access(world.alpha)):
        for n in range(5):
            make_meetings(world, title=f"Desk review {n}")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("search", args=["alpha"]), {"q": "desk"})
    assert response.context["found"]


def test_every_page_has_the_search_box(client_as, world):
    response = client_as(world.victor).get(reverse("contracts:contract_list", args=["alpha"]))
    assert 'data-testid="search-box"' in response.content.decode()
    assert reverse("search", args=["alpha"]) in response.content.decode()
