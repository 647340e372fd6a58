"""The tally engine: (roll, votes, rule) → TallyResult. Pure: no ORM, no settings, no clock.

The caller snapshots a ballot's roll and votes into the plain dataclasses below,
calls ``tally`` and stores ``result.as_dict()``. Arithmetic is exact (``Fraction``);
floats appear only as display percentages in ``as_dict``.

Defined edge cases (each has a worked case in tests/governance/test_tally.py):

- No seat on the roll voted (an empty roll included) → "no_votes".
- Quorum (overall or any chamber) not met → "no_quorum", whatever the count says.
- Support exactly on a threshold that must be *exceeded* (simple majority: 1/2) → "tied";
  a tie does not carry the motion.
- Plurality with two or more choices sharing the top share → "tied", no winner.
- Nothing in the denominator (say only abstentions, abstentions not counted) → support
  is None and the motion is "rejected": nothing supports it.
- Chamber weighting: a chamber (or sub-chamber) whose denominator is empty has no
  share and is left out of the average, so silence does not count against a motion
  under base "cast"; the explanation names it and ``chamber_quorum`` is the guard.
  Under base "eligible" the denominator is the chamber's eligible weight, so a silent
  chamber has share 0 and does weigh in: that is what an eligible base means.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
CONSENT, OBJECTION = "consent", "objection"
METHODS = ("threshold", "iso", "consensus", "plurality")
BASES = ("cast", "eligible")
WEIGHTINGS = ("none", "equal", "equal_subchambers")
OUTCOME_LABELS = {
    "adopted": gettext_lazy("Adopted"),
    "rejected": gettext_lazy("Rejected"),
    "no_quorum": gettext_lazy("No quorum"),
    "tied": gettext_lazy("Tied"),
    "no_votes": gettext_lazy("No votes"),
}
OUTCOMES = tuple(OUTCOME_LABELS)


def outcome_label(outcome: str) -> str:
    """An outcome in the reader's language (an unknown one as stored)."""
    return str(OUTCOME_LABELS.get(outcome, outcome))


ISO_APPROVAL, ISO_DISAPPROVAL = Fraction(2, 3), Fraction(1, 4)
_CHOICES = {"threshold": (FOR, AGAINST, ABSTAIN), "iso": (FOR, AGAINST, ABSTAIN)}
_CHOICES["consensus"] = (CONSENT, OBJECTION, ABSTAIN)  # abstain = stand aside

Weight = int | Decimal | Fraction


def _fraction(value: Weight | str, name: str) -> Fraction:
    """Exact conversion; floats are refused because 0.1 is not one tenth."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction | str):
        raise TypeError(f"{name} must be an int, Decimal, Fraction or str, not {value!r}.")
    return Fraction(value)


@dataclass(frozen=True)
class RollEntry:
    """A seat on a ballot's roll, snapshotted when the ballot opened. ``weight`` > 0."""

    seat_id: int
    chamber: str
    sub_chamber: str = ""
    weight: Weight = 1


@dataclass(frozen=True)
class Vote:
    """One seat's vote. An "objection" (consensus) must carry its reason."""

    seat_id: int
    choice: str
    reason: str = ""


@dataclass(frozen=True)
class VotingRule:
    """A voting rule as data; the fractions are normalised to ``Fraction`` on creation.

    ``strictly_greater`` defaults to True for a threshold of exactly 1/2 (a simple majority
    means *more than* half) and to False otherwise (2/3, 3/4 mean *at least*).
    ``quorum`` / ``chamber_quorum`` are shares of eligible *seats* (not weight) that must
    take part, abstentions included; 0 means none. ``block_threshold`` is a seat count of
    "against" votes in any one chamber that defeats a threshold or ISO motion.
    The ISO method ignores ``threshold``, ``base`` and ``abstentions_count``; plurality
    ignores ``threshold``; consensus and plurality ignore ``block_threshold``.
    """

    method: str = "threshold"
    threshold: Fraction = Fraction(1, 2)
    strictly_greater: bool | None = None
    base: str = "cast"
    abstentions_count: bool = False
    quorum: Fraction = Fraction(0)
    chamber_quorum: Fraction = Fraction(0)
    chamber_weighting: str = "none"
    block_threshold: int | None = None

    def __post_init__(self) -> None:
        for name in ("threshold", "quorum", "chamber_quorum"):
            value = _fraction(getattr(self, name), name)
            if not 0 <= value <= 1 or (name == "threshold" and value == 0):
                raise ValueError(f"{name} {value} is out of range.")
            object.__setattr__(self, name, value)
        if self.strictly_greater is None:
            object.__setattr__(self, "strictly_greater", self.threshold == Fraction(1, 2))
        for name, allowed in (
            ("method", METHODS),
            ("base", BASES),
            ("chamber_weighting", WEIGHTINGS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {getattr(self, name)!r}.")
        if self.block_threshold is not None and self.block_threshold < 1:
            raise ValueError("block_threshold must be at least 1 (or None).")


@dataclass(frozen=True)
class ChoiceTotal:
    count: int
    weight: Fraction


@dataclass(frozen=True)
class Participation:
    """Seats on the roll that voted (abstentions included) and seats on the roll."""

    cast: int
    eligible: int


@dataclass(frozen=True)
class ChamberResult:
    """One chamber's row. ``counts`` and ``support`` are None only when withheld."""

    chamber: str
    eligible: int
    cast: int
    counts: Mapping[str, int] | None
    support: Fraction | None
    quorum_met: bool
    blocked: bool


@dataclass(frozen=True)
class TallyResult:
    """The outcome and everything needed to explain it; treat the mappings as read-only.

    ``support`` is the (weighted) share of the favoured choice: "for", "consent", or the
    plurality winner; ``opposition`` the share of "against" / "objection".
    ``threshold_met`` judges the count alone; quorum and chamber blocks are separate.
    """

    outcome: str
    rule: VotingRule
    totals: Mapping[str, ChoiceTotal]
    participation: Participation
    chambers: tuple[ChamberResult, ...]
    quorum_met: bool
    threshold_met: bool
    support: Fraction | None
    opposition: Fraction | None = None
    winner: str | None = None
    objections: tuple[tuple[int, str], ...] = ()
    ignored_seat_ids: tuple[int, ...] = ()
    explanation: str = ""

    @property
    def adopted(self) -> bool:
        return self.outcome == "adopted"

    @property
    def blocked(self) -> bool:
        return any(row.blocked for row in self.chambers)

    def as_dict(self) -> dict:
        """A JSON-serialisable snapshot: Fractions as "5/7" plus float percentages."""
        data = _plain(self)
        for row, shown in zip(self.chambers, data["chambers"], strict=True):
            shown["support_percent"] = _percent(row.support)
        data["support_percent"] = _percent(self.support)
        data["opposition_percent"] = _percent(self.opposition)
        return data


def _plain(value):
    if isinstance(value, Fraction):
        return str(value)
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _percent(share: Fraction | None) -> float | None:
    return None if share is None else round(float(share * 100), 1)


# --- counting -------------------------------------------------------------------------


@dataclass
class _Cell:
    """Seats of one (chamber, sub-chamber): eligible count/weight, votes per choice."""

    eligible: int = 0
    eligible_weight: Fraction = Fraction(0)
    counts: Counter = field(default_factory=Counter)
    weights: defaultdict = field(default_factory=lambda: defaultdict(Fraction))

    def share(self, numerator: str, denominator: tuple[str, ...] | None) -> Fraction | None:
        """numerator's weight over the denominator choices (None: eligible weight)."""
        if denominator is None:
            den = self.eligible_weight
        else:
            den = sum((self.weights[c] for c in denominator), Fraction(0))
        return None if den == 0 else self.weights[numerator] / den


def _merge(cells: Iterable[_Cell]) -> _Cell:
    total = _Cell()
    for cell in cells:
        total.eligible += cell.eligible
        total.eligible_weight += cell.eligible_weight
        total.counts.update(cell.counts)
        for choice, weight in cell.weights.items():
            total.weights[choice] += weight
    return total


def _mean(shares: Iterable[Fraction | None]) -> Fraction | None:
    """Mean of the shares that exist; None when none does."""
    present = [s for s in shares if s is not None]
    return sum(present, Fraction(0)) / len(present) if present else None


Chambers = dict[str, dict[str, _Cell]]


def _chamber_share(subs: dict[str, _Cell], weighting: str, num: str, den) -> Fraction | None:
    if weighting == "equal_subchambers":
        return _mean(cell.share(num, den) for cell in subs.values())
    return _merge(subs.values()).share(num, den)


def _overall_share(chambers: Chambers, weighting: str, num: str, den) -> Fraction | None:
    """The rule's weighted share: per seat weight ("none") or a mean of chamber shares."""
    if weighting == "none":
        return _merge(c for subs in chambers.values() for c in subs.values()).share(num, den)
    return _mean(_chamber_share(subs, weighting, num, den) for subs in chambers.values())


def _index_roll(roll: Sequence[RollEntry]) -> dict[int, RollEntry]:
    seats: dict[int, RollEntry] = {}
    for entry in roll:
        if entry.seat_id in seats:
            raise ValueError(f"Seat {entry.seat_id} is on the roll twice.")
        weight = _fraction(entry.weight, "weight")
        if weight <= 0:
            raise ValueError(f"Seat {entry.seat_id} has weight {weight}; weights must be > 0.")
        seats[entry.seat_id] = replace(entry, weight=weight)
    return seats


def _split_votes(seats, votes: Sequence[Vote], rule: VotingRule):
    """(counted votes by seat, sorted ignored seat ids). Refuses duplicates and bad choices."""
    seen: set[int] = set()
    counted, ignored = [], []
    allowed = _CHOICES.get(rule.method)
    for vote in votes:
        if vote.seat_id in seen:
            raise ValueError(f"Seat {vote.seat_id} voted twice; the engine will not guess.")
        seen.add(vote.seat_id)
        if vote.seat_id not in seats:
            ignored.append(vote.seat_id)
        elif not vote.choice or (allowed and vote.choice not in allowed):
            raise ValueError(f"Choice {vote.choice!r} is not valid for a {rule.method} ballot.")
        elif vote.choice == OBJECTION and not vote.reason.strip():
            raise ValueError(f"The objection of seat {vote.seat_id} carries no reason.")
        else:
            counted.append(vote)
    return sorted(counted, key=lambda v: v.seat_id), tuple(sorted(ignored))


def _cells(seats: dict[int, RollEntry], votes: list[Vote]) -> Chambers:
    """Chambers in roll order, each split into sub-chambers ("" when there are none)."""
    chambers: Chambers = {}
    for entry in seats.values():
        cell = chambers.setdefault(entry.chamber, {}).setdefault(entry.sub_chamber, _Cell())
        cell.eligible += 1
        cell.eligible_weight += entry.weight
    for vote in votes:
        entry = seats[vote.seat_id]
        cell = chambers[entry.chamber][entry.sub_chamber]
        cell.counts[vote.choice] += 1
        cell.weights[vote.choice] += entry.weight
    return chambers


def _reaches(cast: int, eligible: int, quorum: Fraction) -> bool:
    return quorum == 0 or (eligible > 0 and Fraction(cast, eligible) >= quorum)


def tally(roll: Sequence[RollEntry], votes: Sequence[Vote], rule: VotingRule) -> TallyResult:
    """Count ``votes`` against ``roll`` under ``rule``. The order of votes never matters.

    Raises ValueError for a seat twice on the roll or voting twice, a choice the method
    does not know, or an objection without a reason. Votes from seats not on the roll
    are left out and listed in ``ignored_seat_ids``.
    """
    seats = _index_roll(roll)
    counted, ignored = _split_votes(seats, votes, rule)
    chambers = _cells(seats, counted)
    everything = _merge(c for subs in chambers.values() for c in subs.values())
    keys = _CHOICES.get(rule.method) or tuple(sorted(everything.counts))
    decisive = tuple(k for k in keys if k != ABSTAIN)
    den = _denominator(rule, decisive)

    def share(choice: str | None) -> Fraction | None:
        return _overall_share(chambers, rule.chamber_weighting, choice, den) if choice else None

    if rule.method == "plurality":
        leaders, top = _leaders({c: share(c) for c in decisive})
        winner = leaders[0] if len(leaders) == 1 else None
        favoured, support, opposition = winner, share(winner), None
    else:
        leaders, top, winner = [], None, None
        favoured, support, opposition = decisive[0], share(decisive[0]), share(decisive[1])
    rows = tuple(_chamber_row(n, subs, rule, keys, favoured, den) for n, subs in chambers.items())
    cast = sum(everything.counts.values())
    quorum_met = _reaches(cast, everything.eligible, rule.quorum)
    quorum_met = quorum_met and all(r.quorum_met for r in rows)
    met, tie = _judge(rule, support, opposition, everything.counts, len(leaders))
    if cast == 0:
        outcome = "no_votes"
    elif not quorum_met:
        outcome = "no_quorum"
    elif any(r.blocked for r in rows):
        outcome = "rejected"
    else:
        outcome = "adopted" if met else "tied" if tie else "rejected"
    result = TallyResult(
        outcome=outcome,
        rule=rule,
        totals={k: ChoiceTotal(everything.counts[k], everything.weights[k]) for k in keys},
        participation=Participation(cast=cast, eligible=everything.eligible),
        chambers=rows,
        quorum_met=quorum_met,
        threshold_met=met,
        support=support,
        opposition=opposition,
        winner=winner,
        objections=tuple((v.seat_id, v.reason) for v in counted if v.choice == OBJECTION),
        ignored_seat_ids=ignored,
    )
    return replace(result, explanation=_explain(result, leaders, top))


def _leaders(shares: dict[str, Fraction | None]) -> tuple[list[str], Fraction | None]:
    """Choices sharing the top share, and that share; none when nobody has support."""
    top = max((s for s in shares.values() if s), default=None)
    return [c for c, s in shares.items() if top and s == top], top


def _denominator(rule: VotingRule, decisive: tuple[str, ...]) -> tuple[str, ...] | None:
    """Choices in the denominator; None means the eligible weight (base "eligible")."""
    if rule.method == "iso":
        return (FOR, AGAINST)
    if rule.base == "eligible":
        return None
    return decisive + ((ABSTAIN,) if rule.abstentions_count else ())


def _chamber_row(name, subs, rule: VotingRule, keys, favoured, den) -> ChamberResult:
    cell = _merge(subs.values())
    blocks = rule.block_threshold is not None and rule.method in ("threshold", "iso")
    cast = sum(cell.counts.values())
    return ChamberResult(
        chamber=name,
        eligible=cell.eligible,
        cast=cast,
        counts={k: cell.counts[k] for k in keys},
        support=_chamber_share(subs, rule.chamber_weighting, favoured, den) if favoured else None,
        quorum_met=_reaches(cast, cell.eligible, rule.chamber_quorum),
        blocked=blocks and cell.counts[AGAINST] >= rule.block_threshold,
    )


def _judge(rule: VotingRule, support, opposition, counts, leaders: int) -> tuple[bool, bool]:
    """(threshold met, tie) from the count alone.

    ISO: with both conditions over the same votes, against ≤ 1/4 implies for ≥ 3/4, so
    the 2/3 condition can fail only together with the 1/4 one; both are still checked
    and explained, so counting them over different seat sets stays a local change.
    """
    if rule.method == "plurality":
        return leaders == 1, leaders > 1
    if rule.method == "consensus":
        return counts[OBJECTION] == 0 and counts[CONSENT] > 0, False
    if support is None:
        return False, False
    if rule.method == "iso":
        return support >= ISO_APPROVAL and opposition <= ISO_DISAPPROVAL, False
    if rule.strictly_greater:
        return support > rule.threshold, support == rule.threshold
    return support >= rule.threshold, False


# --- explanation ----------------------------------------------------------------------


def pct(share: Fraction) -> str:
    """A share as a percentage with one decimal, rounded half up: 5/7 → "71.4 %"."""
    value = Decimal(share.numerator * 100) / Decimal(share.denominator)
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


def _names(rows: Iterable[ChamberResult]) -> str:
    return ", ".join(row.chamber for row in rows)


def _explain(result: TallyResult, leaders: list[str], top: Fraction | None) -> str:
    """Plain-language sentences, each a translatable message with named placeholders."""
    rule, rows, counted = result.rule, result.chambers, result.outcome != "no_votes"
    parts = [
        {
            "adopted": _("Adopted."),
            "rejected": _("Rejected."),
            "no_quorum": _("No quorum."),
            "tied": _("Tied."),
            "no_votes": _("No votes were cast."),
        }[result.outcome]
    ]
    if counted:
        parts += _weighting_sentences(result) + _count_sentences(result, leaders, top)
    parts += _quorum_sentences(result)
    if blocked := [r for r in rows if r.blocked]:
        msg = _("Blocked by %(count)s or more votes against in: %(chambers)s.")
        parts.append(msg % {"count": rule.block_threshold, "chambers": _names(blocked)})
    weighs = rule.chamber_weighting != "none" and (rule.method != "plurality" or result.winner)
    if counted and weighs and (unweighed := [r for r in rows if r.support is None and r.cast]):
        msg = _("Nothing to weigh in %(chambers)s; left out of the average.")
        parts.append(msg % {"chambers": _names(unweighed)})
    if counted and (silent := [r for r in rows if r.cast == 0]):
        parts.append(_("No votes from %(chambers)s.") % {"chambers": _names(silent)})
    if n := len(result.ignored_seat_ids):
        msg = ngettext(
            "%(count)s vote from a seat not on the roll was ignored.",
            "%(count)s votes from seats not on the roll were ignored.",
            n,
        )
        parts.append(msg % {"count": n})
    return " ".join(parts)


def _weighting_sentences(result: TallyResult) -> list[str]:
    weighed = sum(1 for r in result.chambers if r.support is not None)
    if result.rule.chamber_weighting == "none" or not weighed:
        return []
    if result.rule.chamber_weighting == "equal":
        msg = _("Each chamber weighs %(share)s.")
    else:
        msg = _("Each chamber weighs %(share)s, shared equally by its sub-chambers.")
    return [msg % {"share": pct(Fraction(1, weighed))}]


def _count_sentences(result: TallyResult, leaders: list[str], top: Fraction | None) -> list[str]:
    rule, support = result.rule, result.support
    if rule.method == "consensus":
        if n := len(result.objections):
            msg = ngettext("%(count)s sustained objection.", "%(count)s sustained objections.", n)
            return [msg % {"count": n}]
        if not result.threshold_met:
            return [_("No objection, but no seat consented either.")]
        return [_("No sustained objection was recorded.")]
    if rule.method == "plurality":
        if not leaders:
            return [_("No choice received support.")]
        values = {"choices": ", ".join(leaders), "support": pct(top)}
        if len(leaders) > 1:
            return [_("%(choices)s tie for most support at %(support)s.") % values]
        return [_("“%(choices)s” has the most support: %(support)s.") % values]
    if support is None:
        return [_("No votes for or against were cast.")]
    if rule.method == "iso":
        values = {"support": pct(support), "approval": pct(ISO_APPROVAL)}
        values |= {"against": pct(result.opposition), "limit": pct(ISO_DISAPPROVAL)}
        approval = _(
            "In favour %(support)s of votes cast, abstentions excluded (%(approval)s needed)."
        )
        return [approval % values, _("Against %(against)s (at most %(limit)s allowed).") % values]
    if rule.base == "eligible":
        base = _("Counted over all eligible seats.")
    elif rule.abstentions_count:
        base = _("Counted over votes cast, abstentions included.")
    else:
        base = _("Counted over votes cast, abstentions excluded.")
    return [base, _threshold_sentence(result)]


def _threshold_sentence(result: TallyResult) -> str:
    rule = result.rule
    values = {
        "label": _("Support") if rule.chamber_weighting == "none" else _("Weighted support"),
        "support": pct(result.support),
        "threshold": pct(rule.threshold),
    }
    if rule.strictly_greater and result.support == rule.threshold:
        msg = _("%(label)s %(support)s is exactly %(threshold)s; a tie does not carry it.")
    elif result.threshold_met:
        msg = _("%(label)s %(support)s > %(threshold)s.") if rule.strictly_greater else None
        msg = msg or _("%(label)s %(support)s ≥ %(threshold)s.")
    else:
        msg = _("%(label)s %(support)s < %(threshold)s.")
    return msg % values


def _quorum_sentences(result: TallyResult) -> list[str]:
    rule, cast, eligible = result.rule, result.participation.cast, result.participation.eligible
    values = {"cast": cast, "eligible": eligible, "quorum": pct(rule.quorum)}
    if rule.quorum == 0 or eligible == 0:
        msg = _("%(cast)s of %(eligible)s seats took part.")
    elif _reaches(cast, eligible, rule.quorum):
        msg = _("Quorum met: %(cast)s of %(eligible)s seats took part (%(quorum)s needed).")
    else:
        msg = _("Quorum not met: %(cast)s of %(eligible)s seats took part (%(quorum)s needed).")
    parts = [msg % values]
    if rule.chamber_quorum and result.chambers:
        if short := [r for r in result.chambers if not r.quorum_met]:
            msg = _("Chamber quorum of %(quorum)s not met in: %(chambers)s.")
            parts.append(msg % {"chambers": _names(short), "quorum": pct(rule.chamber_quorum)})
        else:
            n = len(result.chambers)
            msg = ngettext(
                "Quorum met in the one chamber.", "Quorum met in all %(count)s chambers.", n
            )
            parts.append(msg % {"count": n})
    return parts


# --- secret ballots -------------------------------------------------------------------


def public_breakdown(result: TallyResult, min_cell: int = 3) -> tuple[ChamberResult, ...]:
    """Chamber rows safe to publish for a secret ballot.

    A chamber with 1 … min_cell-1 votes has its counts and support withheld (None).
    If exactly one chamber is withheld, its counts would follow from the totals minus
    the other rows, so the smallest other chamber with votes is withheld as well.
    A chamber with no votes reveals nothing and is shown. Consensus objections name
    seats by design: consensus ballots are never secret.
    """
    withheld = {r.chamber for r in result.chambers if 0 < r.cast < min_cell}
    if len(withheld) == 1:
        others = [r for r in result.chambers if r.cast and r.chamber not in withheld]
        if others:
            withheld.add(min(others, key=lambda r: r.cast).chamber)
    return tuple(
        replace(r, counts=None, support=None) if r.chamber in withheld else r
        for r in result.chambers
    )


def withhold_small_cells(result: TallyResult, min_cell: int = 3) -> TallyResult:
    """``result`` with its chamber rows replaced by ``public_breakdown``."""
    return replace(result, chambers=public_breakdown(result, min_cell))
