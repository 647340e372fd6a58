"""A voting rule in plain words, before any ballot uses it: what the secretariat
previews in the admin. Pure: it reads a rule's snapshot (`VotingRule.as_snapshot()`),
never the database, and runs the tally engine on a worked example so the preview
shows the very explanation a result under this rule will carry."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import tally
from .ballot_counting import rule_from_snapshot

THRESHOLD_WORDS = {
    "1/2": lambda: _("more than half"),
    "2/3": lambda: _("at least two thirds"),
    "3/4": lambda: _("at least three quarters"),
}


@dataclass(frozen=True)
class RuleExplanation:
    sentences: list[str]
    example_votes: list[str]  # the worked example's votes, chamber by chamber
    example_result: str  # the tally engine's own explanation of that example


def _counting(snapshot: dict, rule: tally.VotingRule) -> list[str]:
    if rule.method == "iso":
        return [
            _(
                "A motion is adopted when at least two thirds of the votes cast are in favour "
                "and at most one quarter are against; abstentions are not counted."
            )
        ]
    if rule.method == "consensus":
        return [
            _(
                "A proposal is adopted when at least one seat consents and no seat sustains "
                "an objection. Each objection states its reason, and is recorded with its seat."
            )
        ]
    if rule.method == "plurality":
        return [
            _(
                "The choice with the most support wins. If two choices tie for the most "
                "support, nothing is decided."
            )
        ]
    words = THRESHOLD_WORDS.get(snapshot["threshold"], lambda: snapshot["threshold"])()
    if rule.base == "eligible":
        base = _("of all eligible seats (a seat that does not vote counts as not in favour)")
    elif rule.abstentions_count:
        base = _("of the votes cast, abstentions included")
    else:
        base = _("of the votes cast for or against (abstentions are not counted)")
    return [
        _("A motion is adopted when %(words)s %(base)s are in favour.")
        % {"words": words, "base": base}
    ]


def _weighting(rule: tally.VotingRule) -> str:
    if rule.chamber_weighting == "equal":
        return _(
            "Each chamber weighs the same, whatever its number of seats: support is the "
            "average of the chambers' shares."
        )
    if rule.chamber_weighting == "equal_subchambers":
        return _(
            "Each chamber weighs the same, and within a chamber each sub-chamber weighs the "
            "same: support is the average of the chambers' shares."
        )
    return _("Each seat counts with its weight, whatever its chamber.")


def _quorum(snapshot: dict) -> list[str]:
    parts = []
    if snapshot["quorum_percent"]:
        parts.append(
            _(
                "Quorum: at least %(percent)s%% of the eligible seats must take part "
                "(an abstention counts as taking part)."
            )
            % {"percent": snapshot["quorum_percent"]}
        )
    else:
        parts.append(_("There is no overall quorum."))
    if snapshot["chamber_quorum_percent"]:
        parts.append(
            _("In each chamber, at least %(percent)s%% of its seats must take part.")
            % {"percent": snapshot["chamber_quorum_percent"]}
        )
    return parts


def _conduct(snapshot: dict, rule: tally.VotingRule) -> list[str]:
    parts = []
    block = snapshot["block_threshold"]
    if block and rule.method in ("threshold", "iso"):
        parts.append(
            ngettext(
                "%(count)s vote against in any one chamber defeats the motion.",
                "%(count)s or more votes against in any one chamber defeat the motion.",
                block,
            )
            % {"count": block}
        )
    if snapshot["allow_vote_change"]:
        parts.append(
            _("On a roll-call ballot, a seat may change its vote until the ballot closes.")
        )
    else:
        parts.append(_("A vote, once cast, is final."))
    if snapshot["allow_early_close"]:
        parts.append(_("The chair may close the ballot early once every seat has voted."))
    else:
        parts.append(_("The ballot always runs until its closing time."))
    parts.append(
        _(
            "On a secret ballot, a chamber's counts are published only if at least "
            "%(count)s of its seats voted."
        )
        % {"count": snapshot["min_cell"]}
    )
    return parts


# The worked example: three chambers of unequal size, as in the alliance.
EXAMPLE_CHAMBERS = (("industry", 4), ("civil", 3), ("miners", 3))
EXAMPLE_VOTES = {
    "threshold": ["for", "for", "for", "against", "for", "against", "abstain", "for", "for", ""],
    "iso": ["for", "for", "for", "against", "for", "against", "abstain", "for", "for", ""],
    "consensus": [
        "consent",
        "consent",
        "abstain",
        "consent",
        "consent",
        "objection",
        "consent",
        "consent",
        "consent",
        "",
    ],
    "plurality": ["a", "a", "b", "b", "a", "b", "a", "a", "b", ""],
}


def _chamber_names() -> dict[str, str]:
    return {
        "industry": _("Industry"),
        "civil": _("Civil society"),
        "miners": _("Artisanal miners"),
    }


def _choice_names() -> dict[str, str]:
    return {
        "for": _("for"),
        "against": _("against"),
        "abstain": _("abstain"),
        "consent": _("consent"),
        "objection": _("objection"),
        "a": _("choice A"),
        "b": _("choice B"),
    }


def _example(rule: tally.VotingRule) -> tuple[list[str], str]:
    names, choices = _chamber_names(), _choice_names()
    roll, votes, lines = [], [], []
    choices_in_order = iter(EXAMPLE_VOTES[rule.method])
    seat_id = 0
    for key, size in EXAMPLE_CHAMBERS:
        chamber = names[key]
        cast = []
        for _seat in range(size):
            seat_id += 1
            roll.append(tally.RollEntry(seat_id=seat_id, chamber=chamber))
            choice = next(choices_in_order)
            if choice:
                reason = _("An example reason.") if choice == "objection" else ""
                votes.append(tally.Vote(seat_id=seat_id, choice=choice, reason=reason))
                cast.append(choices[choice])
            else:
                cast.append(_("did not vote"))
        lines.append(
            _("%(chamber)s (%(seats)s seats): %(votes)s")
            % {"chamber": chamber, "seats": size, "votes": ", ".join(cast)}
        )
    return lines, tally.tally(roll, votes, rule).explanation


def explain(snapshot: dict) -> RuleExplanation:
    """Sentences describing the rule, and a worked example counted by the tally engine."""
    rule = rule_from_snapshot(snapshot)
    sentences = [
        *_counting(snapshot, rule),
        _weighting(rule),
        *_quorum(snapshot),
        *_conduct(snapshot, rule),
    ]
    lines, result = _example(rule)
    return RuleExplanation(sentences, lines, result)
