"""Comments on a gap flag: a contract manager writes them, the client's members read them on the
flag's page and in the API, and a supplier's user never sees them (they are the client's own)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from governance.platform.access import Access, supplier_system_access
from governance.platform.models import Role
from kto.gaps.models import GapFlagComment
from kto.gaps.services import gap_flag_comment_add
from tests.kto.flags import make_flag

TEXT = "Noordlicht says the Monday dip is staffing; ask for the rota."


@pytest.fixture
def flag(world, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return make_flag(world)


def page_url(flag, slug="alpha"):
    return reverse("kto_gap:flag", args=[slug, flag.pk])


def add_url(flag, slug="alpha"):
    return reverse("kto_gap:flag_comment_add", args=[slug, flag.pk])


def api_url(flag, slug="alpha"):
    return reverse("api:gap-flag-comments", kwargs={"org_slug": slug, "pk": flag.pk})


def comments_shown(response) -> list[tuple[str, str]]:
    """(text, author) of every comment on the page."""
    html = response.content.decode()
    return re.findall(
        r'data-testid="comment"><p>([^<]*)</p><small>([^<]*) · <time', html.replace("\n", "")
    )


def manager(world) -> Access:
    return Access(organisation=world.alpha, user_id=world.alice.pk, role=Role.CONTRACT_MANAGER)


def test_manager_comments_and_the_page_shows_it_with_author_and_time(world, flag, client_as):
    client = client_as(world.alice)
    response = client.post(add_url(flag), {"text": f"  {TEXT}  "})
    with scopes_disabled():
        comment = GapFlagComment.objects.get()
    assert (response.status_code, response["Location"]) == (302, page_url(flag) + "#comments")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your comment was added."]
    assert (comment.flag, comment.text, comment.created_by, comment.organisation) == (
        flag,
        TEXT,
        world.alice,
        world.alpha,
    )
    assert comment.created_at is not None
    page = client.get(page_url(flag))
    assert comments_shown(page) == [(TEXT, "alice@example.test")]
    with translation.override("en"):
        when = date_filter(timezone.localtime(comment.created_at), "j M Y H:i")
    assert re.findall(r"<time datetime=\"[^\"]+\">([^<]*)</time>", page.content.decode()) == [when]


def test_comments_are_listed_oldest_first_and_a_viewer_reads_them(world, flag, client_as):
    with scopes_disabled():
        gap_flag_comment_add(access=manager(world), flag=flag, text="First")
        gap_flag_comment_add(access=manager(world), flag=flag, text="Second")
    page = client_as(world.victor).get(page_url(flag))
    assert comments_shown(page) == [
        ("First", "alice@example.test"),
        ("Second", "alice@example.test"),
    ]
    # A viewer reads but has no form.
    assert 'data-testid="comment-form"' not in page.content.decode()


def test_an_empty_comment_is_refused_and_nothing_is_stored(world, flag, client_as):
    response = client_as(world.alice).post(add_url(flag), {"text": "   "})
    with scopes_disabled():
        count = GapFlagComment.objects.count()
    assert (response.status_code, count) == (302, 0)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["This field is required."]


def test_viewer_may_not_comment(world, flag, client_as):
    response = client_as(world.victor).post(add_url(flag), {"text": TEXT})
    with scopes_disabled():
        assert (response.status_code, GapFlagComment.objects.count()) == (403, 0)


def test_supplier_never_sees_comments_and_cannot_write_one(world, flag, client_as):
    with scopes_disabled():
        gap_flag_comment_add(access=manager(world), flag=flag, text=TEXT)
    client = client_as(world.bob)
    page = client.get(page_url(flag))
    body = page.content.decode()
    # The flag itself is the supplier's to read; the client's comments are not.
    assert page.status_code == 200
    assert (TEXT in body, 'id="comments"' in body, comments_shown(page)) == (False, False, [])
    assert client.post(add_url(flag), {"text": "Supplier note"}).status_code == 404
    assert client.get(api_url(flag)).status_code == 404
    assert client.post(api_url(flag), {"text": "Supplier note"}).status_code == 404
    detail = client.get(reverse("api:gap-flag-detail", kwargs={"org_slug": "alpha", "pk": flag.pk}))
    assert TEXT not in detail.content.decode()
    with scopes_disabled():
        assert list(GapFlagComment.objects.values_list("text", flat=True)) == [TEXT]


def test_the_service_refuses_a_supplier_and_a_viewer(world, flag):
    viewer = Access(organisation=world.alpha, user_id=world.victor.pk, role=Role.VIEWER)
    supplier = supplier_system_access(world.alpha, world.northwind)
    with scopes_disabled():
        for access in (viewer, supplier):
            with pytest.raises(PermissionDenied):
                gap_flag_comment_add(access=access, flag=flag, text=TEXT)
        with pytest.raises(ValidationError):
            gap_flag_comment_add(access=manager(world), flag=flag, text="")
        assert GapFlagComment.objects.count() == 0


def test_another_tenant_gets_404(world, flag, client_as):
    client = client_as(world.charlie)
    for slug in ("alpha", "beta"):
        assert client.post(add_url(flag, slug), {"text": TEXT}).status_code == 404
        assert client.get(api_url(flag, slug)).status_code == 404
        assert client.post(api_url(flag, slug), {"text": TEXT}).status_code == 404
    with scopes_disabled():
        assert GapFlagComment.objects.count() == 0


def test_api_lists_and_adds_comments_for_the_client(world, flag, client_as):
    client = client_as(world.alice)
    created = client.post(api_url(flag), {"text": TEXT}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["text"], body["author"]) == (TEXT, "alice@example.test")
    rows = client_as(world.victor).get(api_url(flag)).json()
    assert [(r["id"], r["text"], r["author"]) for r in rows] == [
        (body["id"], TEXT, "alice@example.test")
    ]
    refused = client_as(world.victor).post(
        api_url(flag), {"text": "Viewer"}, content_type="application/json"
    )
    empty = client_as(world.alice).post(
        api_url(flag), {"text": ""}, content_type="application/json"
    )
    with scopes_disabled():
        count = GapFlagComment.objects.count()
    assert (refused.status_code, empty.status_code, count) == (403, 400, 1)
