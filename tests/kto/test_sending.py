"""Participants, sample, invitations, reminders, fatigue cap, working days, verdict surveys."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from governance.platform.models import OutboxMessage
from kto import services
from kto.models import Invitation, StakeholderGroup, SurveyKind
from kto.participants import ImportRejected
from kto.tokens import invitation_token, token_hash
from tests.kto.helpers import english  # noqa: E402,F401 - the fixture

pytestmark = pytest.mark.usefixtures("english")

MONDAY = date(2026, 3, 2)
SATURDAY = date(2026, 3, 7)
KINGS_DAY = date(2026, 4, 27)  # a Monday, Dutch public holiday


def _survey(world, *, title="KTO voorjaar", opens=MONDAY, groups=None, fatigue=60):
    with scopes_disabled():
        return services.survey_create(
            organisation=world.alpha,
            kind=SurveyKind.PERIODIC,
            title=title,
            contracts=[world.alpha_contract],
            period_start=date(2026, 1, 1),
            period_end=date(2026, 2, 28),
            opens_on=opens,
            closes_on=date(2026, 5, 29),
            groups=groups or [StakeholderGroup.END_USERS, StakeholderGroup.BUSINESS],
            fatigue_days=fatigue,
        )


def _csv(rows):
    return "email,group,department\n" + "\n".join(",".join(r) for r in rows)


def _import(survey, rows):
    with scopes_disabled():
        return services.participants_import(survey=survey, content=_csv(rows).encode())


def test_import_adds_participants_with_hashed_tokens(world):
    survey = _survey(world)
    added = _import(survey, [("a@x.nl", "end_users", "ICT"), ("b@x.nl", "business", "")])
    with scopes_disabled():
        invitations = list(survey.invitations.order_by("email"))
    assert added == 2
    assert [(i.email, i.group, i.segment, i.contract_id) for i in invitations] == [
        ("a@x.nl", "end_users", "ICT", world.alpha_contract.pk),
        ("b@x.nl", "business", "", world.alpha_contract.pk),
    ]
    token = invitation_token(invitations[0])
    assert len(token) == 43  # 256 bits
    assert invitations[0].token_hash == token_hash(token)
    assert token not in {i.token_hash for i in invitations}


def test_import_with_a_bad_row_stores_nothing_and_names_every_row(world):
    survey = _survey(world)
    with pytest.raises(ImportRejected) as rejected:
        _import(
            survey,
            [
                ("a@x.nl", "end_users", ""),
                ("not-an-address", "end_users", ""),
                ("a@x.nl", "it", ""),
            ],
        )
    assert [(e.row, e.field, e.message) for e in rejected.value.row_errors] == [
        (3, "email", "Not a valid e-mail address."),
        (4, "email", "This address is already listed."),
        (4, "group", "This group is not asked in this survey."),
    ]
    with scopes_disabled():
        assert survey.invitations.count() == 0


def test_import_without_required_column_is_rejected(world):
    survey = _survey(world)
    with pytest.raises(ImportRejected) as rejected, scopes_disabled():
        services.participants_import(survey=survey, content=b"mail,group\na@x.nl,it\n")
    assert [(e.row, e.field) for e in rejected.value.row_errors] == [(1, "email")]


def test_stratified_sample_follows_the_plan_and_the_strata(world):
    survey = _survey(world, groups=[StakeholderGroup.END_USERS])
    rows = [(f"p{i}@x.nl", "end_users", "Finance" if i < 60 else "ICT") for i in range(100)]
    _import(survey, rows)
    with scopes_disabled():
        plan = survey.groups.get()
        services.survey_group_plan(
            plan=plan,
            population=100,
            confidence="0.95",
            margin="0.50",
            margin_unit="points",
            sd="1.00",
            response_rate="0.50",
        )
        selected = services.survey_sample(survey=survey, seed=3)
        chosen = list(
            survey.invitations.filter(status=Invitation.Status.SELECTED).values_list(
                "segment", flat=True
            )
        )
    # n0 = (1.96/0.5)² = 15.37 → FPC with N = 100: 13.3 → 14 answers → 28 invitations.
    assert selected == {"end_users": 28}
    assert sorted(set(chosen)) == ["Finance", "ICT"]
    assert (chosen.count("Finance"), chosen.count("ICT")) == (17, 11)


def _launched(world, rows, **kwargs):
    survey = _survey(world, **kwargs)
    _import(survey, rows)
    with scopes_disabled():
        services.survey_launch(survey=survey, today=MONDAY)
        survey.refresh_from_db()
    return survey


def test_invitations_go_out_in_batches_through_the_outbox(world):
    survey = _launched(world, [(f"p{i}@x.nl", "end_users", "") for i in range(5)])
    with scopes_disabled():
        first = services.invitations_send_batch(survey=survey, today=MONDAY, limit=3)
        second = services.invitations_send_batch(survey=survey, today=MONDAY, limit=3)
        messages = list(OutboxMessage.objects.order_by("pk"))
        invitation = survey.invitations.order_by("pk").first()
    assert (first, second, len(messages)) == (3, 2, 5)
    assert messages[0].to == [invitation.email]
    assert f"/survey/a/{invitation_token(invitation)}/" in messages[0].body_text
    assert invitation.invited_on == MONDAY


@pytest.mark.parametrize("day", [SATURDAY, KINGS_DAY])
def test_nothing_is_sent_on_weekends_or_dutch_holidays(world, day):
    survey = _launched(world, [("p@x.nl", "end_users", "")])
    with scopes_disabled():
        sent = services.invitations_send_batch(survey=survey, today=day)
        assert (sent, OutboxMessage.objects.count()) == (0, 0)


def test_reminders_only_to_non_responders(world):
    survey = _launched(world, [(f"p{i}@x.nl", "end_users", "") for i in range(3)])
    with scopes_disabled():
        services.invitations_send_batch(survey=survey, today=MONDAY)
        answered = survey.invitations.get(email="p1@x.nl")
        answered.used = True
        answered.save()
        too_early = services.reminders_send_batch(survey=survey, today=date(2026, 3, 6))
        reminded = services.reminders_send_batch(survey=survey, today=date(2026, 3, 9))
        again = services.reminders_send_batch(survey=survey, today=date(2026, 3, 10))
        reminder_to = [
            m.to[0] for m in OutboxMessage.objects.filter(subject__startswith="Herinnering")
        ]
    assert (too_early, reminded, again) == (0, 2, 0)
    assert sorted(reminder_to) == ["p0@x.nl", "p2@x.nl"]


def test_fatigue_cap_across_the_organisations_surveys(world):
    first = _launched(world, [("same@x.nl", "end_users", ""), ("new@x.nl", "end_users", "")])
    with scopes_disabled():
        services.invitations_send_batch(survey=first, today=MONDAY)
    second = _launched(
        world, [("same@x.nl", "end_users", ""), ("fresh@x.nl", "end_users", "")], title="Tweede"
    )
    with scopes_disabled():
        sent = services.invitations_send_batch(survey=second, today=date(2026, 3, 16))
        statuses = dict(second.invitations.values_list("email", "status"))
    assert sent == 1
    assert statuses == {"same@x.nl": "fatigue", "fresh@x.nl": "invited"}


def test_launch_needs_participants_or_open_link(world):
    survey = _survey(world)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError), scopes_disabled():
        services.survey_launch(survey=survey, today=MONDAY)
