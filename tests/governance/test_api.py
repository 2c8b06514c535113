import re

from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from contracts.models import Contract
from governance.accounts.models import ApiToken
from tests.conftest import PASSWORD, api_token_for


def contract_list_url(slug="alpha"):
    return reverse("api:contract-list", kwargs={"org_slug": slug})


def test_token_is_issued_for_valid_credentials(world):
    response = APIClient().post(
        reverse("api_token"), {"username": "bob", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(user=world.bob)
    assert body["token"].startswith(f"rg_{token.key}_")
    assert (body["supplier"], body["organisation"]) == ("Northwind", None)


def test_token_is_refused_for_a_wrong_password(world):
    response = APIClient().post(
        reverse("api_token"), {"username": "bob", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


def test_token_authenticates_a_supplier_system(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world.bob)}")
    response = client.get(contract_list_url())
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == ["A-1"]


def test_invalid_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(contract_list_url())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_session_authenticates_the_browser(world):
    client = APIClient()
    client.force_login(world.alice)
    response = client.get(contract_list_url())
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": world.alpha_contract.pk,
            "reference": "A-1",
            "title": "Alpha desk",
            "supplier": "Northwind",
            "description": "",
            "status": "draft",
            "start_date": None,
            "end_date": None,
            "current_term_end": None,
            "notice_period_months": 3,
            "renewal": "none",
            "renewal_term_months": 12,
            "next_notice_deadline": None,
            "value": None,
            "currency": "EUR",
            "report_window_opens_day": 1,
            "report_window_closes_day": 10,
            "late_reports_until_day": 40,
        }
    ]


def test_contract_detail_for_the_owner(world):
    client = APIClient()
    client.force_login(world.alice)
    url = reverse(
        "api:contract-detail", kwargs={"org_slug": "alpha", "pk": world.alpha_contract.pk}
    )
    assert client.get(url).json()["reference"] == "A-1"


def test_contract_api_writes_name_the_supplier_and_delete_nothing(world):
    # Creating and changing contracts is covered in tests/contracts/test_api_writes.py; here:
    # a contract without a supplier is refused naming it, and there is no delete.
    client = APIClient()
    client.force_login(world.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(contract_list_url(), {"reference": "X", "title": "X"}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"supplier": ["This field is required."]},
    )
    detail = f"{contract_list_url()}{world.alpha_contract.pk}/"
    assert client.delete(detail).status_code == 405
    with scopes_disabled():
        assert Contract.objects.filter(organisation=world.alpha).count() == 1


def test_contract_list_query_count_does_not_grow(world, django_assert_num_queries):
    from contracts.services import contract_create
    from governance.platform.access import access_for, tenant_scope

    client = APIClient()
    client.force_login(world.alice)
    with django_assert_num_queries(6):
        client.get(contract_list_url())
    with tenant_scope(access_for(world.alice, world.alpha)):
        for n in range(2, 4):
            contract_create(
                organisation=world.alpha, supplier=world.northwind, reference=f"A-{n}", title="x"
            )
    with django_assert_num_queries(6):
        assert len(client.get(contract_list_url()).json()["results"]) == 3


def test_schema_is_served_and_lists_the_contract_endpoints(db, client):
    response = client.get(reverse("api_schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/o/{org_slug}/contracts/" in paths
    assert "/api/v1/o/{org_slug}/contracts/{id}/" in paths
    assert "/api/v1/auth/token/" in paths


def test_docs_page_loads_nothing_from_the_internet(db, client):
    response = client.get(reverse("api_docs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in html
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
