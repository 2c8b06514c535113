"""Acting from a gap flag: put it on the next tactical meeting, start a SIP from it; both show
on the flag's page afterwards (through governance.platform.follow_ups), for managers only."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_scopes import scopes_disabled

from governance.platform import follow_ups
from governance.platform.access import Access, system_access
from governance.platform.models import Role
from kto.gaps.services import gap_flag_comment_add
from meetings import selectors, services
from meetings.models import SIP, AgendaItem, Meeting, SIPLink, Source, Tier
from tests.contracts.samples import contract_samples
from tests.kto.flags import make_flag
from tests.meetings.helpers import at, make_meetings
from tests.meetings.test_agenda import make_level

NEXT = "On the agenda of Alpha tactical, 16 March 2099"


@pytest.fixture
def en(world, client):
    """Pages in English; Alpha writes its agenda items in English too."""
    world.alpha.default_language = "en"
    world.alpha.save()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def levels(world):
    """Two service levels of A-1 behind the flag: SAMPLE missed (85 against 90), AVAIL met."""
    with scopes_disabled():
        sample = contract_samples(world)["service_level"]
        avail = make_level(world)
    return {"SAMPLE": sample, "AVAIL": avail}


@pytest.fixture
def flag(world, levels):
    return make_flag(
        world,
        levels=[
            {"code": "AVAIL", "target": 99.5, "actual": 99.6, "margin": 0.001},
            {"code": "SAMPLE", "target": 90.0, "actual": 85.0, "margin": -0.0556},
        ],
    )


@pytest.fixture
def meetings(world, en):
    """Alpha's tactical series: a held meeting (January 2026) and one on 16 March 2099."""
    return make_meetings(world)


def flag_url(flag, slug="alpha"):
    return reverse("kto_gap:flag", args=[slug, flag.pk])


def agenda_url(flag, slug="alpha"):
    return reverse("meetings:gap_flag_agenda", args=[slug, flag.pk])


def sip_url(flag, slug="alpha"):
    return reverse("meetings:gap_flag_sip", args=[slug, flag.pk])


def follow_up_texts(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'data-testid="follow-up"[^>]*><a href="[^"]*">([^<]*)</a>', html)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the agenda ----------------------------------------------------------------------------


def test_put_on_agenda_adds_one_item_to_the_next_tactical_meeting(world, flag, meetings, client_as):
    with scopes_disabled():
        # Not the next tactical meeting: a later one, a held one, an operational one.
        later = services.meeting_schedule(series=meetings.series, starts_at=at(2099, 6, 16))
        held = services.meeting_schedule(series=meetings.series, starts_at=at(2099, 1, 5))
        services.meeting_mark_held(meeting=held)
        operational = services.series_create(
            access=system_access(world.alpha),
            contract=world.alpha_contract,
            tier=Tier.OPERATIONAL,
            title="Alpha operational",
        )
        services.meeting_schedule(series=operational, starts_at=at(2099, 2, 1))
    client = client_as(world.alice)

    first = client.post(agenda_url(flag))
    second = client.post(agenda_url(flag))

    with scopes_disabled():
        items = list(AgendaItem.objects.filter(source=Source.GAP_FLAG))
        item = items[0]
    assert (first.status_code, first["Location"]) == (302, flag_url(flag))
    assert second["Location"] == flag_url(flag)
    assert len(items) == 1
    assert (item.meeting_id, item.key, item.link, item.title) == (
        meetings.upcoming.pk,
        f"gap_flag:{world.alpha_contract.pk}:responsiveness",
        flag_url(flag),
        "Gap: Watermelon on Responsiveness (2026-10)",
    )
    assert (item.needs_preparation, item.client_only) == (True, False)
    assert later.pk != item.meeting_id
    # Both times the same answer (the first redirect was not followed, so both are queued).
    assert texts(second) == ["The flag is on the agenda of Alpha tactical, 16 March 2099."] * 2
    page = client.get(flag_url(flag))
    assert follow_up_texts(page) == [NEXT]


def test_a_confirmed_flag_already_on_the_agenda_from_the_data_is_not_added_twice(
    world, flag, meetings, client_as
):
    with scopes_disabled():
        flag.confirmed = True
        flag.save()
        services.agenda_generate(meeting=meetings.upcoming, today=date(2026, 12, 1))
        generated = AgendaItem.objects.get(meeting=meetings.upcoming, source=Source.GAP_FLAG)
    client_as(world.alice).post(agenda_url(flag))
    with scopes_disabled():
        items = list(AgendaItem.objects.filter(source=Source.GAP_FLAG))
    assert [(i.pk, i.title, i.link) for i in items] == [
        (generated.pk, "Confirmed gap: Watermelon on Responsiveness (2026-10)", flag_url(flag))
    ]


def test_put_on_agenda_without_an_upcoming_tactical_meeting_says_so(
    world, flag, meetings, client_as
):
    with scopes_disabled():
        Meeting.objects.filter(pk=meetings.upcoming.pk).update(status=Meeting.Status.CANCELLED)
    client = client_as(world.alice)

    response = client.post(agenda_url(flag))
    page = client.get(flag_url(flag))

    with scopes_disabled():
        count = AgendaItem.objects.filter(source=Source.GAP_FLAG).count()
    assert (response.status_code, response["Location"], count) == (302, flag_url(flag), 0)
    assert texts(response) == [
        "There is no upcoming tactical meeting for A-1. Plan one on the meetings page, then "
        "put the flag on its agenda."
    ]
    # The way to plan one: the contract's tactical meetings.
    meetings_link = (
        f"{reverse('meetings:index', args=['alpha'])}?contract={world.alpha_contract.pk}"
        "&amp;tier=tactical"
    )
    assert meetings_link in page.content.decode()
    assert follow_up_texts(page) == []


def test_next_tactical_meeting_counts_today_in_the_organisations_time_zone(world, meetings):
    with scopes_disabled():
        # 23:30 on 31 March in Amsterdam is 21:30 UTC.
        late = services.meeting_schedule(series=meetings.series, starts_at=at(2099, 3, 31, 21))
        services.meeting_mark_held(meeting=meetings.upcoming)
        found = selectors.next_tactical_meeting(
            access=system_access(world.alpha),
            contract_id=world.alpha_contract.pk,
            today=date(2099, 3, 31),
        )
        tomorrow = selectors.next_tactical_meeting(
            access=system_access(world.alpha),
            contract_id=world.alpha_contract.pk,
            today=date(2099, 4, 1),
        )
    assert (found, tomorrow) == (late, None)


# --- a SIP ---------------------------------------------------------------------------------


def test_sip_form_is_prefilled_from_the_flag(world, flag, levels, en, client_as):
    response = client_as(world.alice).get(sip_url(flag))
    form = response.context["form"]
    initial = {name: form[name].value() for name in form.fields}
    assert response.status_code == 200
    assert "contract" not in form.fields
    assert (initial["service_level"], initial["dimension"]) == (
        levels["SAMPLE"].pk,
        "responsiveness",
    )
    assert (
        initial["sla_baseline"],
        initial["sla_target"],
        initial["perception_baseline"],
        initial["perception_target"],
        initial["baseline_period"],
        initial["client_owner"],
    ) == (
        Decimal("85.0"),
        Decimal("90"),
        Decimal("2.95"),
        Decimal("3.5"),
        flag.period_start,
        world.alice.pk,
    )
    # Bob is Northwind's only user: the supplier's owner.
    assert initial["supplier_owner"] == world.bob.pk
    assert initial["title"] == "Improve responsiveness on A-1"
    assert initial["goal"] == flag.reason_en
    # The metric is one of the levels behind the flag.
    assert sorted(form.fields["service_level"].queryset.values_list("code", flat=True)) == [
        "AVAIL",
        "SAMPLE",
    ]


def test_sip_started_from_the_flag_has_its_metric_and_dimension_and_links_it(
    world, flag, levels, en, client_as
):
    client = client_as(world.alice)
    form = client.get(sip_url(flag)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}

    response = client.post(sip_url(flag), data)

    with scopes_disabled():
        sip = SIP.objects.get()
        link = SIPLink.objects.get()
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("meetings:sip_detail", args=["alpha", sip.pk]),
    )
    assert (sip.contract, sip.service_level, sip.dimension) == (
        world.alpha_contract,
        levels["SAMPLE"],
        flag.dimension,
    )
    assert (link.kind, link.link, link.label) == (
        "gap_flag",
        flag_url(flag),
        "Watermelon · Responsiveness 2026-10",
    )
    assert follow_up_texts(client.get(flag_url(flag))) == [
        "SIP Improve responsiveness on A-1 started"
    ]


def test_sip_service_takes_the_flags_metric_and_dimension(world, flag, levels):
    access = system_access(world.alpha)
    with scopes_disabled():
        sip = services.sip_create_from_gap_flag(
            access=access, flag_id=flag.pk, client_owner=world.alice, supplier_owner=world.bob
        )
    assert (sip.service_level, sip.dimension, sip.baseline_period) == (
        levels["SAMPLE"],
        "responsiveness",
        date(2026, 10, 1),
    )
    assert (sip.sla_baseline, sip.perception_baseline) == (Decimal("85"), Decimal("2.95"))


def test_sip_of_a_flag_without_levels_offers_the_contracts_metrics(world, levels, en, client_as):
    bare = make_flag(world, dimension="tangibles")
    form = client_as(world.alice).get(sip_url(bare)).context["form"]
    assert (form["service_level"].value(), form["dimension"].value()) == (None, "tangibles")
    assert sorted(form.fields["service_level"].queryset.values_list("code", flat=True)) == [
        "AVAIL",
        "SAMPLE",
    ]


# --- who may act ---------------------------------------------------------------------------


def test_viewer_and_supplier_may_not_act_and_nothing_is_stored(world, flag, meetings, client_as):
    for user in (world.victor, world.bob):
        client = client_as(user)
        assert client.post(agenda_url(flag)).status_code == 403, user
        assert client.get(sip_url(flag)).status_code == 403, user
        assert client.post(sip_url(flag), {"title": "x"}).status_code == 403, user
        page = client.get(flag_url(flag))
        assert 'data-testid="flag-actions"' not in page.content.decode(), user
    with scopes_disabled():
        assert (AgendaItem.objects.filter(source=Source.GAP_FLAG).count(), SIP.objects.count()) == (
            0,
            1,  # the helper's own SIP
        )


def test_another_tenant_gets_404(world, flag, meetings, client_as):
    client = client_as(world.charlie)
    for slug in ("alpha", "beta"):
        assert client.post(agenda_url(flag, slug)).status_code == 404
        assert client.get(sip_url(flag, slug)).status_code == 404
    with scopes_disabled():
        assert AgendaItem.objects.filter(source=Source.GAP_FLAG).count() == 0


def test_supplier_sees_what_followed_but_not_the_client_only_items(
    world, flag, meetings, client_as
):
    access = system_access(world.alpha)
    with scopes_disabled():
        item = services.agenda_item_from_gap_flag(access=access, flag_id=flag.pk)
        # A client-only copy of the item on another meeting stays the client's.
        hidden = services.meeting_schedule(series=meetings.series, starts_at=at(2099, 9, 1))
        AgendaItem.objects.create(
            organisation=world.alpha,
            meeting=hidden,
            title="Internal",
            source=Source.MANUAL,
            link=item.link,
            client_only=True,
        )
    client = client_as(world.bob)
    assert follow_up_texts(client.get(flag_url(flag))) == [NEXT]
    client = client_as(world.alice)
    assert follow_up_texts(client.get(flag_url(flag))) == [
        NEXT,
        "On the agenda of Alpha tactical, 1 September 2099",
    ]


# --- the registry and the page -------------------------------------------------------------


def test_follow_ups_come_from_every_registered_provider(monkeypatch):
    monkeypatch.setattr(follow_ups, "_providers", [])
    calls = []

    def agenda(*, access, flag_ids):
        calls.append(flag_ids)
        return [follow_ups.FollowUp(i, "agenda", f"a{i}", "") for i in flag_ids]

    def sips(**kwargs):
        return [follow_ups.FollowUp(2, "sip", "s2", "")]

    follow_ups.register_follow_up_provider(agenda)
    follow_ups.register_follow_up_provider(agenda)
    follow_ups.register_follow_up_provider(sips)
    found = follow_ups.gap_flag_follow_ups(access="access", flag_ids=[1, 2, 3])
    assert calls == [[1, 2, 3]]
    assert {pk: [f.text for f in rows] for pk, rows in found.items()} == {
        1: ["a1"],
        2: ["a2", "s2"],
        3: ["a3"],
    }
    assert follow_ups.gap_flag_follow_ups(access="access", flag_ids=[]) == {}


@pytest.mark.parametrize("count", [1, 3])
def test_flag_page_queries_do_not_grow_with_follow_ups(
    world, flag, levels, meetings, client_as, django_assert_num_queries, count
):
    access = system_access(world.alpha)
    alice = Access(organisation=world.alpha, user_id=world.alice.pk, role=Role.CONTRACT_MANAGER)
    with scopes_disabled():
        for n in range(count):
            meeting = meetings.upcoming
            if n:
                meeting = services.meeting_schedule(
                    series=meetings.series, starts_at=at(2099, 4 + n, 1)
                )
            AgendaItem.objects.create(
                organisation=world.alpha,
                meeting=meeting,
                title=f"Gap {n}",
                source=Source.GAP_FLAG,
                link=flag_url(flag),
            )
            services.sip_create_from_gap_flag(
                access=access,
                flag_id=flag.pk,
                title=f"SIP {n}",
                client_owner=world.alice,
                supplier_owner=world.bob,
            )
            gap_flag_comment_add(access=alice, flag=flag, text=f"Comment {n}")
    client = client_as(world.alice)
    client.get(flag_url(flag))  # warm the session
    with django_assert_num_queries(12):
        response = client.get(flag_url(flag))
    assert len(follow_up_texts(response)) == 2 * count
    assert response.content.decode().count('data-testid="comment"') == count


def test_sip_link_to_the_flag_reads_in_each_readers_language(world, flag, levels, client_as):
    """Started by a Dutch organisation: the link's label follows the reader, not the clicker;
    a label stored in Dutch before is converted by the migration."""
    import importlib

    from django.apps import apps

    world.alpha.default_language = "nl"
    world.alpha.save()
    with scopes_disabled():
        sip = services.sip_create_from_gap_flag(
            access=system_access(world.alpha),
            flag_id=flag.pk,
            client_owner=world.alice,
            supplier_owner=world.bob,
        )
        link = sip.links.get(kind="gap_flag")
    assert link.label == "Watermeloen · Reactiesnelheid 2026-10"  # the fallback, as generated
    client = client_as(world.alice)
    url = reverse("meetings:sip_detail", args=["alpha", sip.pk])

    def read(language):
        body = client.get(url, headers={"accept-language": language}).content.decode()
        section = body.split(link.link)[1].split("</a>")[0]
        return section.split(">", 1)[1]

    assert read("en") == "Watermelon · Responsiveness 2026-10"
    assert read("nl") == "Watermeloen · Reactiesnelheid 2026-10"
    with scopes_disabled():
        SIPLink.objects.filter(pk=link.pk).update(text_key="", text_params={})
        migration = importlib.import_module("meetings.migrations.0013_sip_link_text_kinds")
        migration.forwards(apps, None)
        link.refresh_from_db()
    assert (link.text_key, link.text_params) == (
        "meetings.gap_flag_link",
        {"flag": "Watermelon", "dimension": "Responsiveness", "month": "2026-10"},
    )
    assert read("en") == "Watermelon · Responsiveness 2026-10"
