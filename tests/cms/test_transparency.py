"""Working groups in the open: what the group page shows is open and decided, the
public register of governance actions (the audit log's public part, with the
chain's verification status), and the balance of interests of a ballot.

Rows are made directly (they set the scene); audit events go through
governance.audit.record, the one road into the log.
"""

import datetime
import itertools
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.demo import pages
from consultations.models import Audience, VersionStatus
from governance import audit, register
from governance.models import (
    AuditEvent,
    Ballot,
    BallotOption,
    BallotStatus,
    CastAs,
    Decision,
    Participation,
    RollCallChoice,
    RollEntry,
    Seat,
    VotingRule,
    WorkingGroupStatus,
)
from tests.consultations.test_views import period, standard, version
from tests.factories import ChamberFactory, SeatFactory, UserFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

GROUP_URL = "/working-groups/asm-cobalt-framework/"
REGISTER_URL = GROUP_URL + "register/"


@pytest.fixture
def site(db):
    return pages.load()


@pytest.fixture
def group(site):
    return WorkingGroupFactory(name="ASM Cobalt Framework", slug="asm-cobalt-framework")


@pytest.fixture
def chair(db):
    return UserFactory(display_name="Amani Kabongo")


def text(response) -> str:
    return response.content.decode()


def main(response) -> str:
    return text(response).split("<main", 1)[1]


def table_rows(page: str) -> list[list[str]]:
    """Each table row's cells as text (tags dropped, spaces collapsed)."""
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    ]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


_seat_numbers = itertools.count(1)


def make_ballot(group, *, status=BallotStatus.OPEN, title="Adopt version 2.0", **fields):
    rule, _ = VotingRule.objects.get_or_create(working_group=group, name="Two thirds")
    now = timezone.now()
    fields.setdefault("opens_at", now - datetime.timedelta(days=1))
    fields.setdefault("closes_at", now + datetime.timedelta(days=6))
    return Ballot.objects.create(
        working_group=group,
        title=title,
        motion=f"That the group resolves: {title}.",
        rule=rule,
        status=status,
        **fields,
    )


def roll(ballot, chamber, seats: int, voted: int, choice_label: str | None = None):
    """`seats` seats of `chamber` on the roll, the first `voted` of them having voted."""
    created = Seat.objects.bulk_create(
        Seat(
            working_group=ballot.working_group, chamber=chamber, label=f"Seat {next(_seat_numbers)}"
        )
        for _ in range(seats)
    )
    RollEntry.objects.bulk_create(
        RollEntry(ballot=ballot, seat=seat, chamber=chamber, weight=1) for seat in created
    )
    voter = UserFactory()
    participations = Participation.objects.bulk_create(
        Participation(ballot=ballot, seat=seat, cast_by=voter, cast_as=CastAs.HOLDER)
        for seat in created[:voted]
    )
    if choice_label:
        option, _ = BallotOption.objects.get_or_create(
            ballot=ballot, key="for", defaults={"label": choice_label}
        )
        RollCallChoice.objects.bulk_create(
            RollCallChoice(participation=p, option=option) for p in participations
        )
    return created


def decision(group, chair, *, ballot=None, title="Version 2.0 adopted", **fields):
    fields.setdefault("kind", Decision.Kind.BALLOT if ballot else Decision.Kind.CONSENSUS)
    return Decision.objects.create(
        working_group=group,
        ballot=ballot,
        title=title,
        motion=title,
        outcome="adopted",
        certified_by=chair,
        **fields,
    )


def record(group, action, obj, payload=None, *, public=True, actor=None):
    with transaction.atomic():
        return audit.record(
            actor=actor,
            action=action,
            obj=obj,
            payload=payload or {},
            working_group=group,
            public=public,
        )


# --- the group page ------------------------------------------------------------------


def test_group_page_shows_what_is_open_and_what_was_decided(client, group, chair):
    std = standard(group, title="ASM Cobalt Standard")
    draft = version(std, "2.0")
    open_public = period(draft)
    members_only = period(version(std, "2.1"), audience=Audience.MEMBERS)
    past = period(
        version(std, "1.0", status=VersionStatus.SUPERSEDED),
        opens_at=timezone.now() - datetime.timedelta(days=90),
        closes_at=timezone.now() - datetime.timedelta(days=20),
    )
    open_ballot = make_ballot(group, title="Adopt the safety clause")
    draft_ballot = make_ballot(group, status=BallotStatus.DRAFT, title="DRAFT-BALLOT")
    certified = make_ballot(group, status=BallotStatus.CERTIFIED, title="Adopt version 1.0")
    closed_only = make_ballot(group, status=BallotStatus.CLOSED, title="Closed not certified")
    decision(group, chair, ballot=certified, title="Version 1.0 adopted")
    decision(group, chair, title="Grievance desk by consensus")
    decision(group, chair, ballot=closed_only, title="UNCERTIFIED-DECISION")

    page = main(client.get(GROUP_URL))
    assert f'href="/standards/{std.slug}/"' in page
    # Public periods (never members-only for a stranger): open ones with their balance,
    # past ones listed too.
    assert f'href="/consultations/{open_public.pk}/"' in page
    assert "ASM Cobalt Standard, version 2.0, round 1" in page
    assert f'href="/consultations/{open_public.pk}/balance/"' in page
    assert f"/consultations/{members_only.pk}/" not in page
    assert f'href="/consultations/{past.pk}/"' in page
    # Open ballots, linking to their pages and their balance; never a draft.
    assert f'href="/ballots/{open_ballot.pk}/"' in page
    assert f'href="{GROUP_URL}ballots/{open_ballot.pk}/balance/"' in page
    assert "DRAFT-BALLOT" not in page and f"/ballots/{draft_ballot.pk}/" not in page
    # Decisions: certified ballots' and consensus; never an uncertified ballot's.
    assert "Version 1.0 adopted" in page
    assert f'href="/ballots/{certified.pk}/"' in page
    assert "Grievance desk by consensus" in page and "Consensus without a ballot" in page
    assert "UNCERTIFIED-DECISION" not in page
    # The register.
    assert f'href="{REGISTER_URL}"' in page
    assert "<caption>" in page


def test_group_page_queries_do_not_grow_with_periods_ballots_and_decisions(client, group, chair):
    """Same queries with 10 and with 100 of each: periods, ballots and decisions are
    one query each."""
    std = standard(group)
    draft = version(std, "1.0")

    def add(n, start):
        for i in range(start, start + n):
            period(draft, round_number=i + 1)
            make_ballot(group, title=f"Open ballot {i}")
            certified = make_ballot(group, status=BallotStatus.CERTIFIED, title=f"Ballot {i}")
            decision(group, chair, ballot=certified, title=f"Decision {i}")

    add(10, 0)
    client.get(GROUP_URL)
    few = _count(client, GROUP_URL)
    add(90, 10)
    page = main(client.get(GROUP_URL))
    assert "Open ballot 99" in page and "round 100" in page
    assert "Decision 99" in page and "Decision 50" not in page  # the 25 newest
    assert _count(client, GROUP_URL) == few


# --- the public register ---------------------------------------------------------------


def _events(group, chair):
    std = standard(group)
    consultation = period(version(std, "2.0"))
    members = period(version(std, "2.1"), audience=Audience.MEMBERS)
    ballot = make_ballot(group, title="Adopt version 2.0")
    seat = SeatFactory(working_group=group, label="Miners 1")
    opens, closes = consultation.opens_at, consultation.closes_at
    record(
        group,
        "consultation.scheduled",
        consultation,
        {
            "version": "2.0",
            "round": 1,
            "audience": "public",
            "opens_at": opens,
            "closes_at": closes,
            "justification": "SECRET-JUSTIFICATION",
        },
    )
    record(
        group,
        "consultation.extended",
        members,
        {"closes_at": [opens, closes], "reason": "SECRET-REASON"},
    )
    record(
        group,
        "ballot.opened",
        ballot,
        {"roll": 12, "rule": {"name": "SECRET-RULE-SNAPSHOT"}, "closes_at": closes},
        actor=chair,
    )
    record(
        group,
        "ballot.closed",
        ballot,
        {"outcome": "adopted", "cast": 10, "eligible": 12, "chambers": "SECRET-CHAMBERS"},
    )
    record(group, "seat.retired", seat)
    record(
        group,
        "seat_assignment.started",
        seat,
        {
            "person": "Aline Kazadi",
            "person_id": 987654321,
            "organisation": "Kolwezi Miners' Cooperative",
            "start": "2025-01-01",
        },
    )
    record(group, "new.unknown_action", seat, {"anything": "SECRET-UNKNOWN-PAYLOAD"})
    record(group, "comment.posted", ballot, {"organisation": "NOT-PUBLIC-EVENT"}, public=False)
    record(WorkingGroupFactory(), "ballot.opened", ballot, {"roll": 99999})
    return consultation, members, ballot


def test_register_lists_public_actions_as_sentences_and_nothing_else(client, group, chair):
    consultation, members, ballot = _events(group, chair)
    response = client.get(REGISTER_URL)
    assert response.status_code == 200
    page = main(response)
    assert "Comment period scheduled: " in page and ", open from " in page
    assert "Comment period extended: " in page and "now closes on" in page
    assert "Ballot opened: Adopt version 2.0; 12 seats on the roll; closes on" in page
    assert "Ballot closed: Adopt version 2.0; 10 of 12 seats voted; outcome: adopted<" in page
    assert "Seat retired: " in page
    assert "Seat taken: ASM Cobalt Framework · Miners 1, from Jan. 1, 2025; " in page
    assert "represents Kolwezi Miners&#x27; Cooperative<" in page
    assert "new.unknown_action" in page
    # Links: ballots, and public periods only.
    assert f'href="/ballots/{ballot.pk}/"' in page
    assert f'href="/consultations/{consultation.pk}/"' in page
    assert f'href="/consultations/{members.pk}/"' not in page
    # Never a non-public event, another group's, who acted, or a payload key off the
    # whitelist.
    assert "NOT-PUBLIC-EVENT" not in page
    assert chair.public_name not in page
    assert "99999" not in page
    for secret in (
        "SECRET-JUSTIFICATION",
        "SECRET-REASON",
        "SECRET-RULE-SNAPSHOT",
        "SECRET-CHAMBERS",
        "987654321",
        "SECRET-UNKNOWN-PAYLOAD",
    ):
        assert secret not in page
    rows = table_rows(page)
    assert rows[0] == ["Entry", "Time", "Action"]
    assert len(rows) == 1 + 7  # the seven public events of this group
    assert [int(row[0]) for row in rows[1:]] == sorted((int(r[0]) for r in rows[1:]), reverse=True)
    # The chain verifies.
    assert "Verified: all 9 entries of the log are linked by their hashes and unaltered." in page


def test_register_sentences(group):
    std = standard(group)
    members = period(version(std, "3.0"), audience=Audience.MEMBERS)
    ballot = make_ballot(group, title="Adopt 3.0")
    events = [
        record(
            group,
            "consultation.scheduled",
            members,
            {"audience": "members", "opens_at": members.opens_at, "closes_at": members.closes_at},
        ),
        record(group, "consultation.report_published", members, {"comments": 1}),
        record(group, "consultation.report_published", members, {"comments": 4}),
        record(group, "ballot.certified", ballot, {"decision": 7, "outcome": "no_quorum"}),
        record(group, "seat_assignment.ended", ballot, {"end": ["2025-01-01", "2025-06-30"]}),
    ]
    sentences = [entry.sentence for entry in register.register_entries(events)]
    assert sentences[0].endswith("; members of the working group only")
    assert sentences[1].endswith("; 1 comment answered")
    assert sentences[2].endswith("; 4 comments answered")
    assert sentences[3] == "Ballot result certified: Adopt 3.0; outcome: no quorum"
    assert sentences[4] == "Seat term ends: Adopt 3.0, on June 30, 2025"


def test_register_entries_read_only_whitelisted_payload_keys(group, chair):
    _events(group, chair)
    events = AuditEvent.objects.filter(is_public=True)
    for event in events:
        entry = register.register_entries([event])[0]
        allowed = register.REGISTER_PAYLOAD_KEYS.get(event.action, ())
        for key, value in event.payload.items():
            if key not in allowed and isinstance(value, str) and value.startswith("SECRET"):
                assert value not in entry.sentence
    hidden = AuditEvent.objects.get(is_public=False)
    assert register.register_entries([hidden]) == []


def test_register_is_paginated_with_flat_queries(client, group, chair):
    """A page of 50 actions; the same queries with 10 actions and with 120 (count,
    page, the public periods among them, the chain head; the chain's check cached)."""
    ballot = make_ballot(group)
    for _ in range(10):
        record(group, "ballot.cancelled", ballot)
    client.get(REGISTER_URL)
    few = _count(client, REGISTER_URL)
    for _ in range(110):
        record(group, "ballot.cancelled", ballot)
    client.get(REGISTER_URL)  # a new head: the chain is checked again, then cached
    assert _count(client, REGISTER_URL) == few
    first = main(client.get(REGISTER_URL))
    assert len(table_rows(first)) == 1 + 50
    assert "120 public actions, page 1 of 3" in first
    assert 'href="?page=2"' in first
    last = main(client.get(REGISTER_URL + "?page=3"))
    assert len(table_rows(last)) == 1 + 20
    assert ">1</th>" in last  # the oldest entry comes last
    beyond = main(client.get(REGISTER_URL + "?page=99"))  # out of range: the last page
    assert table_rows(beyond) == table_rows(last)


def test_chain_status_is_cached_by_head_sequence(monkeypatch, group):
    ballot = make_ballot(group)
    record(group, "ballot.opened", ballot, {"roll": 1})
    calls = []
    real = register.verify_chain

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(register, "verify_chain", counting)
    first = register.audit_chain_status()
    assert first.ok and first.count == 1 and first.head_sequence == 1
    assert register.audit_chain_status() == first
    assert len(calls) == 1
    record(group, "ballot.closed", ballot, {"cast": 0, "eligible": 1})
    second = register.audit_chain_status()
    assert second.ok and second.count == 2
    assert len(calls) == 2


def test_register_says_when_the_chain_is_broken(client, group, monkeypatch):
    from governance.audit import ChainCheck

    monkeypatch.setattr(register, "verify_chain", lambda: ChainCheck(False, 4, 5, "hash"))
    page = main(client.get(REGISTER_URL))
    assert "The verification failed at entry 5: the log may have been altered." in page
    assert "chain-broken" in page


def test_register_of_an_unknown_or_closed_group_is_404(client, group):
    assert client.get("/working-groups/no-such-group/register/").status_code == 404
    group.status = WorkingGroupStatus.CLOSED
    group.save()
    assert client.get(REGISTER_URL).status_code == 404


# --- balance of interests of a ballot --------------------------------------------------------


def test_ballot_balance_counts_seats_by_chamber_never_choices(client, group):
    industry = ChamberFactory(name="Industry", sort_order=1)
    miners = ChamberFactory(name="Artisanal miners", slug="artisanal-miners", sort_order=4)
    ballot = make_ballot(group)
    roll(ballot, industry, 5, 2, choice_label="UNIQUE-CHOICE-LABEL")
    roll(ballot, miners, 4, 3, choice_label="UNIQUE-CHOICE-LABEL")
    response = client.get(f"{GROUP_URL}ballots/{ballot.pk}/balance/")
    assert response.status_code == 200
    page = main(response)
    assert "Artisanal miners: 3 of 4 seats voted." in page
    assert table_rows(page) == [
        ["Chamber", "Seats on the roll", "Seats that voted", "Turnout"],
        ["Industry", "5", "2", "40%"],
        ["Artisanal miners artisanal miners", "4", "3", "75%"],
        ["All chambers", "9", "5", "56%"],
    ]
    assert 'class="artisanal-miners"' in page
    assert "UNIQUE-CHOICE-LABEL" not in page
    assert f'href="/ballots/{ballot.pk}/"' in page


def test_ballot_balance_says_when_miners_have_no_seat(client, group):
    ballot = make_ballot(group, status=BallotStatus.CLOSED)
    roll(ballot, ChamberFactory(name="Industry"), 2, 2)
    page = main(client.get(f"{GROUP_URL}ballots/{ballot.pk}/balance/"))
    assert "Artisanal miners: no seat on this ballot's roll." in page


def test_ballot_balance_404s(client, group):
    other = WorkingGroupFactory(slug="other-group")
    foreign = make_ballot(other)
    assert client.get(f"{GROUP_URL}ballots/{foreign.pk}/balance/").status_code == 404
    for status in (BallotStatus.DRAFT, BallotStatus.CANCELLED):
        ballot = make_ballot(group, status=status)
        assert client.get(f"{GROUP_URL}ballots/{ballot.pk}/balance/").status_code == 404
    assert client.get(f"{GROUP_URL}ballots/999999/balance/").status_code == 404
    certified = make_ballot(group, status=BallotStatus.CERTIFIED)
    assert client.get(f"{GROUP_URL}ballots/{certified.pk}/balance/").status_code == 200


def test_ballot_balance_queries_do_not_grow_with_the_roll(client, group):
    """Same queries for 10 seats and for 100: the group, the ballot, the counts by
    chamber, the chambers."""
    ballot = make_ballot(group)
    chambers = [ChamberFactory(name=f"Chamber {i}") for i in range(5)]
    for chamber in chambers:
        roll(ballot, chamber, 2, 1)
    url = f"{GROUP_URL}ballots/{ballot.pk}/balance/"
    client.get(url)
    few = _count(client, url)
    for chamber in chambers:
        roll(ballot, chamber, 18, 9)
    assert "All chambers" in text(client.get(url))
    assert table_rows(main(client.get(url)))[-1] == ["All chambers", "100", "50", "50%"]
    assert _count(client, url) == few
