"""A closed ballot's public bulletin, and the tally recomputed from it.

After close every voter can find their receipt code on the bulletin and check that
their vote was counted; anyone can recount the bulletin (`manage.py verify_ballot`)
and compare it with the stored result.

- Roll-call ballots (open votes): one row per seat that voted, in roll order: the
  seat, the holder it had when the ballot opened, the choice, the reason, the receipt
  code; and, for pages and downloads, the seat's chamber and weight on the roll, in
  which capacity (holder, alternate, proxy, facilitator) and through which channel
  (web, personal link, printed link, assisted) the vote was cast.
- Secret ballots publish two lists that nothing joins (docs/voting.md, "Threat
  model"): the receipt codes, sorted (`receipts`: proof that each voter's vote is
  among those counted), and the choices, sorted by content (`rows`): the choice and
  the chamber it was made in, no seat, no person, no time, no receipt. A receipt
  pointing to its choice would let a voter prove how they voted to whoever pressures
  them. The chamber (with sub-chamber and weight) is there because chamber-weighted
  rules cannot be recounted without it; `public_rows` blanks it for chambers whose
  counts the published result withholds (`ballot_counting.public_chamber_rows`), so a
  chamber with one or two voters is not revealed by the bulletin.

A fixed number of queries (one to three) whatever the size of the ballot.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import tally
from .ballot_counting import public_chamber_rows, rule_from_snapshot
from .models import Ballot, BallotStatus, Participation, RollCallChoice, RollEntry, SecretChoice


class BulletinNotReady(ValueError):
    """The ballot is not closed: its choices stay hidden until then."""


@dataclass(frozen=True)
class RollCallRow:
    seat_label: str
    holder: str  # the holder's public name on the roll snapshot ("" for a vacant seat)
    option_key: str
    option_label: str
    receipt_code: str
    reason: str = ""
    # Context, not the vote: the seat's roll entry and participation fix them, so they
    # take no part in comparing rows.
    chamber: str = field(default="", compare=False)
    weight: Decimal | None = field(default=None, compare=False)
    cast_as: str = field(default="", compare=False)  # a CastAs value
    channel: str = field(default="", compare=False)  # a CastChannel value


@dataclass(frozen=True)
class SecretRow:
    """One choice of a secret ballot: no receipt, no seat."""

    option_key: str
    option_label: str
    chamber: str  # "" when withheld (public_rows)
    sub_chamber: str = ""
    weight: Decimal | None = None


Row = RollCallRow | SecretRow
VISIBLE = (BallotStatus.CLOSED, BallotStatus.CERTIFIED)


def rows(ballot: Ballot) -> list[Row]:
    """Every counted choice of a closed or certified ballot (raises BulletinNotReady)."""
    if ballot.status not in VISIBLE:
        raise BulletinNotReady(f"Ballot {ballot.pk} is {ballot.status}; its bulletin is hidden.")
    if ballot.is_secret:
        found = [
            SecretRow(
                option_key=c.option.key,
                option_label=c.option.label,
                chamber=c.chamber.name,
                sub_chamber=c.sub_chamber.name if c.sub_chamber_id else "",
                weight=c.weight,
            )
            for c in SecretChoice.objects.filter(ballot=ballot).select_related(
                "option", "chamber", "sub_chamber"
            )
        ]
        return sorted(found, key=_secret_order)
    position = {
        entry.seat_id: (i, entry)
        for i, entry in enumerate(
            RollEntry.objects.filter(ballot=ballot).select_related("seat", "chamber", "holder")
        )
    }
    choices = RollCallChoice.objects.filter(participation__ballot=ballot).select_related(
        "participation", "option"
    )
    ordered = sorted(choices, key=lambda c: position[c.participation.seat_id][0])
    return [
        RollCallRow(
            seat_label=entry.seat.label,
            holder=entry.holder.public_name if entry.holder_id else "",
            option_key=c.option.key,
            option_label=c.option.label,
            receipt_code=c.participation.receipt_code,
            reason=c.reason,
            chamber=entry.chamber.name,
            weight=entry.weight,
            cast_as=c.participation.cast_as,
            channel=c.participation.channel,
        )
        for c in ordered
        for entry in [position[c.participation.seat_id][1]]
    ]


def _secret_order(row: SecretRow) -> tuple:
    # By what was chosen and where: the order of the list says nothing else.
    return (row.option_key, row.chamber, row.sub_chamber, row.weight or 0)


def receipts(ballot: Ballot) -> list[str]:
    """Every receipt code of a closed ballot, sorted (raises BulletinNotReady). For a
    secret ballot this list is published apart from the choices: a receipt proves a
    vote was counted, not what it was."""
    if ballot.status not in VISIBLE:
        raise BulletinNotReady(f"Ballot {ballot.pk} is {ballot.status}; its bulletin is hidden.")
    return sorted(
        Participation.objects.filter(ballot=ballot).values_list("receipt_code", flat=True)
    )


def channel_counts(ballot: Ballot) -> dict[str, int]:
    """How many votes were cast through each channel (web, personal link, printed link,
    assisted): the participation list's summary, for every kind of ballot."""
    if ballot.status not in VISIBLE:
        raise BulletinNotReady(f"Ballot {ballot.pk} is {ballot.status}; its bulletin is hidden.")
    counts: dict[str, int] = {}
    for channel in Participation.objects.filter(ballot=ballot).values_list("channel", flat=True):
        counts[channel] = counts.get(channel, 0) + 1
    return counts


def public_rows(ballot: Ballot) -> list[Row]:
    """The rows to publish: for a secret ballot, the chamber is blanked wherever the
    stored result's chamber row is withheld (fewer than the rule's `min_cell` votes),
    and everywhere if there is no stored result to say otherwise."""
    found = rows(ballot)
    if not ballot.is_secret:
        return found
    shown = public_chamber_rows(
        (ballot.result or {}).get("chambers") or [], ballot.rule_snapshot.get("min_cell", 3)
    )
    named = {row["chamber"] for row in shown if row["counts"] is not None}
    blanked = [
        r if r.chamber in named else replace(r, chamber="", sub_chamber="", weight=None)
        for r in found
    ]
    return sorted(blanked, key=_secret_order)


def _roll(ballot: Ballot) -> list[tuple[RollEntry, tally.RollEntry]]:
    return [
        (
            e,
            tally.RollEntry(
                seat_id=e.seat_id,
                chamber=e.chamber.name,
                sub_chamber=e.sub_chamber.name if e.sub_chamber_id else "",
                weight=e.weight,
            ),
        )
        for e in RollEntry.objects.filter(ballot=ballot).select_related(
            "seat", "chamber", "sub_chamber"
        )
    ]


def recount(ballot: Ballot, found: list[Row] | None = None) -> tally.TallyResult:
    """The tally recomputed from the bulletin, the roll snapshot and the rule snapshot.

    Roll-call rows name their seat. A secret row only names its chamber, sub-chamber
    and weight, so it is counted for *some* roll seat of that cell: the tally only
    ever counts choices per cell, so which seat does not matter. Raises ValueError
    when the bulletin does not fit the roll (a row for an unknown seat, more choices
    in a cell than it has seats)."""
    found = rows(ballot) if found is None else found
    roll = _roll(ballot)
    votes = []
    if ballot.is_secret:
        pools: dict[tuple, list[int]] = {}
        for _entry, seat in roll:
            pools.setdefault((seat.chamber, seat.sub_chamber, seat.weight), []).append(seat.seat_id)
        for row in found:
            pool = pools.get((row.chamber, row.sub_chamber, row.weight))
            if not pool:
                raise ValueError(
                    f"choice {row.option_key}: more choices in {row.chamber} than seats"
                )
            votes.append(tally.Vote(seat_id=pool.pop(), choice=row.option_key))
    else:
        by_label = {entry.seat.label: seat.seat_id for entry, seat in roll}
        for row in found:
            if row.seat_label not in by_label:
                raise ValueError(f"receipt {row.receipt_code}: seat {row.seat_label!r} not on roll")
            votes.append(
                tally.Vote(
                    seat_id=by_label[row.seat_label], choice=row.option_key, reason=row.reason
                )
            )
    rule = rule_from_snapshot(ballot.rule_snapshot)
    return tally.tally([seat for _entry, seat in roll], votes, rule)


COMPARED = ("outcome", "participation", "totals", "quorum_met", "threshold_met", "support")
CHAMBER_FIELDS = ("eligible", "cast", "counts", "quorum_met", "blocked", "support")


def differences(stored: dict | None, recomputed: tally.TallyResult) -> list[str]:
    """Where the stored result and the recount disagree, one line each (empty: none)."""
    if not stored:
        return ["no stored result"]
    fresh = recomputed.as_dict()
    lines = [
        f"{key}: stored {stored.get(key)!r}, recomputed {fresh[key]!r}"
        for key in COMPARED
        if stored.get(key) != fresh[key]
    ]
    stored_rows = {row["chamber"]: row for row in stored.get("chambers", [])}
    fresh_rows = {row["chamber"]: row for row in fresh["chambers"]}
    for name in sorted(stored_rows.keys() | fresh_rows.keys()):
        old, new = stored_rows.get(name), fresh_rows.get(name)
        if old is None or new is None:
            lines.append(f"chamber {name}: only in the {'recount' if old is None else 'stored'}")
            continue
        lines += [
            f"chamber {name} {key}: stored {old.get(key)!r}, recomputed {new[key]!r}"
            for key in CHAMBER_FIELDS
            if old.get(key) != new[key]
        ]
    return lines
