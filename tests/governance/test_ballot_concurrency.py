"""Races against PostgreSQL with real threads, each on its own database connection.

- 50 casts for the same seat at once (holder, alternate, proxy and facilitator racing)
  leave exactly one counted vote; every other caller gets a clear refusal.
- Votes racing the close are either counted in the stored result or refused with the
  "closed" message: never lost silently.
- A holder revoking a delegation while the proxy votes: one of them wins, cleanly.
- Two scheduler workers closing the same due ballots close each exactly once.

Each test prints what it observed (run with -rP to see it).
"""

import datetime
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils import timezone

from governance import audit, bulletin, services
from governance.models import (
    AuditEvent,
    Ballot,
    BallotStatus,
    Delegation,
    GroupRole,
    Participation,
    RollCallChoice,
    SeatRole,
    Secrecy,
    SecretChoice,
    VotingRule,
)
from tests.factories import (
    ChamberFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)

pytestmark = [
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="needs PostgreSQL (set DATABASE_URL): SQLite takes one lock for the whole "
        "database, so its writers never race and these tests would prove nothing",
    ),
    pytest.mark.django_db(transaction=True),
]

CLOSED = "This ballot has closed; votes are no longer accepted."


def race(workers: list[Callable[[], object]]) -> list[tuple[str, object]]:
    """Run every worker in its own thread, all released at once by a barrier.
    Returns ("ok", value) or ("error", exception) per worker, in order."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(i, work):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", work())
        except Exception as exc:  # the refusal is the result under test
            results[i] = ("error", exc)
        finally:
            connections.close_all()  # this thread's connection, not the test's

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


def message(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def make_group(seats: int, *, allow_vote_change=False):
    group = WorkingGroupFactory()
    chair, facilitator = UserFactory(), UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    give_role(facilitator, group, GroupRole.FACILITATOR)
    chambers = [ChamberFactory(name="Industry"), ChamberFactory(name="Artisanal miners")]
    made = [
        SeatFactory(working_group=group, chamber=chambers[i % 2], facilitator=facilitator)
        for i in range(seats)
    ]
    rule = VotingRule.objects.create(
        working_group=group, name="Majority", allow_vote_change=allow_vote_change
    )
    return SimpleNamespace(
        group=group,
        chair=chair,
        facilitator=facilitator,
        seats=made,
        holders=[seat_person(s).person for s in made],
        rule=rule,
    )


def open_ballot(g, secrecy, *, closes_in=datetime.timedelta(hours=1)) -> Ballot:
    now = timezone.now()
    ballot = Ballot(
        working_group=g.group,
        title=f"Race {secrecy}",
        motion="…",
        rule=g.rule,
        secrecy=secrecy,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + closes_in,
    )
    services.ballot_save(actor=g.chair, ballot=ballot)
    return services.ballot_open(actor=g.chair, ballot=ballot)


def assert_chain_intact():
    check = audit.verify_chain()
    assert check.ok, check


@pytest.mark.parametrize("secrecy", [Secrecy.ROLL_CALL, Secrecy.SECRET])
def test_fifty_casts_for_one_seat_count_once(secrecy):
    g = make_group(2)
    seat = g.seats[0]
    holder = g.holders[0]
    alternate = seat_person(seat, SeatRole.ALTERNATE).person
    proxy = UserFactory()
    ballot = open_ballot(g, secrecy)
    services.delegation_grant(actor=holder, ballot=ballot, seat=seat, proxy=proxy)
    keys = ["for", "against", "abstain"]

    def casting(i):
        if i % 4 == 3:
            return lambda: services.vote_record_assisted(
                actor=g.facilitator,
                ballot=ballot,
                seat=seat,
                option_key=keys[i % 3],
                mode="in_person",
                witness="Witness",
            )
        actor = (holder, alternate, proxy)[i % 4]
        return lambda: services.vote_cast(
            actor=actor, ballot=ballot, seat=seat, option_key=keys[i % 3]
        )

    results = race([casting(i) for i in range(50)])

    won = [(i, value) for i, (kind, value) in enumerate(results) if kind == "ok"]
    refused = [value for kind, value in results if kind == "error"]
    assert len(won) == 1, results
    assert all(isinstance(e, ValidationError | PermissionDenied) for e in refused), refused
    messages = Counter(message(e) for e in refused)
    assert all("already voted" in m for m in messages), messages
    participation = Participation.objects.get(ballot=ballot)
    assert participation.seat == seat
    winner, receipt = won[0]
    assert participation.cast_as == ("holder", "alternate", "proxy", "facilitator")[winner % 4]
    assert participation.receipt_code == receipt
    if secrecy == Secrecy.SECRET:
        assert SecretChoice.objects.filter(ballot=ballot).count() == 1
    else:
        assert RollCallChoice.objects.filter(participation=participation).count() == 1
    votes = AuditEvent.objects.filter(action__startswith="vote.", object_id=str(ballot.pk))
    assert votes.count() == 1
    assert_chain_intact()
    print(
        f"\n[{secrecy}] 50 casts for one seat: 1 counted (as {participation.cast_as}), "
        f"{len(refused)} refused: {dict(messages)}"
    )


@pytest.mark.parametrize("secrecy", [Secrecy.ROLL_CALL, Secrecy.SECRET])
def test_votes_racing_the_close_are_counted_or_refused_never_lost(secrecy):
    g = make_group(40)
    ballot = open_ballot(g, secrecy)
    last_moment = ballot.closes_at - datetime.timedelta(microseconds=1)
    rng = random.Random(4)

    def voting(holder, seat, key, delay):
        def work():
            time.sleep(delay)
            return services.vote_cast(
                actor=holder, ballot=ballot, seat=seat, option_key=key, now=last_moment
            )

        return work

    def closing():
        time.sleep(0.02)
        return services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)

    workers = [
        voting(h, s, rng.choice(["for", "against", "abstain"]), rng.uniform(0, 0.06))
        for h, s in zip(g.holders, g.seats, strict=True)
    ]
    results = race([*workers, closing])

    close_kind, closed = results[-1]
    assert close_kind == "ok", closed
    counted = [value for kind, value in results[:-1] if kind == "ok"]
    refused = [value for kind, value in results[:-1] if kind == "error"]
    assert all(isinstance(e, ValidationError) and message(e) == CLOSED for e in refused), refused
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED
    assert ballot.result["participation"]["cast"] == len(counted)
    assert sum(total["count"] for total in ballot.result["totals"].values()) == len(counted)
    assert Participation.objects.filter(ballot=ballot).count() == len(counted)
    assert bulletin.receipts(ballot) == sorted(counted)
    assert len(bulletin.rows(ballot)) == len(counted)
    assert bulletin.differences(ballot.result, bulletin.recount(ballot)) == []
    casts = AuditEvent.objects.filter(action="vote.cast", object_id=str(ballot.pk))
    assert casts.count() == len(counted)
    last_vote = max(casts.values_list("sequence", flat=True), default=0)
    closing_event = AuditEvent.objects.get(action="ballot.closed", object_id=str(ballot.pk))
    assert closing_event.sequence > last_vote  # nothing was cast after the count
    assert_chain_intact()
    print(
        f"\n[{secrecy}] 40 votes racing the close: {len(counted)} counted, "
        f"{len(refused)} refused as closed, 0 lost"
    )


def test_revoking_a_delegation_while_the_proxy_votes(monkeypatch):
    """A revocation dawdles between its check and its commit (a slow audit write); a
    proxy voting meanwhile must not slip through on the not-yet-revoked delegation."""
    real_record = audit.record

    def slow_revocation(**kwargs):
        if kwargs["action"] == "delegation.revoked":
            time.sleep(0.05)
        return real_record(**kwargs)

    monkeypatch.setattr(audit, "record", slow_revocation)
    g = make_group(20)
    ballot = open_ballot(g, Secrecy.ROLL_CALL)
    proxies = [UserFactory() for _ in g.seats]
    delegations = [
        services.delegation_grant(actor=h, ballot=ballot, seat=s, proxy=p)
        for h, s, p in zip(g.holders, g.seats, proxies, strict=True)
    ]
    workers = []
    for holder, seat, proxy, delegation in zip(
        g.holders, g.seats, proxies, delegations, strict=True
    ):
        workers.append(
            lambda p=proxy, s=seat: services.vote_cast(
                actor=p, ballot=ballot, seat=s, option_key="for"
            )
        )
        workers.append(
            lambda h=holder, d=delegation: services.delegation_revoke(actor=h, delegation=d)
        )
    results = race(workers)

    outcomes = Counter()
    for i, delegation in enumerate(delegations):
        (vote_kind, vote), (revoke_kind, revoke) = results[2 * i], results[2 * i + 1]
        delegation.refresh_from_db()
        voted = Participation.objects.filter(ballot=ballot, seat=delegation.seat).exists()
        if vote_kind == "ok":
            assert voted and delegation.revoked_at is None
            assert revoke_kind == "error" and "proxy has already voted" in message(revoke)
            outcomes["proxy voted first"] += 1
        else:
            assert not voted and delegation.revoked_at is not None
            assert isinstance(vote, PermissionDenied) and revoke_kind == "ok"
            outcomes["revoked first"] += 1
    assert not Delegation.objects.filter(
        ballot=ballot,
        revoked_at__isnull=False,
        seat__in=Participation.objects.filter(ballot=ballot, cast_as="proxy").values("seat"),
    ).exists()
    assert_chain_intact()
    print(f"\n20 revocations racing their proxies' votes: {dict(outcomes)}")


def test_scheduler_workers_close_each_due_ballot_once():
    g = make_group(4)
    ballots = [open_ballot(g, Secrecy.ROLL_CALL, closes_in=datetime.timedelta(minutes=5))]
    ballots += [open_ballot(g, Secrecy.SECRET, closes_in=datetime.timedelta(minutes=5))]
    for ballot in ballots:
        for holder, seat in zip(g.holders, g.seats, strict=True):
            services.vote_cast(actor=holder, ballot=ballot, seat=seat, option_key="for")
    later = timezone.now() + datetime.timedelta(minutes=10)
    results = race([lambda: services.close_due_ballots(now=later) for _ in range(8)])

    assert all(kind == "ok" for kind, _ in results), results
    assert sum(value for _, value in results) == len(ballots)
    for ballot in ballots:
        ballot.refresh_from_db()
        assert ballot.status == BallotStatus.CLOSED
        assert ballot.result["participation"]["cast"] == 4
        assert (
            AuditEvent.objects.filter(action="ballot.closed", object_id=str(ballot.pk)).count() == 1
        )
    assert_chain_intact()
    print(
        f"\n8 scheduler workers, 2 due ballots: closed counts per worker {[v for _, v in results]}"
    )
