"""From stored ballot rows to the pure tally engine's inputs, and back to a stored result."""

from fractions import Fraction
from types import SimpleNamespace

from django.conf import settings
from django.utils import translation

from . import tally
from .models import Ballot, Participation, RollCallChoice, SecretChoice


def rule_from_snapshot(snapshot: dict) -> tally.VotingRule:
    return tally.VotingRule(
        method=snapshot["method"],
        threshold=Fraction(snapshot["threshold"]),
        base=snapshot["base"],
        abstentions_count=snapshot["abstentions_count"],
        quorum=Fraction(snapshot["quorum_percent"], 100),
        chamber_quorum=Fraction(snapshot["chamber_quorum_percent"], 100),
        chamber_weighting=snapshot["chamber_weighting"],
        block_threshold=snapshot["block_threshold"],
    )


def _roll_key(chamber_id, sub_chamber_id, weight) -> tuple:
    return (chamber_id, sub_chamber_id, weight)


def roll_and_votes(ballot: Ballot) -> tuple[list[tally.RollEntry], list[tally.Vote]]:
    entries = list(ballot.roll.select_related("chamber", "sub_chamber"))
    roll = [
        tally.RollEntry(
            seat_id=e.seat_id,
            chamber=e.chamber.name,
            sub_chamber=e.sub_chamber.name if e.sub_chamber_id else "",
            weight=e.weight,
        )
        for e in entries
    ]
    if not ballot.is_secret:
        votes = [
            tally.Vote(seat_id=c.participation.seat_id, choice=c.option.key, reason=c.reason)
            for c in RollCallChoice.objects.filter(participation__ballot=ballot).select_related(
                "participation", "option"
            )
        ]
        return roll, votes
    by_seat = {e.seat_id: e for e in entries}
    return roll, pair_secret_choices(
        participants=[
            (
                seat_id,
                _roll_key(
                    by_seat[seat_id].chamber_id,
                    by_seat[seat_id].sub_chamber_id,
                    by_seat[seat_id].weight,
                ),
            )
            for seat_id in Participation.objects.filter(ballot=ballot)
            .order_by("seat_id")
            .values_list("seat_id", flat=True)
        ],
        choices=[
            (_roll_key(c.chamber_id, c.sub_chamber_id, c.weight), c.option.key, c.reason)
            for c in SecretChoice.objects.filter(ballot=ballot)
            .select_related("option")
            .order_by("pk")  # random keys: no order of time
        ],
    )


def pair_secret_choices(
    participants: list[tuple[int, tuple]], choices: list[tuple[tuple, str, str]]
) -> list[tally.Vote]:
    """Give each participating seat *a* choice made in its own chamber, sub-chamber and
    weight. The pairing is arbitrary, and the tally cannot tell: it only ever counts
    choices per chamber. Raises if the two sides do not match (a corrupted ballot)."""
    pools: dict[tuple, list[tuple[str, str]]] = {}
    for key, option, reason in choices:
        pools.setdefault(key, []).append((option, reason))
    votes = []
    for seat_id, key in participants:
        pool = pools.get(key)
        if not pool:
            raise ValueError("secret ballot: participation without a matching choice")
        option, reason = pool.pop()
        votes.append(tally.Vote(seat_id=seat_id, choice=option, reason=reason))
    if any(pools.values()):
        raise ValueError("secret ballot: choice without a matching participation")
    return votes


def public_chamber_rows(chambers: list[dict], min_cell: int) -> list[dict]:
    """A secret ballot's stored chamber rows as they may be published: the counts and
    support of the chambers `tally.public_breakdown` withholds are None. The rule is
    applied to the stored rows (nothing is recounted); it reads only each row's chamber
    and number of votes, so rows already withheld come out the same."""
    shown = tally.public_breakdown(
        SimpleNamespace(
            chambers=tuple(
                tally.ChamberResult(
                    chamber=row["chamber"],
                    eligible=row["eligible"],
                    cast=row["cast"],
                    counts=row["counts"],
                    support=row.get("support"),
                    quorum_met=row.get("quorum_met", True),
                    blocked=row.get("blocked", False),
                )
                for row in chambers
            )
        ),
        min_cell,
    )
    return [
        {**row, "counts": None, "support": None, "support_percent": None}
        if public.counts is None
        else row
        for row, public in zip(chambers, shown, strict=True)
    ]


def public_result(ballot: Ballot) -> dict | None:
    """The stored result as it may be published. For a secret ballot the counts and
    support of chambers below the rule's `min_cell` are withheld (public_chamber_rows);
    the stored `Ballot.result` keeps them, so the bulletin can be recounted against it."""
    if not ballot.result or not ballot.is_secret:
        return ballot.result
    return {
        **ballot.result,
        "chambers": public_chamber_rows(
            ballot.result["chambers"], ballot.rule_snapshot.get("min_cell", 3)
        ),
    }


def count(ballot: Ballot) -> tuple[tally.TallyResult, dict[str, str]]:
    """Run the tally; return the result and its explanation in every site language."""
    roll, votes = roll_and_votes(ballot)
    rule = rule_from_snapshot(ballot.rule_snapshot)
    explanations = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            explanations[code] = tally.tally(roll, votes, rule).explanation
    return tally.tally(roll, votes, rule), explanations
