"""After a tacit renewal, the pages show the end of the term running today, not the first end."""

from datetime import date

from django.urls import reverse
from django.utils import formats, translation
from django_scopes import scopes_disabled

from contracts.models import add_months


def renewed_twice(contract):
    # The first term ended 11 months ago (notice deadline 14 months ago: missed); the first
    # renewal ends in a month (deadline two months ago: missed); the second runs 13 months.
    first_end = add_months(date.today().replace(day=15), -11)
    with scopes_disabled():
        contract.start_date = add_months(first_end, -36)
        contract.end_date = first_end
        contract.notice_period_months = 3
        contract.renewal = "tacit"
        contract.renewal_term_months = 12
        contract.save()
    return first_end, add_months(first_end, 24)


def test_current_term_end_follows_tacit_renewals(world):
    first_end, expected = renewed_twice(world.alpha_contract)
    assert world.alpha_contract.current_term_end == expected
    assert world.alpha_contract.renewed is True


def test_detail_and_list_show_the_current_term_end(world, client_as):
    first_end, expected = renewed_twice(world.alpha_contract)
    client = client_as(world.alice)
    with translation.override("en"):
        shown, first = formats.date_format(expected), formats.date_format(first_end)
    detail = client.get(
        reverse("contracts:contract_detail", args=["alpha", world.alpha_contract.pk]),
        headers={"accept-language": "en"},
    ).content.decode()
    term = detail.split('data-testid="term">')[1].split("</dd>")[0]
    assert f"– {shown}" in term
    assert f"first term ended {first}" in term
    listing = client.get(
        reverse("contracts:contract_list", args=["alpha"]), headers={"accept-language": "en"}
    ).content.decode()
    assert shown in listing
    assert first not in listing
