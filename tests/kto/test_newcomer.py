"""For newcomers: an open demo survey with a respondent link, and the gap digest previewed
and sent from the command line."""

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from governance.platform.models import Membership, OutboxMessage, Role
from kto import demo
from kto.gaps.models import GapDigest


@pytest.fixture
def zuidrand(world):
    with scopes_disabled():
        world.alpha.slug, world.alpha.name = "zuidrand", "Provincie Zuidrand"
        world.alpha.save()
        world.alpha_contract.reference = "ZR-2024-001"
        world.alpha_contract.save()
    return world.alpha


def test_open_demo_survey_answers_its_respondent_links(zuidrand, client):
    with scopes_disabled():
        links = demo.seed_open_survey(today=date.today())
        again = demo.seed_open_survey(today=date.today())
    assert again == links  # idempotent: the unused personal link stays the same
    personal = client.get(links["personal"])
    walk_in = client.get(links["open"])
    assert (personal.status_code, walk_in.status_code) == (200, 200)
    assert personal.templates[0].name == walk_in.templates[0].name == "kto/public/answer.html"


def test_open_demo_survey_is_reopened_when_a_rerun_finds_it_over(zuidrand):
    with scopes_disabled():
        demo.seed_open_survey(today=date(2026, 1, 10))
        demo.seed_open_survey(today=date(2026, 6, 1))
        from kto.models import Survey

        survey = Survey.objects.get(title=demo.OPEN_DEMO_TITLE)
    assert (survey.state(date(2026, 6, 1)), survey.closes_on) == ("open", date(2026, 7, 31))


def test_gap_digest_preview_prints_and_sends_nothing(world):
    out = io.StringIO()
    call_command("gap_digest", "--org", "alpha", "--preview", "--period", "2026-10", stdout=out)
    text = out.getvalue()
    subject, to = text.splitlines()[:2]
    assert subject.startswith("Subject: Regie gapoverzicht Alpha, ")
    assert subject.endswith(" 2026")
    assert to == "To: alice@example.test (nl)"
    assert "Gapoverzicht voor Alpha" in text
    with scopes_disabled():
        assert (OutboxMessage.objects.count(), GapDigest.objects.count()) == (0, 0)


def test_gap_digest_send_delivers_to_the_recipients(world, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with scopes_disabled():
        Membership.objects.create(user=world.victor, organisation=world.beta, role=Role.VIEWER)
    out = io.StringIO()
    call_command(
        "gap_digest", "--org", "alpha", "--send", "--deliver", "--period", "2026-10", stdout=out
    )
    assert "queued for 1 recipient(s)" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["alice@example.test"]]
    assert mail.outbox[0].attachments[0][0] == "regie-gaps-alpha-2026-10.pdf"
    with scopes_disabled():
        assert GapDigest.objects.get().recipients == 1


def test_gap_digest_refuses_an_unknown_organisation_and_a_bad_month(world):
    with pytest.raises(CommandError, match="no such organisation"):
        call_command("gap_digest", "--org", "nowhere", "--preview")
    with pytest.raises(CommandError, match="use YYYY-MM"):
        call_command("gap_digest", "--org", "alpha", "--preview", "--period", "okt")


def test_seed_demo_prints_a_working_respondent_link(db, client, monkeypatch, settings):
    settings.REGIE_PUBLIC_URL = "http://demo.test"
    from audits import demo as audits_demo
    from complaints import demo as complaints_demo
    from contracts import demo as contracts_demo
    from kto.gaps import demo as gap_demo
    from meetings import demo as meetings_demo
    from simulations import demo as simulations_demo

    modules = (audits_demo, complaints_demo, contracts_demo, demo, gap_demo, meetings_demo)
    for module in (*modules, simulations_demo):
        monkeypatch.setattr(module, "seed", lambda **_: None)
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    lines = [line.strip() for line in out.getvalue().splitlines()]
    personal = next(line for line in lines if line.startswith("personal link (once):"))
    walk_in = next(line for line in lines if line.startswith("open link (walk-in):"))
    assert "gap_digest --org zuidrand --preview" in out.getvalue()
    for line in (personal, walk_in):
        url = line.split(": ", 1)[1].strip()
        assert url.startswith("http://demo.test/survey/")
        assert client.get(url.removeprefix("http://demo.test")).status_code == 200
