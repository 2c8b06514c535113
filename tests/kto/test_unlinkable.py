"""Linkage attacks on stored answers: after N invitees answer, nothing in the tables an
administrator can read (invitations, the pending pool, responses, answers) links an invitee to
their answer — not the transaction id (`xmin`), the physical row order (`ctid` on PostgreSQL,
`rowid` on SQLite), the primary keys' order, nor any date.

Attacks: (1) responses' physical row order, (2) primary-key order, (3) dates, (4) the answer
rows' physical order, (5) the pool's physical order while answers wait, each against the order
in which invitations were used; on PostgreSQL also (6) equal xmin, (7) nearest xmin and (8)
xmin order, between invitations and the pool, responses and answers.

Every invitee writes a marker in the open question, so the test knows the truth; each attack
ignores the marker and guesses. An attack "links" when it leaves an invitee with a single
candidate answer and that candidate is right. Keys shared by a batch (one xmin, one date) leave
every invitee with at least k candidates; order attacks are scored as matches of a permutation,
which chance alone puts near the number of batches.
"""

import os
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from kto import services
from kto.models import Answer, Invitation, PendingResponse, Response, StakeholderGroup
from kto.tokens import INVITATION, derive_token, new_salt, token_hash
from tests.kto.helpers import make_survey, raw_answers

N = 24
K = 5
# A random permutation of 24 has ≥ 8 fixed points with probability below 1e-5; the batch
# structure (3 batches here) adds about one expected match per batch.
MOST_MATCHES_BY_CHANCE = 8

pytestmark = pytest.mark.django_db(transaction=True)


def _invitations(survey, contract) -> list[Invitation]:
    with scopes_disabled():
        invitations = []
        for number in range(N):
            salt = new_salt()
            invitations.append(
                Invitation.objects.create(
                    organisation=survey.organisation,
                    survey=survey,
                    email=f"person{number:02d}@example.test",
                    group=StakeholderGroup.END_USERS,
                    contract=contract,
                    status=Invitation.Status.INVITED,
                    invited_on=timezone.localdate() - timedelta(days=2),
                    salt=salt,
                    token_hash=token_hash(derive_token(INVITATION, salt)),
                )
            )
        return invitations


def _answer_all(world, *, release_between: bool):
    """N invitees answer in order, each on its own day-stamp, each writing its marker; the
    hourly release runs after every eighth answer when `release_between`."""
    survey = make_survey(world.alpha, [world.alpha_contract], groups=[StakeholderGroup.END_USERS])
    invitations = _invitations(survey, world.alpha_contract)
    today = timezone.localdate()
    with scopes_disabled():
        open_item = survey.items.get(role="open").pk
        for number, invitation in enumerate(invitations):
            raw = raw_answers(survey, open_text=f"marker {number:02d}")
            services.response_submit(
                survey=survey,
                contract=world.alpha_contract,
                group=StakeholderGroup.END_USERS,
                language="nl",
                raw_answers=raw,
                invitation=invitation,
                today=today - timedelta(days=1) if number < N // 2 else today,
            )
            if release_between and number % 8 == 7:
                services.pool_release(survey=survey)
    return survey, invitations, open_item


def _truth(open_item) -> dict[uuid.UUID, str]:
    """response id → email of the invitee who gave it (from the marker)."""
    with scopes_disabled():
        return {
            response_id: f"person{text.split()[1]}@example.test"
            for response_id, text in Answer.objects.filter(item_id=open_item).values_list(
                "response_id", "text"
            )
        }


def _use_order(survey) -> list[str]:
    """Emails in the order their invitations were used (the reader may know it, e.g. from the
    invitations' xmin on PostgreSQL; the attacks get it for free)."""
    return [f"person{number:02d}@example.test" for number in range(N)]


def _physical_order(table: str, survey_id: int) -> list:
    """Row ids in physical order: ctid on PostgreSQL, rowid on SQLite."""
    if connection.vendor == "postgresql":
        order = "(ctid::text::point)[0], (ctid::text::point)[1]"
    else:
        order = "rowid"
    with connection.cursor() as cursor:
        query = f"SELECT id FROM {table} WHERE survey_id = %s ORDER BY {order}"  # noqa: S608
        cursor.execute(query, [survey_id])
        return [uuid.UUID(str(row[0])) for row in cursor.fetchall()]


def _matches(guess: list, truth_order: list) -> int:
    return sum(1 for a, b in zip(guess, truth_order, strict=False) if a == b)


def test_order_keys_and_dates_link_no_invitee_to_their_answer(world):
    survey, invitations, open_item = _answer_all(world, release_between=True)
    with scopes_disabled():
        services.survey_close(survey=survey)
        truth = _truth(open_item)
        assert len(truth) == N
        assert Invitation.objects.filter(survey=survey, used=True).count() == N
        assert PendingResponse.objects.filter(survey=survey).count() == 0
        used_order = _use_order(survey)
        # Attack 1: physical row order of responses against the order invitations were used.
        by_row = [truth[pk] for pk in _physical_order("kto_response", survey.pk)]
        assert _matches(by_row, used_order) <= MOST_MATCHES_BY_CHANCE
        # Attack 2: creation order read from the primary keys (random UUIDs, version 4).
        by_pk = [truth[pk] for pk in sorted(truth, key=str)]
        assert {pk.version for pk in truth} == {4}
        assert _matches(by_pk, used_order) <= MOST_MATCHES_BY_CHANCE
        # Attack 3: dates. Half answered yesterday, half today; every response carries its
        # batch's release date, so a date leaves each invitee with a whole batch.
        dates = {}
        for submitted_on in Response.objects.filter(survey=survey).values_list(
            "submitted_on", flat=True
        ):
            dates[submitted_on] = dates.get(submitted_on, 0) + 1
        assert dates == {timezone.localdate(): N}
        # Nothing on an invitation records when it was used.
        invitation_dates = set(
            Invitation.objects.filter(survey=survey).values_list("invited_on", "reminded_on")
        )
        assert invitation_dates == {(timezone.localdate() - timedelta(days=2), None)}


def test_answer_rows_follow_no_submission_order(world):
    survey, invitations, open_item = _answer_all(world, release_between=True)
    with scopes_disabled():
        services.survey_close(survey=survey)
        truth = _truth(open_item)
    used_order = _use_order(survey)
    with connection.cursor() as cursor:
        order = (
            "(a.ctid::text::point)[0], (a.ctid::text::point)[1]"
            if connection.vendor == "postgresql"
            else "a.rowid"
        )
        joined = "kto_answer a JOIN kto_response r ON r.id = a.response_id"
        query = f"SELECT a.response_id FROM {joined} WHERE r.survey_id = %s ORDER BY {order}"  # noqa: S608
        cursor.execute(query, [survey.pk])
        seen = []
        for (response_id,) in cursor.fetchall():
            response_id = uuid.UUID(str(response_id))
            if response_id not in seen:
                seen.append(response_id)
    assert _matches([truth[pk] for pk in seen], used_order) <= MOST_MATCHES_BY_CHANCE


def test_pending_pool_is_rewritten_in_random_order(world):
    survey, invitations, open_item = _answer_all(world, release_between=False)
    with scopes_disabled():
        pending = list(PendingResponse.objects.filter(survey=survey))
        assert len(pending) == N
        markers = {row.pk: row.values[str(open_item)] for row in pending}
        # No date, no link: the pool row has survey, contract, group, language and values only.
        assert {f.name for f in PendingResponse._meta.concrete_fields} == {
            "id",
            "organisation",
            "survey",
            "contract",
            "group",
            "language",
            "values",
        }
    used_order = _use_order(survey)
    by_row = [
        f"person{markers[pk].split()[1]}@example.test"
        for pk in _physical_order("kto_pendingresponse", survey.pk)
    ]
    assert _matches(by_row, used_order) <= MOST_MATCHES_BY_CHANCE


def _postgresql_only():
    if connection.vendor != "postgresql":
        reason = f"xmin exists on PostgreSQL only; the database is {connection.vendor}"
        if os.environ.get("REGIE_REQUIRE_INTEGRATION") == "1":
            pytest.fail(f"REGIE_REQUIRE_INTEGRATION=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def _xmins(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_transaction_ids_link_no_invitee_to_their_answer(world):
    _postgresql_only()
    survey, invitations, open_item = _answer_all(world, release_between=True)
    # While answers wait: the pool shares one transaction id, never an invitation's.
    pool = _xmins(
        "SELECT DISTINCT xmin::text FROM kto_pendingresponse WHERE survey_id = %s", [survey.pk]
    )
    assert len(pool) == 1
    with scopes_disabled():
        services.survey_close(survey=survey)
        truth = _truth(open_item)
    invitation_xmin = {
        email: int(xmin)
        for email, xmin in _xmins(
            "SELECT email, xmin::text FROM kto_invitation WHERE survey_id = %s", [survey.pk]
        )
    }
    response_xmin = {
        uuid.UUID(str(pk)): int(xmin)
        for pk, xmin in _xmins(
            "SELECT id, xmin::text FROM kto_response WHERE survey_id = %s", [survey.pk]
        )
    }
    answer_xmin = {
        int(xmin)
        for (xmin,) in _xmins(
            "SELECT a.xmin::text FROM kto_answer a JOIN kto_response r ON r.id = a.response_id "
            "WHERE r.survey_id = %s",
            [survey.pk],
        )
    }
    # Attack 6: equal transaction ids (the measured attack of the issue).
    assert set(invitation_xmin.values()) & (set(response_xmin.values()) | answer_xmin) == set()
    # Attack 7: the nearest transaction id. Responses of a batch share theirs, so the nearest
    # leaves every invitee with a whole batch of at least k candidates.
    batches: dict[int, list] = {}
    for pk, xmin in response_xmin.items():
        batches.setdefault(xmin, []).append(pk)
    assert min(len(members) for members in batches.values()) >= K
    linked = 0
    for email, xmin in invitation_xmin.items():
        nearest = min(batches, key=lambda value: abs(value - xmin))
        candidates = batches[nearest]
        if len(candidates) == 1 and truth[candidates[0]] == email:
            linked += 1
    assert linked == 0
    # Attack 8: ordering by transaction id on both sides (the use order against batches).
    by_xmin = [truth[pk] for pk in sorted(response_xmin, key=lambda pk: (response_xmin[pk], pk))]
    used_order = [email for email, _ in sorted(invitation_xmin.items(), key=lambda kv: kv[1])]
    assert _matches(by_xmin, used_order) <= MOST_MATCHES_BY_CHANCE
