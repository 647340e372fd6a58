"""The tally engine: a table of worked cases, edge cases, and properties (hypothesis).

Ballots are written as layouts: chamber (or "chamber/sub-chamber") → one mark per seat,
F for, A against, N abstain, C consent, O objection, . did not vote, and a lowercase
letter for a custom choice of that name.
"""

import json
import random
from decimal import Decimal
from fractions import Fraction as F

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from governance.tally import (
    ABSTAIN,
    AGAINST,
    CONSENT,
    FOR,
    OBJECTION,
    RollEntry,
    Vote,
    VotingRule,
    public_breakdown,
    tally,
    withhold_small_cells,
)

MARKS = {"F": FOR, "A": AGAINST, "N": ABSTAIN, "C": CONSENT, "O": OBJECTION, ".": None}


def build(layout: dict[str, str], weight=1):
    roll, votes = [], []
    for key, marks in layout.items():
        chamber, _, sub = key.partition("/")
        for mark in marks:
            seat = len(roll) + 1
            roll.append(RollEntry(seat, chamber, sub, weight))
            choice = MARKS.get(mark, mark)
            if choice:
                votes.append(Vote(seat, choice, "harms miners" if choice == OBJECTION else ""))
    return roll, votes


def run(layout, **rule):
    return tally(*build(layout), VotingRule(**rule))


IRMA = {"Mining": "FFFF", "Purchasers": "FFFF", "Communities": "FFAA", "NGOs": "FFFF"}
FSC_ENV = {"Env/North": "FFFFFFFF", "Env/South": "AA"}
SWING = {"Large": "FFFFFAAAAA", "Small": "FF"}

CASES = [
    # id, layout, rule, outcome, support
    ("majority of cast", {"All": "FFFAA"}, {}, "adopted", F(3, 5)),
    ("abstentions left out", {"All": "FFANNN"}, {}, "adopted", F(2, 3)),
    ("abstentions counted", {"All": "FFANNN"}, {"abstentions_count": True}, "rejected", F(1, 3)),
    ("exact tie at 1/2", {"All": "FFAA"}, {}, "tied", F(1, 2)),
    (
        "tie at 1/2, abstention counted",
        {"All": "FFAN"},
        {"abstentions_count": True},
        "tied",
        F(1, 2),
    ),
    ("tie at 1/2, at-least rule", {"All": "FFAA"}, {"strictly_greater": False}, "adopted", F(1, 2)),
    ("majority of eligible, met", {"All": "FFFF.."}, {"base": "eligible"}, "adopted", F(2, 3)),
    ("majority of eligible, tie", {"All": "FFFA.."}, {"base": "eligible"}, "tied", F(1, 2)),
    ("same votes, majority of cast", {"All": "FFFA.."}, {}, "adopted", F(3, 4)),
    ("majority of eligible, short", {"All": "FFA..."}, {"base": "eligible"}, "rejected", F(1, 3)),
    ("2/3 reached exactly", {"All": "FFA"}, {"threshold": F(2, 3)}, "adopted", F(2, 3)),
    ("2/3 missed", {"All": "FFFAA"}, {"threshold": F(2, 3)}, "rejected", F(3, 5)),
    ("3/4 reached exactly", {"All": "FFFA"}, {"threshold": F(3, 4)}, "adopted", F(3, 4)),
    ("3/4 missed", {"All": "FFFFAA"}, {"threshold": F(3, 4)}, "rejected", F(2, 3)),
    ("overall quorum fails", {"All": "FF...."}, {"quorum": F(1, 2)}, "no_quorum", F(1)),
    ("abstentions make quorum", {"All": "FNN..."}, {"quorum": F(1, 2)}, "adopted", F(1)),
    (
        "chamber quorum fails",
        {"Producers": "FFFF", "Traders": "F..."},
        {"chamber_quorum": F(1, 2)},
        "no_quorum",
        F(1),
    ),
    ("by seat, big chamber rules", SWING, {"threshold": F(2, 3)}, "rejected", F(7, 12)),
    (
        "equal chambers, small one swings",
        SWING,
        {"threshold": F(2, 3), "chamber_weighting": "equal"},
        "adopted",
        F(3, 4),
    ),
    (
        "chamber without sub-chambers",
        FSC_ENV,
        {"threshold": F(2, 3), "chamber_weighting": "equal"},
        "adopted",
        F(4, 5),
    ),
    (
        "North/South count equally",
        FSC_ENV,
        {"threshold": F(2, 3), "chamber_weighting": "equal_subchambers"},
        "rejected",
        F(1, 2),
    ),
    (
        "IRMA block, 2 against",
        IRMA,
        {"threshold": F(2, 3), "block_threshold": 2},
        "rejected",
        F(7, 8),
    ),
    (
        "IRMA, 1 against does not block",
        {**IRMA, "Communities": "FFFA"},
        {"threshold": F(2, 3), "block_threshold": 2},
        "adopted",
        F(15, 16),
    ),
    ("ISO both pass", {"All": "FFFFFFFFAANNNNN"}, {"method": "iso"}, "adopted", F(4, 5)),
    ("ISO on both bounds", {"All": "FFFA"}, {"method": "iso"}, "adopted", F(3, 4)),
    ("ISO fails on against > 1/4", {"All": "FFFFFFFAAA"}, {"method": "iso"}, "rejected", F(7, 10)),
    ("ISO 2/3 but against 1/3", {"All": "FFA"}, {"method": "iso"}, "rejected", F(2, 3)),
    ("ISO fails on both", {"All": "FFFFFFAAAA"}, {"method": "iso"}, "rejected", F(3, 5)),
    ("consensus, none object", {"All": "CCCN"}, {"method": "consensus"}, "adopted", F(1)),
    ("consensus, one objects", {"All": "CCCO"}, {"method": "consensus"}, "rejected", F(3, 4)),
    ("consensus, all stand aside", {"All": "NN"}, {"method": "consensus"}, "rejected", None),
    ("plurality winner", {"All": "xxyz"}, {"method": "plurality"}, "adopted", F(1, 2)),
    ("plurality tie", {"All": "xxyyzN"}, {"method": "plurality"}, "tied", None),
    ("plurality, only abstentions", {"All": "NN"}, {"method": "plurality"}, "rejected", None),
    ("empty roll", {}, {}, "no_votes", None),
    ("nobody voted", {"All": "...."}, {"quorum": F(1, 2)}, "no_votes", None),
    ("only abstentions", {"All": "NN."}, {}, "rejected", None),
    (
        "silent chamber left out",
        {"Producers": "FFA", "Traders": "..."},
        {"chamber_weighting": "equal"},
        "adopted",
        F(2, 3),
    ),
    (
        "silent chamber counts 0 on eligible base",
        {"Producers": "FFA", "Traders": "..."},
        {"chamber_weighting": "equal", "base": "eligible"},
        "rejected",
        F(1, 3),
    ),
]


@pytest.mark.parametrize(
    ("layout", "rule", "outcome", "support"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_worked_case(layout, rule, outcome, support):
    result = run(layout, **rule)
    assert (result.outcome, result.support) == (outcome, support)
    assert result.adopted == (outcome == "adopted")
    json.dumps(result.as_dict())


def test_chamber_rows_and_totals():
    result = run(IRMA, threshold=F(2, 3), block_threshold=2, chamber_quorum=F(1, 2))
    communities = result.chambers[2]
    assert [row.chamber for row in result.chambers] == list(IRMA)  # roll order
    assert (communities.eligible, communities.cast, communities.support) == (4, 4, F(1, 2))
    assert communities.counts == {FOR: 2, AGAINST: 2, ABSTAIN: 0}
    assert communities.blocked and not result.chambers[0].blocked and result.blocked
    assert result.threshold_met and result.quorum_met and result.outcome == "rejected"
    assert result.totals[FOR].count == 14 and result.totals[FOR].weight == 14
    assert (result.participation.cast, result.participation.eligible) == (16, 16)


def test_weights_are_exact():
    roll = [RollEntry(1, "A", weight=Decimal("0.1")), RollEntry(2, "A", weight=F(1, 5))]
    result = tally(roll, [Vote(1, FOR), Vote(2, AGAINST)], VotingRule())
    assert result.support == F(1, 3) and result.totals[FOR].weight == F(1, 10)


def test_iso_explains_both_conditions():
    with translation.override("en"):
        text = run({"All": "FFFFFFAAAA"}, method="iso").explanation
    assert "In favour 60.0 % of votes cast, abstentions excluded (66.7 % needed)." in text
    assert "Against 40.0 % (at most 25.0 % allowed)." in text


def test_consensus_records_objections_with_reasons():
    result = run({"All": "CCOCO"}, method="consensus")
    assert result.objections == ((3, "harms miners"), (5, "harms miners"))
    assert result.opposition == F(2, 5)


def test_plurality_winner_and_tie():
    assert run({"All": "xxyz"}, method="plurality").winner == "x"
    tied = run({"All": "xxyy"}, method="plurality")
    assert tied.winner is None and tied.totals["x"].count == 2
    with translation.override("en"):
        assert "x, y tie for most support at 50.0 %." in tied.explanation


def test_explanation_four_equal_chambers():
    layout = {"Miners": "FFF", "Traders": "FF", "Refiners": "FFFAAAA", "Civil society": "FFFAAAA"}
    rule = VotingRule(threshold=F(2, 3), chamber_weighting="equal", chamber_quorum=F(1, 2))
    with translation.override("en"):
        result = tally(*build(layout), rule)
    assert result.support == F(5, 7)
    assert result.explanation == (
        "Adopted. Each chamber weighs 25.0 %. Counted over votes cast, abstentions excluded. "
        "Weighted support 71.4 % ≥ 66.7 %. 19 of 19 seats took part. "
        "Quorum met in all 4 chambers."
    )
    assert result.as_dict()["support"] == "5/7" and result.as_dict()["support_percent"] == 71.4


def test_explanation_tie_quorum_and_silent_chamber():
    with translation.override("en"):
        tie = run({"All": "FFAA"}).explanation
        short = run(
            {"P": "FFF.", "T": "...."}, quorum=F(1, 2), chamber_weighting="equal"
        ).explanation
    assert tie.startswith("Tied. Counted over votes cast, abstentions excluded.")
    assert "Support 50.0 % is exactly 50.0 %; a tie does not carry it." in tie
    assert short.startswith("No quorum. Each chamber weighs 100.0 %.")
    assert "Quorum not met: 3 of 8 seats took part (50.0 % needed)." in short
    assert short.endswith("No votes from T.")


def test_votes_off_the_roll_are_ignored_and_reported():
    roll, votes = build({"All": "FA"})
    result = tally(roll, [*votes, Vote(99, AGAINST), Vote(42, "nonsense")], VotingRule())
    assert result.ignored_seat_ids == (42, 99) and result.participation.cast == 2
    with translation.override("en"):
        assert "2 votes from seats not on the roll were ignored." in result.explanation


@pytest.mark.parametrize(
    ("roll", "votes", "rule", "error"),
    [
        ([RollEntry(1, "A")], [Vote(1, FOR), Vote(1, AGAINST)], VotingRule(), ValueError),
        ([RollEntry(1, "A")], [Vote(7, FOR), Vote(7, FOR)], VotingRule(), ValueError),
        ([RollEntry(1, "A"), RollEntry(1, "B")], [], VotingRule(), ValueError),
        ([RollEntry(1, "A")], [Vote(1, "yes")], VotingRule(), ValueError),
        ([RollEntry(1, "A")], [Vote(1, FOR)], VotingRule(method="consensus"), ValueError),
        (
            [RollEntry(1, "A")],
            [Vote(1, OBJECTION, " ")],
            VotingRule(method="consensus"),
            ValueError,
        ),
        ([RollEntry(1, "A")], [Vote(1, "")], VotingRule(method="plurality"), ValueError),
        ([RollEntry(1, "A", weight=0)], [], VotingRule(), ValueError),
        ([RollEntry(1, "A", weight=0.5)], [], VotingRule(), TypeError),
    ],
)
def test_refuses_to_guess(roll, votes, rule, error):
    with pytest.raises(error):
        tally(roll, votes, rule)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "vote"},
        {"base": "all"},
        {"threshold": 0},
        {"quorum": F(3, 2)},
        {"block_threshold": 0},
    ],
)
def test_rule_validation(kwargs):
    with pytest.raises(ValueError):
        VotingRule(**kwargs)


def test_rule_defaults_strictness_from_threshold():
    assert VotingRule().strictly_greater is True
    assert VotingRule(threshold="2/3").strictly_greater is False
    assert VotingRule(threshold=Decimal("0.75")).threshold == F(3, 4)


def test_public_breakdown_withholds_small_cells_and_their_complement():
    result = run({"A": "FFFF", "B": "FA", "C": "FFA", "D": "...."})
    rows = {row.chamber: row for row in public_breakdown(result)}
    assert rows["B"].counts is None and rows["B"].support is None
    assert rows["C"].counts is None  # else B = totals − A − C − D
    assert rows["A"].counts == {FOR: 4, AGAINST: 0, ABSTAIN: 0} and rows["D"].counts is not None
    two_small = run({"A": "FFFF", "B": "FA", "C": "F"})
    assert [r.counts is None for r in public_breakdown(two_small)] == [False, True, True]
    view = withhold_small_cells(result, min_cell=2)
    assert all(row.counts is not None for row in view.chambers)
    json.dumps(withhold_small_cells(result).as_dict())


# --- properties -----------------------------------------------------------------------

CHOICES = {
    "threshold": [FOR, AGAINST, ABSTAIN],
    "iso": [FOR, AGAINST, ABSTAIN],
    "consensus": [CONSENT, OBJECTION, ABSTAIN],
    "plurality": ["x", "y", "z", ABSTAIN],
}
WEIGHTS = st.one_of(st.integers(1, 5), st.sampled_from([Decimal("0.5"), Decimal("1.25"), F(1, 3)]))


def rules(methods):
    return st.builds(
        VotingRule,
        method=st.sampled_from(methods),
        threshold=st.sampled_from([F(1, 2), F(2, 3), F(3, 4)]),
        base=st.sampled_from(["cast", "eligible"]),
        abstentions_count=st.booleans(),
        quorum=st.sampled_from([F(0), F(1, 3), F(1, 2)]),
        chamber_quorum=st.sampled_from([F(0), F(1, 3)]),
        chamber_weighting=st.sampled_from(["none", "equal", "equal_subchambers"]),
        block_threshold=st.sampled_from([None, 1, 2]),
    )


@st.composite
def ballots(draw, methods=("threshold", "iso", "consensus", "plurality")):
    rule = draw(rules(methods))
    seats = draw(
        st.lists(
            st.tuples(st.sampled_from("PTR"), st.sampled_from(["", "N", "S"]), WEIGHTS),
            max_size=12,
        )
    )
    roll = [RollEntry(i + 1, c, s, w) for i, (c, s, w) in enumerate(seats)]
    marks = st.sampled_from([None, *CHOICES[rule.method]])
    choices = draw(st.lists(marks, min_size=len(roll), max_size=len(roll)))
    votes = [Vote(e.seat_id, c, "reason") for e, c in zip(roll, choices, strict=True) if c]
    votes += [Vote(100 + i, FOR) for i in range(draw(st.integers(0, 2)))]
    return roll, votes, rule


@settings(deadline=None)
@given(ballots(), st.randoms())
def test_order_of_votes_never_matters(ballot, rnd: random.Random):
    roll, votes, rule = ballot
    shuffled = list(votes)
    rnd.shuffle(shuffled)
    assert tally(roll, shuffled, rule) == tally(roll, votes, rule)


@settings(deadline=None)
@given(ballots(methods=("threshold", "iso")), st.data())
def test_one_more_for_never_defeats_an_adopted_motion(ballot, data):
    roll, votes, rule = ballot
    voted = {v.seat_id: v.choice for v in votes}
    movable = [e.seat_id for e in roll if voted.get(e.seat_id) in (None, AGAINST)]
    assume(movable)
    seat = data.draw(st.sampled_from(movable))
    more = [v for v in votes if v.seat_id != seat] + [Vote(seat, FOR)]
    before, after = tally(roll, votes, rule), tally(roll, more, rule)
    if before.adopted:
        assert after.adopted
    assert (after.support or 0) >= (before.support or 0)


@settings(deadline=None)
@given(ballots(), st.sampled_from([F(1, 3), 2, Decimal("2.5"), 7]))
def test_scaling_all_weights_changes_nothing_but_weight_totals(ballot, factor):
    roll, votes, rule = ballot
    scaled = [RollEntry(e.seat_id, e.chamber, e.sub_chamber, F(e.weight) * F(factor)) for e in roll]
    before, after = tally(roll, votes, rule), tally(scaled, votes, rule)
    assert {k: t.count for k, t in before.totals.items()} == {
        k: t.count for k, t in after.totals.items()
    }
    assert before.__class__(**{**before.__dict__, "totals": {}}) == after.__class__(
        **{**after.__dict__, "totals": {}}
    )


@settings(deadline=None)
@given(ballots(methods=("iso",)))
def test_iso_against_limit_implies_approval(ballot):
    """Over the same votes, against ≤ 1/4 means for ≥ 3/4: the 2/3 test never fails alone."""
    result = tally(*ballot)
    if result.support is not None:
        assert result.support + result.opposition == 1
        assert result.threshold_met == (result.opposition <= F(1, 4))
