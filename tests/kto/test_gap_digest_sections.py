"""The digest's sections since the last digest, its links and next steps, per audience and
language; the preview and the test message on the settings page."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django_scopes import scopes_disabled

from contracts.models import Contract
from governance.platform.access import system_access, tenant_scope
from governance.platform.languages import language_remember
from governance.platform.models import OutboxMessage
from kto.gaps import digest as digest_module
from kto.gaps.digest import (
    Baseline,
    gap_digest_baseline,
    gap_digest_content,
    gap_digest_record,
    gap_digest_send,
    worsening_change,
)
from kto.gaps.models import GapDigest, GapDigestSchedule, GapFlag
from kto.gaps.report import period_label
from kto.gaps.tasks import task_send_gap_digest_test

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)
BASE = "https://regie.example"
PERCEPTION = {
    "watermelon": ("green", "below"),
    "both_red": ("red", "below"),
    "hidden_success": ("red", "above"),
    "watch": ("green", "inconclusive"),
    "aligned": ("green", "above"),
    "insufficient_data": ("green", "suppressed"),
}


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.REGIE_PUBLIC_URL = BASE


def flag(contract, dimension, period, kind, *, mean=3.0, confirmed=False, delta=0.1) -> GapFlag:
    sla, perceived = PERCEPTION[kind]
    with scopes_disabled():
        return GapFlag.objects.create(
            organisation=contract.organisation,
            contract=contract,
            dimension=dimension,
            period_start=period,
            period_end=period.replace(day=28),
            flag=kind,
            sla_state=sla,
            perception_state=perceived,
            n=40,
            mean=mean,
            sd=0.9,
            ci_low=mean - 0.3,
            ci_high=mean + 0.3,
            target=3.5,
            delta=delta,
            k=5,
            confirmed=confirmed,
            first_period_start=period,
            reason_en=f"EN {kind} {dimension}",
            reason_nl=f"NL {kind} {dimension}",
        )


@pytest.fixture
def alpha_two(world):
    """Alpha with a second contract, A-2 of Southwind (so dave reaches Alpha too)."""
    with scopes_disabled():
        return Contract.objects.create(
            organisation=world.alpha, supplier=world.southwind, reference="A-2", title="Alpha hub"
        )


@pytest.fixture
def history(world, alpha_two):
    """October as the previous digest reported it, then November:

    A-1 reliability      watch (3.30)            → watermelon (3.20)          worsening
    A-1 responsiveness   watermelon ✓ (2.95)     → watermelon ✓ (2.93)        still open
    A-2 assurance        both red (2.90)         → aligned                    resolved
    A-2 empathy          aligned                 → hidden success             new
    A-1 tangibles, A-2 reliability                  watch, watch              counted
    A-1 assurance                                   insufficient data         nothing
    """
    a1, a2 = world.alpha_contract, alpha_two
    october = {
        "a1_reliability": flag(a1, "reliability", OCTOBER, "watch", mean=3.3),
        "a1_responsiveness": flag(
            a1, "responsiveness", OCTOBER, "watermelon", mean=2.95, confirmed=True
        ),
        "a2_assurance": flag(a2, "assurance", OCTOBER, "both_red", mean=2.9),
        "a2_empathy": flag(a2, "empathy", OCTOBER, "aligned", mean=3.9),
    }
    with scopes_disabled():
        GapDigestSchedule.objects.create(organisation=world.alpha, include_suppliers=True)
    previous = gap_digest_send(
        organisation=world.alpha, period_start=OCTOBER, schedule_key="monthly"
    )
    with scopes_disabled():
        GapDigest.objects.filter(pk=previous.pk).update(
            created_at=datetime(2026, 11, 12, 6, 0, tzinfo=UTC)
        )
        OutboxMessage.objects.all().delete()
    november = {
        "a1_reliability": flag(a1, "reliability", NOVEMBER, "watermelon", mean=3.2),
        "a1_responsiveness": flag(
            a1, "responsiveness", NOVEMBER, "watermelon", mean=2.93, confirmed=True
        ),
        "a2_assurance": flag(a2, "assurance", NOVEMBER, "aligned", mean=3.8),
        "a2_empathy": flag(a2, "empathy", NOVEMBER, "hidden_success", mean=4.2),
        "a1_tangibles": flag(a1, "tangibles", NOVEMBER, "watch", mean=3.3),
        "a2_reliability": flag(a2, "reliability", NOVEMBER, "watch", mean=3.4),
        "a1_assurance": flag(a1, "assurance", NOVEMBER, "insufficient_data"),
    }
    return {"october": october, "november": november, "previous": previous, "a2": a2}


@pytest.fixture
def composed(monkeypatch):
    """Every message the digest composes, in order, as (recipients' access, message)."""
    seen = []
    original = digest_module.gap_digest_compose

    def spy(**kwargs):
        message = original(**kwargs)
        seen.append((kwargs["access"], message))
        return message

    monkeypatch.setattr(digest_module, "gap_digest_compose", spy)
    return seen


def flag_url(flag_row) -> str:
    return f"{BASE}/o/alpha/gaps/flags/{flag_row.pk}/"


def sections(content) -> dict[str, list[tuple]]:
    return {
        s.key: [(i.contract.split()[0], i.dimension, i.kind, i.url) for i in s.items]
        for s in content.sections
    }


def section_of(content, key):
    return next(s for s in content.sections if s.key == key)


def send_november(world):
    return gap_digest_send(organisation=world.alpha, period_start=NOVEMBER, schedule_key="monthly")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_sections_links_and_next_steps_since_the_last_digest(world, history, composed, language):
    with scopes_disabled():
        world.alpha.default_language = language
        world.alpha.save()
    send_november(world)
    [(access, message)] = [(a, m) for a, m in composed if not a.is_supplier]
    nov = history["november"]
    with translation.override(language):
        dimension = {
            "reliability": gettext("Reliability"),
            "responsiveness": gettext("Responsiveness"),
            "assurance": gettext("Assurance"),
            "empathy": gettext("Empathy and reachability"),
        }
        assert sections(message.content) == {
            "new": [("A-2", dimension["empathy"], "hidden_success", flag_url(nov["a2_empathy"]))],
            "worsening": [
                ("A-1", dimension["reliability"], "watermelon", flag_url(nov["a1_reliability"]))
            ],
            "still_open": [
                (
                    "A-1",
                    dimension["responsiveness"],
                    "watermelon",
                    flag_url(nov["a1_responsiveness"]),
                )
            ],
            "resolved": [
                ("A-2", dimension["assurance"], "both_red", flag_url(nov["a2_assurance"]))
            ],
            "not_judged": [],
        }
        content = message.content
        assert content.watches == 2
        assert content.matrix_url == f"{BASE}/o/alpha/gaps/?period=2026-11-01"
        assert content.watches_url == f"{BASE}/o/alpha/gaps/?period=2026-11-01&flag=watch"
        assert (content.unjudged, content.unjudged_url) == (
            1,
            f"{BASE}/o/alpha/gaps/?period=2026-11-01&flag=insufficient_data",
        )
        steps = {
            key: [i.next_step for i in section_of(content, key).items]
            for key in ("new", "worsening", "still_open", "resolved")
        }
        assert steps == {
            "new": [
                gettext(
                    "Check how the SLA of %(contract)s is measured: users are content while "
                    "the report says red."
                )
                % {"contract": "A-2"}
            ],
            "worsening": [
                gettext(
                    "Check the complaints about %(contract)s now; if it holds next month it is "
                    "confirmed and goes to the tactical meeting."
                )
                % {"contract": "A-1"}
            ],
            "still_open": [
                gettext("Put it on the agenda of the next tactical meeting of %(contract)s.")
                % {"contract": "A-1"}
            ],
            "resolved": [
                gettext("Nothing to do; close any agenda item or action still open about it.")
            ],
        }
        [worse] = section_of(content, "worsening").items
        assert worse.change == gettext("Previously: %(kind)s.") % {"kind": gettext("Watch")}
        assert worse.reason == f"{language.upper()} watermelon reliability"
        [resolved] = section_of(content, "resolved").items
        assert resolved.change == gettext("Now: %(kind)s.") % {"kind": gettext("Aligned")}
        assert content.compared_with == gettext("Compared with the digest of %(date)s.") % {
            "date": date_format(date(2026, 11, 12), "j F Y")
        }
        worsening_title = gettext("Worsening")
    [sent] = [m for m in OutboxMessage.objects.all() if m.to == ["alice@example.test"]]
    assert (sent.body_text, sent.body_html) == (message.text, message.html)
    for item in [i for s in content.sections for i in s.items]:
        assert item.url in sent.body_text and f'href="{item.url}"' in sent.body_html
        assert item.next_step in sent.body_text
    assert f"{worsening_title.upper()} (1)" in sent.body_text
    assert f'href="{content.watches_url.replace("&", "&amp;")}"' in sent.body_html
    # Watches are counted, never listed; insufficient data is neither.
    for quiet in ("a1_tangibles", "a2_reliability", "a1_assurance"):
        assert flag_url(nov[quiet]) not in sent.body_text


def test_the_digest_records_what_it_reported(world, history):
    digest = send_november(world)
    nov = history["november"]
    a1, a2 = world.alpha_contract.pk, history["a2"].pk

    def entry(row):
        return {
            "id": row.pk,
            "kind": row.flag,
            "confirmed": row.confirmed,
            "mean": row.mean,
            "period": "2026-11-01",
        }

    with scopes_disabled():
        digest.refresh_from_db()
    assert digest.reported == {
        f"{a1}:reliability": entry(nov["a1_reliability"]),
        f"{a1}:responsiveness": entry(nov["a1_responsiveness"]),
        f"{a2}:empathy": entry(nov["a2_empathy"]),
        f"{a1}:tangibles": entry(nov["a1_tangibles"]),
        f"{a2}:reliability": entry(nov["a2_reliability"]),
    }
    # alice, bob (Northwind: A-1) and dave (Southwind: A-2).
    assert digest.recipients == 3


def test_each_recipient_reads_the_digest_in_the_language_they_chose(world, history):
    # Alpha writes Dutch; dave (Southwind) switched the portal to English once.
    language_remember(user=world.dave, language="en")
    send_november(world)
    subjects = {}
    for message in OutboxMessage.objects.all():
        for address in message.to:
            subjects[address] = message.subject

    def subject(language):
        with translation.override(language):
            return gettext("Regie gap digest %(organisation)s, %(period)s") % {
                "organisation": "Alpha",
                "period": period_label(NOVEMBER),
            }

    assert subject("nl") != subject("en")
    assert subjects == {
        "alice@example.test": subject("nl"),
        "bob@example.test": subject("nl"),
        "dave@example.test": subject("en"),
    }


def test_supplier_version_lists_only_its_own_contracts(world, history, composed):
    send_november(world)
    by_supplier = {a.supplier.name: m for a, m in composed if a.is_supplier}
    assert sorted(by_supplier) == ["Northwind", "Southwind"]
    northwind = sections(by_supplier["Northwind"].content)
    southwind = sections(by_supplier["Southwind"].content)
    nov = history["november"]
    assert {key: [i[3] for i in items] for key, items in northwind.items()} == {
        "new": [],
        "worsening": [flag_url(nov["a1_reliability"])],
        "still_open": [flag_url(nov["a1_responsiveness"])],
        "resolved": [],
        "not_judged": [],
    }
    assert {key: [i[3] for i in items] for key, items in southwind.items()} == {
        "new": [flag_url(nov["a2_empathy"])],
        "worsening": [],
        "still_open": [],
        "resolved": [flag_url(nov["a2_assurance"])],
        "not_judged": [],
    }
    assert (by_supplier["Northwind"].content.watches, by_supplier["Southwind"].content.watches) == (
        1,
        1,
    )
    with translation.override("nl"):
        still_open = gettext(
            "Expect it on the agenda of the next tactical meeting of %(contract)s; bring your "
            "view of what users experience."
        ) % {"contract": "A-1"}
    [open_item] = section_of(by_supplier["Northwind"].content, "still_open").items
    assert open_item.next_step == still_open
    mails = {tuple(m.to): m for m in OutboxMessage.objects.all()}
    bob_mail, dave_mail = mails[("bob@example.test",)], mails[("dave@example.test",)]
    assert "A-1" in bob_mail.body_text and "A-2" not in bob_mail.body_text
    assert "A-2" in dave_mail.body_text and "A-1" not in dave_mail.body_text
    assert "Alpha hub" not in bob_mail.body_html and "Alpha desk" not in dave_mail.body_html


def test_dimension_labels_follow_the_language(world, history, composed):
    send_november(world)  # Alpha's default language is Dutch
    [(_access, message)] = [(a, m) for a, m in composed if not a.is_supplier]
    with translation.override("nl"):
        expected = gettext("Reliability")
    assert section_of(message.content, "worsening").items[0].dimension == expected


@pytest.mark.parametrize(
    ("before", "kind", "mean", "confirmed", "worse"),
    [
        ({"kind": "watch", "confirmed": False, "mean": 3.3}, "watermelon", 3.2, False, True),
        ({"kind": "hidden_success", "confirmed": False, "mean": 4.0}, "both_red", 3.0, False, True),
        ({"kind": "watermelon", "confirmed": False, "mean": 3.0}, "watermelon", 3.0, True, True),
        ({"kind": "watermelon", "confirmed": True, "mean": 3.0}, "watermelon", 2.9, True, True),
        ({"kind": "watermelon", "confirmed": True, "mean": 3.0}, "watermelon", 2.95, True, False),
        ({"kind": "watermelon", "confirmed": True, "mean": 3.0}, "both_red", 3.0, False, False),
        ({"kind": "both_red", "confirmed": True, "mean": 3.0}, "hidden_success", 4.0, False, False),
        (
            {"kind": "hidden_success", "confirmed": False, "mean": 4.4},
            "hidden_success",
            3.9,
            False,
            False,
        ),
    ],
)
def test_worsening_is_exact(world, before, kind, mean, confirmed, worse):
    row = flag(world.alpha_contract, "reliability", NOVEMBER, kind, mean=mean, confirmed=confirmed)
    with translation.override("en"):
        assert bool(worsening_change(before=before, flag=row)) is worse


def test_mean_fallen_by_the_margin_says_so(world):
    row = flag(
        world.alpha_contract, "reliability", NOVEMBER, "watermelon", mean=2.9, confirmed=True
    )
    before = {"kind": "watermelon", "confirmed": True, "mean": 3.0}
    with translation.override("nl"):
        expected = gettext("Users' mean fell from %(before)s to %(now)s.") % {
            "before": "3,00",
            "now": "2,90",
        }
        assert worsening_change(before=before, flag=row) == expected


def test_first_digest_reports_every_flag_as_new(world):
    watermelon = flag(world.alpha_contract, "reliability", NOVEMBER, "watermelon")
    flag(world.alpha_contract, "tangibles", NOVEMBER, "watch")
    with scopes_disabled(), translation.override("en"):
        content = gap_digest_content(
            organisation=world.alpha,
            flags=list(GapFlag.objects.all()),
            contracts=[world.alpha_contract],
            baseline=gap_digest_baseline(organisation=world.alpha),
            period_start=NOVEMBER,
        )
        assert content.compared_with == "This is the first digest: every flag counts as new."
    assert sections(content)["new"] == [("A-1", "Reliability", "watermelon", flag_url(watermelon))]
    assert content.listed == 1 and content.watches == 1


def test_weekly_digests_of_one_month_report_new_flags_once(world):
    flag(world.alpha_contract, "reliability", NOVEMBER, "watermelon")
    with scopes_disabled():
        GapDigestSchedule.objects.create(organisation=world.alpha, frequency="weekly")
    gap_digest_send(organisation=world.alpha, period_start=NOVEMBER, schedule_key="weekly-2026-W49")
    gap_digest_send(organisation=world.alpha, period_start=NOVEMBER, schedule_key="weekly-2026-W50")
    first, second = OutboxMessage.objects.order_by("pk")
    with translation.override("nl"):
        new, still_open = gettext("New"), gettext("Still open")
    assert f"{new.upper()} (1)" in first.body_text
    assert f"{new.upper()} (1)" not in second.body_text
    assert f"{still_open.upper()} (1)" in second.body_text


def test_a_flag_that_cannot_be_judged_is_not_resolved(world):
    """October's watermelon has no judgement in November (no SLA report yet): not judged, and
    carried in the record, so a December watermelon is still open rather than new."""
    october = flag(world.alpha_contract, "reliability", OCTOBER, "watermelon")
    baseline = Baseline(
        flags={
            f"{world.alpha_contract.pk}:reliability": {
                "id": october.pk,
                "kind": "watermelon",
                "confirmed": False,
                "mean": 3.0,
                "period": "2026-10-01",
            }
        },
        sent_on=date(2026, 11, 12),
    )
    insufficient = flag(world.alpha_contract, "reliability", NOVEMBER, "insufficient_data")
    with translation.override("en"):
        content = gap_digest_content(
            organisation=world.alpha,
            flags=[insufficient],
            contracts=[world.alpha_contract],
            baseline=baseline,
            period_start=NOVEMBER,
        )
    [item] = section_of(content, "not_judged").items
    assert (item.kind, item.url, item.change) == (
        "watermelon",
        flag_url(insufficient),
        "No judgement for Nov 2026; last reported as Watermelon for Oct 2026.",
    )
    assert section_of(content, "resolved").items == []
    record = gap_digest_record(flags=[insufficient], baseline=baseline, period_start=NOVEMBER)
    assert record == baseline.flags
    # After CARRY_MONTHS months without a judgement it drops out.
    assert gap_digest_record(flags=[], baseline=baseline, period_start=date(2027, 2, 1)) == {}


def test_a_digest_without_a_record_is_compared_by_its_months_flags(world):
    flag(world.alpha_contract, "reliability", OCTOBER, "watermelon", mean=3.0)
    with scopes_disabled():
        GapDigest.objects.create(
            organisation=world.alpha, period_start=OCTOBER, schedule_key="monthly", recipients=1
        )
    november = flag(world.alpha_contract, "reliability", NOVEMBER, "watermelon", mean=3.0)
    with tenant_scope(system_access(world.alpha)), translation.override("en"):
        content = gap_digest_content(
            organisation=world.alpha,
            flags=[november],
            contracts=[world.alpha_contract],
            baseline=gap_digest_baseline(organisation=world.alpha),
            period_start=NOVEMBER,
        )
    assert sections(content)["still_open"] == [
        ("A-1", "Reliability", "watermelon", flag_url(november))
    ]


# --- preview and test on the settings page ----------------------------------------------------


def preview_url(org="alpha"):
    return reverse("kto_gap:digest_preview", kwargs={"org_slug": org})


def digest_test_url(org="alpha"):
    return reverse("kto_gap:digest_test", kwargs={"org_slug": org})


def test_manager_previews_the_digest_without_sending(world, history, client_as):
    response = client_as(world.alice).get(preview_url())
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.recipients == [("alice@example.test", "nl")]
    body = response.content.decode()
    nov = history["november"]
    for key in ("a1_reliability", "a1_responsiveness", "a2_empathy"):
        assert f'href="{flag_url(nov[key])}"' in body
    assert "<!DOCTYPE html>" not in body.split("<body", 1)[1]  # the body part, not a document
    with scopes_disabled():
        assert GapDigest.objects.count() == 1  # October's, from the history
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(("actor", "status"), [("victor", 403), ("bob", 404), ("charlie", 404)])
def test_preview_and_test_are_for_managers_only(world, client_as, actor, status):
    client = client_as(getattr(world, actor))
    assert client.get(preview_url()).status_code == status
    assert client.post(digest_test_url()).status_code == status
    assert OutboxMessage.objects.count() == 0


def test_send_me_a_test_queues_one_message_to_the_requester_only(
    world, history, client_as, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        task_send_gap_digest_test,
        "apply_async",
        lambda kwargs, **options: sent.append(task_send_gap_digest_test.apply(kwargs=kwargs)),
    )
    with scopes_disabled():
        markers = list(GapDigest.objects.values_list("pk", "period_start", "schedule_key"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(world.alice).post(digest_test_url())
    assert response.status_code == 302 and response["Location"] == preview_url()
    assert len(sent) == 1  # the other callback nudges the outbox relay
    [message] = OutboxMessage.objects.all()
    assert message.to == ["alice@example.test"]
    with translation.override("nl"):
        subject = gettext("Regie gap digest %(organisation)s, %(period)s") % {
            "organisation": "Alpha",
            "period": period_label(NOVEMBER),
        }
        assert message.subject == gettext("[Test] %(subject)s") % {"subject": subject}
    assert [a.filename for a in message.attachments.all()] == ["regie-gaps-alpha-2026-11.pdf"]
    with translation.override("nl"):
        assert message.body_text.startswith(
            gettext(
                "This is a test, sent at your request. The scheduled digest goes to the "
                "recipients set on the gap settings page."
            )
        )
    with scopes_disabled():
        assert list(GapDigest.objects.values_list("pk", "period_start", "schedule_key")) == markers
    # The scheduled digest for the slot still goes out, once.
    assert send_november(world) is not None
    assert send_november(world) is None


def test_a_test_needs_an_address(world, client_as, django_capture_on_commit_callbacks):
    with scopes_disabled():
        world.alice.email = ""
        world.alice.save()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as(world.alice).post(digest_test_url(), follow=True)
    with translation.override("nl"):
        expected = gettext("Your account has no e-mail address to send the test to.")
    assert [str(m) for m in response.context["messages"]] == [expected]
    assert callbacks == []


def test_preview_queries_do_not_grow_with_flags(world, client_as, django_assert_num_queries):
    client = client_as(world.alice)
    client.get(preview_url())  # warm the session

    def render():
        response = client.get(preview_url())
        return response.context["digest"].listed

    flag(world.alpha_contract, "reliability", NOVEMBER, "watermelon")
    with django_assert_num_queries(11):
        assert render() == 1
    with scopes_disabled():
        more = [
            Contract.objects.create(
                organisation=world.alpha,
                supplier=world.northwind,
                reference=f"A-{n}",
                title=f"Alpha {n}",
            )
            for n in (2, 3)
        ]
    for contract in more:
        flag(contract, "reliability", NOVEMBER, "both_red")
    with django_assert_num_queries(11):
        assert render() == 3
