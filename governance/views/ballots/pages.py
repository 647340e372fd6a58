"""The ballot pages: a group's ballots, and one ballot (its rule in words, turnout,
the viewer's seats and what they may do with them, the result, the chair's controls)."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ... import ballot_counting, permissions, selectors
from ...forms.ballots import CancelForm, DelegationForm, VoteForm
from ...models import (
    Ballot,
    BallotStatus,
    CastAs,
    Delegation,
    Participation,
    RollEntry,
    VotingRule,
    WorkingGroup,
)
from ...services.ballots import standing, vote_is_final
from ...tally import outcome_label
from ._base import FINISHED, ballot_or_404, seat_prefix

# --- Plain words ---------------------------------------------------------------------


def rule_in_words(snapshot: dict) -> list[str]:
    """The voting rule as sentences a seat holder reads before voting."""
    method, words = snapshot["method"], []
    if method == VotingRule.Method.THRESHOLD:
        words.append(
            _("Passes with %(threshold)s %(base)s.")
            % {
                "threshold": VotingRule.Threshold(snapshot["threshold"]).label.lower(),
                "base": VotingRule.Base(snapshot["base"]).label.lower(),
            }
        )
        words.append(
            _("Abstentions count in the base.")
            if snapshot["abstentions_count"]
            else _("Abstentions do not count in the base.")
        )
    elif method == VotingRule.Method.ISO:
        words.append(
            _(
                "Passes when at least two thirds of those voting are in favour and at most "
                "one quarter of the votes cast are against; abstentions are not counted."
            )
        )
    elif method == VotingRule.Method.CONSENSUS:
        words.append(_("Passes when no objection is sustained. An objection must give its reason."))
    else:
        words.append(_("The choice with the most votes wins; a tie has no winner."))
    words.append(
        {
            VotingRule.Weighting.NONE: _("Each seat counts its weight."),
            VotingRule.Weighting.EQUAL: _("Each chamber counts equally, whatever its size."),
            VotingRule.Weighting.EQUAL_SUBCHAMBERS: _(
                "Each chamber counts equally, and within it each sub-chamber."
            ),
        }[snapshot["chamber_weighting"]]
    )
    if snapshot["quorum_percent"]:
        words.append(
            _("At least %(n)s %% of the seats must take part.") % {"n": snapshot["quorum_percent"]}
        )
    if snapshot["chamber_quorum_percent"]:
        words.append(
            _("At least %(n)s %% of the seats of each chamber must take part.")
            % {"n": snapshot["chamber_quorum_percent"]}
        )
    if snapshot["block_threshold"] and method in (VotingRule.Method.THRESHOLD, "iso"):
        words.append(
            _("%(n)s votes against in any one chamber defeat the motion.")
            % {"n": snapshot["block_threshold"]}
        )
    return words


# --- Results -------------------------------------------------------------------------


def result_view(ballot: Ballot) -> dict | None:
    result = ballot.result
    if not result or ballot.status not in FINISHED:
        return None
    options = list(ballot.options.all())
    chambers = result["chambers"]
    if ballot.is_secret:
        chambers = ballot_counting.public_chamber_rows(
            chambers, ballot.rule_snapshot.get("min_cell", 3)
        )
    named = selectors.chambers_named(row["chamber"] for row in chambers)
    rows = [
        {
            **row,
            "chamber": named[row["chamber"]].name if row["chamber"] in named else row["chamber"],
            "colour": selectors.chamber_colour_class(named.get(row["chamber"])),
            "cells": None
            if row["counts"] is None
            else [row["counts"].get(option.key, 0) for option in options],
        }
        for row in chambers
    ]
    labels = {option.key: _(option.label) for option in options}
    seat_labels = {}
    if result.get("objections") and not ballot.is_secret:
        seat_labels = dict(ballot.roll.values_list("seat_id", "seat__label"))
    return {
        "outcome": outcome_label(result["outcome"]),
        "outcome_key": result["outcome"],
        "winner": labels.get(result.get("winner")),
        "options": [labels[option.key] for option in options],
        "totals": [
            (labels[o.key], result["totals"].get(o.key, {}).get("count", 0)) for o in options
        ],
        "cast": result["participation"]["cast"],
        "eligible": result["participation"]["eligible"],
        "support_percent": result.get("support_percent"),
        "chambers": rows,
        "withheld": any(row["cells"] is None for row in rows),
        "objections": [
            (seat_labels.get(seat_id, ""), reason)
            for seat_id, reason in (result.get("objections") or [])
            if not ballot.is_secret
        ],
        "explanation": ballot.explanation(translation.get_language() or settings.LANGUAGE_CODE),
    }


# --- The ballot page -----------------------------------------------------------------


@dataclass
class SeatCard:
    """A seat the viewer may act for, and what they may do with it now."""

    entry: RollEntry
    cast_as: str
    participation: Participation | None
    form: VoteForm | None
    receipt: str = ""
    delegation: Delegation | None = None
    delegation_form: DelegationForm | None = None


def _may_change(ballot: Ballot, participation: Participation, user) -> bool:
    return (
        not ballot.is_secret
        and ballot.rule_snapshot.get("allow_vote_change")
        and participation.cast_by_id == user.pk
        and participation.cast_as != CastAs.FACILITATOR
    )


def seat_cards(request, ballot: Ballot, bound: dict | None = None) -> list[SeatCard]:
    """The seats the viewer holds, stands in for, or represents as proxy on this ballot."""
    user, bound = request.user, bound or {}
    if not user.is_authenticated or ballot.status != BallotStatus.OPEN:
        return []
    proxied = Delegation.objects.filter(ballot=ballot, proxy=user, revoked_at__isnull=True)
    entries = list(
        ballot.roll.filter(
            Q(holder=user) | Q(alternate=user) | Q(seat_id__in=proxied.values("seat_id"))
        ).select_related("seat", "chamber", "holder", "alternate")
    )
    seat_ids = [entry.seat_id for entry in entries]
    voted = {
        p.seat_id: p
        for p in Participation.objects.filter(ballot=ballot, seat_id__in=seat_ids).select_related(
            "cast_by"
        )
    }
    delegations = {
        d.seat_id: d
        for d in Delegation.objects.filter(
            ballot=ballot, seat_id__in=seat_ids, revoked_at__isnull=True
        ).select_related("proxy")
    }
    # A receipt proves that a vote was counted, never what it was (on a secret ballot
    # no record links the two): the one who cast it may see it again here.
    mine = {seat_id: p.receipt_code for seat_id, p in voted.items() if p.cast_by_id == user.pk}
    accepting = ballot.is_accepting_votes()
    cards = []
    for entry in entries:
        cast_as = standing(user, ballot, entry)
        if cast_as is None:
            continue
        participation = voted.get(entry.seat_id)
        form = None
        if accepting and (participation is None or _may_change(ballot, participation, user)):
            form = bound.get(entry.seat_id) or VoteForm(
                ballot=ballot, prefix=seat_prefix(entry.seat_id)
            )
        card = SeatCard(entry, cast_as, participation, form, receipt=mine.get(entry.seat_id, ""))
        if cast_as == CastAs.HOLDER and participation is None:
            card.delegation = delegations.get(entry.seat_id)
            card.delegation_form = DelegationForm(prefix=seat_prefix(entry.seat_id))
        cards.append(card)
    return cards


def _detail_context(request, ballot: Ballot, bound: dict | None = None) -> dict:
    group, user = ballot.working_group, request.user
    can_run = permissions.can_run_ballots(user, group)
    context = {
        "ballot": ballot,
        "group": group,
        "rule_words": rule_in_words(ballot.rule_snapshot or ballot.rule.as_snapshot()),
        "options": list(ballot.options.all()),
        "accepting": ballot.is_accepting_votes(),
        "not_yet": ballot.status == BallotStatus.OPEN and timezone.now() < ballot.opens_at,
        "cards": seat_cards(request, ballot, bound),
        "final": vote_is_final(ballot),
        "result": result_view(ballot),
        "can_run": can_run,
        "can_certify": permissions.can_certify_results(user, group),
        "facilitates": user.is_authenticated
        and ballot.status == BallotStatus.OPEN
        and ballot.roll.filter(facilitator=user).exists(),
    }
    if ballot.status == BallotStatus.OPEN:
        turnout = selectors.ballot_turnout_by_chamber(ballot.pk, colours=True)
        context["turnout"] = turnout
        context["turnout_voted"] = sum(row["voted"] for row in turnout)
        context["turnout_eligible"] = sum(row["eligible"] for row in turnout)
        if not ballot.is_secret:
            # Roll-call: which seats have voted is public; never what, before close.
            context["voted_seats"] = list(
                Participation.objects.filter(ballot=ballot)
                .order_by("seat__label")
                .values_list("seat__label", flat=True)
            )
    if can_run:
        context["delegations"] = list(
            Delegation.objects.filter(ballot=ballot)
            .select_related("seat", "granted_by", "proxy")
            .order_by("seat__label", "created_at")
        )
        context["cancel_form"] = CancelForm()
        context["may_close_early"] = ballot.status == BallotStatus.OPEN and bool(
            ballot.rule_snapshot.get("allow_early_close")
        )
    return context


def render_detail(request, ballot, bound=None, status=200):
    return render(
        request,
        "governance/ballots/detail.html",
        _detail_context(request, ballot, bound),
        status=status,
    )


def ballot_detail(request, pk: int):
    return render_detail(request, ballot_or_404(request, pk))


def group_ballots(request, slug: str):
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not permissions.can_view_group(request.user, group):
        raise Http404
    can_run = permissions.can_run_ballots(request.user, group)
    ballots = Ballot.objects.filter(working_group=group)
    if not can_run:
        ballots = ballots.exclude(status=BallotStatus.DRAFT)
    return render(
        request,
        "governance/ballots/group.html",
        {"group": group, "ballots": ballots, "can_run": can_run},
    )
