"""From stored ballots to the tally and back: roll-call and secret ballots count alike,
secret choices pair only within their cell, explanations exist in every site language,
consent ballots carry their objections, and `verify_ballot` recounts the bulletin."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from governance import ballot_counting, bulletin, services, tally
from governance.models import (
    AuditEvent,
    Ballot,
    BallotOption,
    GroupRole,
    OptionSet,
    Participation,
    RollCallChoice,
    Secrecy,
    SecretChoice,
    VotingRule,
)
from tests.factories import ChamberFactory, SeatFactory, UserFactory, give_role, seat_person

DAY = datetime.timedelta(days=1)


@pytest.fixture
def t(group):
    """Three chambers; civil society is split North / South; one industry seat weighs 2."""
    chair = UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    industry = ChamberFactory(name="Industry", sort_order=1)
    civil = ChamberFactory(name="Civil society", sort_order=2)
    north = ChamberFactory(name="North", slug="civil-north", parent=civil)
    south = ChamberFactory(name="South", slug="civil-south", parent=civil)
    miners = ChamberFactory(name="Artisanal miners", sort_order=3)
    layout = [(industry, 3), (north, 2), (south, 1), (miners, 3)]
    seats = [
        SeatFactory(working_group=group, chamber=c, label=f"{c} {i}")
        for c, n in layout
        for i in range(1, n + 1)
    ]
    seats[0].weight = Decimal(2)
    seats[0].save(update_fields=["weight"])
    holders = [seat_person(s).person for s in seats]
    return SimpleNamespace(group=group, chair=chair, seats=seats, holders=holders)


def rule(t, name, **fields):
    return VotingRule.objects.create(working_group=t.group, name=name, **fields)


def run_ballot(t, vote_rule, votes, *, secrecy=Secrecy.ROLL_CALL, options=None, close=True):
    """Open a ballot, cast `votes` (one (key, reason) or key per seat, None = no vote)."""
    now = timezone.now()
    option_set = {"consensus": OptionSet.CONSENT, "plurality": OptionSet.CUSTOM}.get(
        vote_rule.method, OptionSet.MOTION
    )
    ballot = Ballot(
        working_group=t.group,
        title=f"{vote_rule.name} {secrecy}",
        motion="…",
        rule=vote_rule,
        secrecy=secrecy,
        option_set=option_set,
        opens_at=now - DAY,
        closes_at=now + DAY,
    )
    services.ballot_save(actor=t.chair, ballot=ballot, options=options, now=now - DAY)
    services.ballot_open(actor=t.chair, ballot=ballot, now=now - DAY)
    receipts = {}
    for holder, seat, vote in zip(t.holders, t.seats, votes, strict=False):
        if vote is not None:
            key, reason = vote if isinstance(vote, tuple) else (vote, "")
            receipts[seat.label] = services.vote_cast(
                actor=holder, ballot=ballot, seat=seat, option_key=key, reason=reason
            )
    if close:
        services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    ballot.refresh_from_db()
    return ballot, receipts


MOTION_VOTES = ["for", "against", "for", "for", "abstain", "against", "for", None, "against"]
PLAN_VOTES = ["plan-a", "plan-b", "plan-a", "plan-c", "plan-b", None, "plan-a", "plan-a", None]
PLANS = [("plan-a", "Plan A", False), ("plan-b", "Plan B", False), ("plan-c", "Plan C", False)]
RULES = {
    "two thirds, chambers equal": (
        dict(threshold="2/3", chamber_weighting="equal", chamber_quorum_percent=50),
        MOTION_VOTES,
        None,
    ),
    "majority, seat weights": (dict(), MOTION_VOTES, None),
    "three quarters of eligible, sub-chambers": (
        dict(threshold="3/4", base="eligible", chamber_weighting="equal_subchambers"),
        MOTION_VOTES,
        None,
    ),
    "ISO with a chamber block": (dict(method="iso", block_threshold=2), MOTION_VOTES, None),
    "plurality of plans": (dict(method="plurality"), PLAN_VOTES, PLANS),
}


@pytest.mark.parametrize("name", list(RULES))
def test_secret_and_roll_call_ballots_count_the_same_votes_alike(t, name):
    fields, votes, options = RULES[name]
    vote_rule = rule(t, name, **fields)
    open_ballot, _ = run_ballot(t, vote_rule, votes, options=options)
    secret, _ = run_ballot(t, vote_rule, votes, secrecy=Secrecy.SECRET, options=options)
    assert SecretChoice.objects.filter(ballot=secret).count() == sum(v is not None for v in votes)
    assert open_ballot.result == secret.result
    assert open_ballot.explanations == secret.explanations
    for ballot in (open_ballot, secret):
        fresh, explanations = ballot_counting.count(ballot)
        assert fresh.as_dict() == ballot.result and explanations == ballot.explanations


def test_count_reads_the_rule_snapshot_and_the_roll_snapshot(t):
    vote_rule = rule(t, "Majority")
    ballot, _ = run_ballot(t, vote_rule, ["for"] * 4, close=False)
    VotingRule.objects.filter(pk=vote_rule.pk).update(quorum_percent=100)
    t.seats[0].weight = 50
    t.seats[0].save()
    result, _ = ballot_counting.count(ballot)
    assert result.rule.quorum == 0 and result.outcome == "adopted"
    assert result.totals["for"].weight == 5  # 2 + 1 + 1 + 1 from the roll, not 50


# --- Pairing secret choices with participations --------------------------------------------


def test_pairing_gives_each_seat_a_choice_of_its_own_cell():
    votes = ballot_counting.pair_secret_choices(
        participants=[(1, ("A", None, 1)), (2, ("A", None, 1)), (3, ("B", None, 2))],
        choices=[
            (("B", None, 2), "against", ""),
            (("A", None, 1), "for", ""),
            (("A", None, 1), "abstain", ""),
        ],
    )
    assert sorted(v.seat_id for v in votes) == [1, 2, 3]
    assert {v.choice for v in votes if v.seat_id in (1, 2)} == {"for", "abstain"}
    assert next(v.choice for v in votes if v.seat_id == 3) == "against"


@pytest.mark.parametrize(
    ("participants", "choices", "message"),
    [
        (
            [(1, ("A", None, 1)), (2, ("A", None, 1))],
            [(("A", None, 1), "for", "")],
            "participation without",
        ),
        (
            [(1, ("A", None, 1))],
            [(("A", None, 1), "for", ""), (("A", None, 1), "for", "")],
            "choice without",
        ),
        ([(1, ("A", None, 1))], [(("B", None, 1), "for", "")], "participation without"),
        ([(1, ("A", None, 1))], [(("A", None, 2), "for", "")], "participation without"),
        ([], [(("A", None, 1), "for", "")], "choice without"),
    ],
    ids=["missing choice", "extra choice", "other chamber", "other weight", "no participants"],
)
def test_pairing_raises_when_the_two_sides_do_not_match(participants, choices, message):
    with pytest.raises(ValueError, match=message):
        ballot_counting.pair_secret_choices(participants=participants, choices=choices)


def test_a_corrupted_secret_ballot_does_not_count(t):
    ballot, _ = run_ballot(
        t, rule(t, "Majority"), ["for", "against"], secrecy=Secrecy.SECRET, close=False
    )
    SecretChoice.objects.filter(ballot=ballot).first().delete()
    with pytest.raises(ValueError, match="participation without a matching choice"):
        ballot_counting.count(ballot)


# --- Explanations in every language ------------------------------------------------------------


def test_explanations_are_stored_in_each_site_language(t, monkeypatch):
    languages = []
    real_tally = tally.tally

    def tally_recording_language(*args):
        languages.append(translation.get_language())
        return real_tally(*args)

    monkeypatch.setattr(ballot_counting.tally, "tally", tally_recording_language)
    ballot, _ = run_ballot(t, rule(t, "Majority"), MOTION_VOTES)
    assert set(ballot.explanations) == {"en", "fr", "sw"}
    assert {"en", "fr", "sw"} <= set(languages)
    assert ballot.explanations["en"].startswith("Adopted.")
    assert all(text for text in ballot.explanations.values())
    assert ballot.explanation("sw") == ballot.explanations["sw"]
    assert ballot.explanation("xx") == ballot.explanations["en"]


# --- Consent ballots ---------------------------------------------------------------------------


def test_an_objection_needs_its_reason_and_is_kept_with_the_decision(t):
    consensus = rule(t, "Consensus", method="consensus")
    ballot, _ = run_ballot(t, consensus, ["consent", "consent", ("abstain", "")], close=False)
    assert list(ballot.options.values_list("key", "requires_reason")) == [
        ("consent", False),
        ("objection", True),
        ("abstain", False),
    ]
    before = (Participation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="objection must give its reason"):
        services.vote_cast(
            actor=t.holders[3], ballot=ballot, seat=t.seats[3], option_key="objection", reason=" "
        )
    assert (Participation.objects.count(), AuditEvent.objects.count()) == before
    reason = "Clause 4.2 would exclude cooperatives without a bank account."
    services.vote_cast(
        actor=t.holders[3], ballot=ballot, seat=t.seats[3], option_key="objection", reason=reason
    )
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    ballot.refresh_from_db()
    assert ballot.result["outcome"] == "rejected"
    assert ballot.result["objections"] == [[t.seats[3].pk, reason]]
    assert "1 sustained objection" in ballot.explanations["en"]
    decision = services.ballot_certify(actor=t.chair, ballot=ballot)
    assert decision.objections == reason
    assert bulletin.rows(ballot)[-1].reason == reason


def test_consent_without_objection_is_adopted(t):
    ballot, _ = run_ballot(t, rule(t, "Consensus", method="consensus"), ["consent", "abstain"])
    assert ballot.result["outcome"] == "adopted"
    assert "No sustained objection" in ballot.explanations["en"]


# --- The bulletin and verify_ballot --------------------------------------------------------------


def verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_ballot", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


def test_the_roll_call_bulletin_names_seat_holder_choice_and_receipt(t):
    ballot, receipts = run_ballot(t, rule(t, "Majority"), ["for", None, "against"])
    rows = bulletin.rows(ballot)
    assert rows == [
        bulletin.RollCallRow(
            seat_label=t.seats[i].label,
            holder=t.holders[i].public_name,
            option_key=key,
            option_label=key.title(),
            receipt_code=receipts[t.seats[i].label],
        )
        for i, key in ((0, "for"), (2, "against"))
    ]
    assert bulletin.public_rows(ballot) == rows


@pytest.mark.parametrize("secrecy", [Secrecy.ROLL_CALL, Secrecy.SECRET])
def test_verify_ballot_recounts_the_bulletin(t, secrecy):
    fields, votes, options = RULES["three quarters of eligible, sub-chambers"]
    ballot, _ = run_ballot(t, rule(t, "Eligible", **fields), votes, secrecy=secrecy)
    status, out, err = verify(str(ballot.pk))
    assert (status, err) == (0, "") and out.startswith(f"OK ballot {ballot.pk}")
    services.ballot_certify(actor=t.chair, ballot=ballot)
    assert verify(str(ballot.pk))[0] == 0


def test_verify_all_reports_each_closed_ballot_and_skips_open_ones(t):
    closed, _ = run_ballot(t, rule(t, "Majority"), MOTION_VOTES)
    secret, _ = run_ballot(t, rule(t, "Secret"), MOTION_VOTES, secrecy=Secrecy.SECRET)
    run_ballot(t, rule(t, "Still open"), MOTION_VOTES, close=False)
    status, out, _ = verify("--all")
    assert status == 0
    assert out.splitlines() == [
        f"OK ballot {closed.pk} ({closed.title})",
        f"OK ballot {secret.pk} ({secret.title})",
    ]


def test_verify_ballot_finds_a_tampered_result(t):
    ballot, _ = run_ballot(t, rule(t, "Majority"), MOTION_VOTES)
    result = {**ballot.result, "outcome": "rejected"}
    result["chambers"][0] = {
        **result["chambers"][0],
        "counts": {"for": 9, "against": 0, "abstain": 0},
    }
    Ballot.objects.filter(pk=ballot.pk).update(result=result)
    status, out, err = verify(str(ballot.pk))
    assert status == 1 and out == ""
    assert "outcome: stored 'rejected', recomputed 'adopted'" in err
    assert "chamber Industry counts: stored {'for': 9" in err


def test_verify_ballot_finds_a_tampered_secret_choice(t):
    ballot, _ = run_ballot(t, rule(t, "Majority"), MOTION_VOTES, secrecy=Secrecy.SECRET)
    against = BallotOption.objects.get(ballot=ballot, key="against")
    SecretChoice.objects.filter(ballot=ballot, option__key="for").update(option=against)
    status, _, err = verify(str(ballot.pk))
    assert status == 1 and "outcome: stored 'adopted', recomputed 'rejected'" in err


def test_verify_ballot_finds_a_lost_roll_call_choice(t):
    ballot, _ = run_ballot(t, rule(t, "Majority"), MOTION_VOTES)
    RollCallChoice.objects.filter(participation__ballot=ballot).order_by("pk").first().delete()
    status, _, err = verify(str(ballot.pk))
    assert status == 1 and "8 seats took part but the bulletin lists 7" in err


def test_verify_ballot_refuses_unknown_and_open_ballots(t):
    ballot, _ = run_ballot(t, rule(t, "Majority"), MOTION_VOTES, close=False)
    with pytest.raises(CommandError, match="There is no ballot 999999"):
        call_command("verify_ballot", "999999")
    with pytest.raises(CommandError, match=f"Ballot {ballot.pk} is open: only a closed"):
        call_command("verify_ballot", str(ballot.pk))
    with pytest.raises(CommandError, match="one ballot id, or --all"):
        call_command("verify_ballot")
    with pytest.raises(bulletin.BulletinNotReady):
        bulletin.rows(ballot)
