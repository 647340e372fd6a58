"""Ballot pages: the list of a group's ballots, the ballot page (turnout, your seats,
results), the chair's controls, assisted votes, the low-bandwidth personal link,
and the bulletin of receipts.

Views are thin: a form, one service call, refusals shown as messages; a refusal
changes nothing because the service refused inside its transaction. Nothing here
writes governance state itself.

Secret ballots: no page links a seat to a choice. The receipt page is the POST's
own response (never a redirect with the code in the URL, never the session), so
no server log or session row ties a person to a receipt.
"""

import csv
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import ballot_links, ballot_reminders, permissions, selectors, services, tally
from ..forms.ballots import (
    AssistedVoteForm,
    BallotForm,
    CancelForm,
    DelegationForm,
    VoteForm,
)
from ..models import (
    Ballot,
    BallotStatus,
    CastAs,
    CastChannel,
    Delegation,
    Participation,
    RollCallChoice,
    RollEntry,
    Seat,
    SecretChoice,
    VotingRule,
    WorkingGroup,
    WorkingGroupStatus,
)
from ..services.ballots import standing

FINISHED = (BallotStatus.CLOSED, BallotStatus.CERTIFIED)


# --- Who may see what ----------------------------------------------------------------


def may_view_group(user, group: WorkingGroup) -> bool:
    """Public working groups (every group but a closed one, as the CMS lists them):
    anyone; otherwise those who may read the group's private content."""
    return group.status != WorkingGroupStatus.CLOSED or permissions.can_view_private(user, group)


def may_view_ballot(user, ballot: Ballot) -> bool:
    """Drafts are for those who run the group's ballots; the rest as the group."""
    if ballot.status == BallotStatus.DRAFT:
        return permissions.can_run_ballots(user, ballot.working_group)
    return may_view_group(user, ballot.working_group)


def _ballot_or_404(request, pk: int) -> Ballot:
    ballot = get_object_or_404(Ballot.objects.select_related("working_group", "rule"), pk=pk)
    if not may_view_ballot(request.user, ballot):
        raise Http404
    return ballot


def _refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def _show_refusal(request, error: Exception, form=None) -> None:
    """A service's refusal as a message, and next to the field it is about."""
    messages.error(request, _refusal_text(error))
    if form is not None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)


# --- Plain words ---------------------------------------------------------------------

OUTCOMES = {
    "adopted": gettext_lazy("Adopted"),
    "rejected": gettext_lazy("Rejected"),
    "no_quorum": gettext_lazy("No quorum"),
    "tied": gettext_lazy("Tied"),
    "no_votes": gettext_lazy("No votes"),
}


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


def public_chamber_rows(chambers: list[dict], min_cell: int) -> list[dict]:
    """A secret ballot's stored chamber rows with small cells withheld, by the very rule
    of tally.public_breakdown (applied to the stored rows, not recounted)."""
    rows = tuple(
        tally.ChamberResult(
            chamber=row["chamber"],
            eligible=row["eligible"],
            cast=row["cast"],
            counts=row["counts"],
            support=row["support"],
            quorum_met=row["quorum_met"],
            blocked=row["blocked"],
        )
        for row in chambers
    )
    shown = tally.public_breakdown(SimpleNamespace(chambers=rows), min_cell)
    return [
        {**row, "counts": None, "support": None, "support_percent": None}
        if public.counts is None
        else row
        for row, public in zip(chambers, shown, strict=True)
    ]


def result_view(ballot: Ballot) -> dict | None:
    result = ballot.result
    if not result or ballot.status not in FINISHED:
        return None
    options = list(ballot.options.all())
    chambers = result["chambers"]
    if ballot.is_secret:
        chambers = public_chamber_rows(chambers, ballot.rule_snapshot.get("min_cell", 3))
    rows = [
        {
            **row,
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
        "outcome": OUTCOMES.get(result["outcome"], result["outcome"]),
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


def _prefix(seat_id: int) -> str:
    return f"seat-{seat_id}"


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
    mine = {}
    if not ballot.is_secret:
        mine = dict(
            RollCallChoice.objects.filter(
                participation__ballot=ballot,
                participation__seat_id__in=seat_ids,
                participation__cast_by=user,
            ).values_list("participation__seat_id", "receipt_code")
        )
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
                ballot=ballot, prefix=_prefix(entry.seat_id)
            )
        card = SeatCard(entry, cast_as, participation, form, receipt=mine.get(entry.seat_id, ""))
        if cast_as == CastAs.HOLDER and participation is None:
            card.delegation = delegations.get(entry.seat_id)
            card.delegation_form = DelegationForm(prefix=_prefix(entry.seat_id))
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
        "result": result_view(ballot),
        "can_run": can_run,
        "can_certify": permissions.can_certify_results(user, group),
        "facilitates": user.is_authenticated
        and ballot.status == BallotStatus.OPEN
        and ballot.roll.filter(facilitator=user).exists(),
    }
    if ballot.status == BallotStatus.OPEN:
        turnout = selectors.ballot_turnout_by_chamber(ballot.pk)
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


def _render_detail(request, ballot, bound=None, status=200):
    return render(
        request,
        "governance/ballots/detail.html",
        _detail_context(request, ballot, bound),
        status=status,
    )


def ballot_detail(request, pk: int):
    return _render_detail(request, _ballot_or_404(request, pk))


def group_ballots(request, slug: str):
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not may_view_group(request.user, group):
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


# --- Casting -------------------------------------------------------------------------


def _receipt(request, ballot: Ballot, seat: Seat, receipt: str, option_key: str, back: str):
    option = ballot.options.filter(key=option_key).first()
    response = render(
        request,
        "governance/ballots/receipt.html",
        {
            "ballot": ballot,
            "seat": seat,
            "receipt": receipt,
            "choice": _(option.label) if option else "",
            "back": back,
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def vote(request, pk: int, seat_id: int):
    ballot = _ballot_or_404(request, pk)
    seat = get_object_or_404(Seat, pk=seat_id)
    form = VoteForm(request.POST, ballot=ballot, prefix=_prefix(seat_id))
    status = 400
    if form.is_valid():
        try:
            receipt = services.vote_cast(
                actor=request.user,
                ballot=ballot,
                seat=seat,
                option_key=form.cleaned_data["option"],
                reason=form.cleaned_data["reason"],
                channel=CastChannel.WEB,
            )
        except (ValidationError, PermissionDenied) as error:
            _show_refusal(request, error, form)
            status = 403 if isinstance(error, PermissionDenied) else 400
        else:
            back = reverse("ballots:detail", args=[ballot.pk])
            return _receipt(request, ballot, seat, receipt, form.cleaned_data["option"], back)
    else:
        messages.error(request, _("Your vote was not recorded: see the form below."))
    ballot.refresh_from_db()
    return _render_detail(request, ballot, bound={seat_id: form}, status=status)


@login_required
@require_POST
def delegation_grant(request, pk: int, seat_id: int):
    ballot = _ballot_or_404(request, pk)
    seat = get_object_or_404(Seat, pk=seat_id)
    form = DelegationForm(request.POST, prefix=_prefix(seat_id))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.delegation_grant(
                actor=request.user, ballot=ballot, seat=seat, proxy=form.proxy
            )
        except (ValidationError, PermissionDenied) as error:
            _show_refusal(request, error)
        else:
            messages.success(
                request,
                _("%(proxy)s may now cast the vote of %(seat)s on this ballot.")
                % {"proxy": form.proxy.public_name, "seat": seat.label},
            )
    return redirect(reverse("ballots:detail", args=[ballot.pk]) + f"#seat-{seat.pk}")


@login_required
@require_POST
def delegation_revoke(request, pk: int, delegation_id: int):
    ballot = _ballot_or_404(request, pk)
    delegation = get_object_or_404(Delegation, pk=delegation_id, ballot=ballot)
    try:
        services.delegation_revoke(actor=request.user, delegation=delegation)
    except (ValidationError, PermissionDenied) as error:
        _show_refusal(request, error)
    else:
        messages.success(request, _("The proxy may no longer vote for this seat."))
    return redirect(reverse("ballots:detail", args=[ballot.pk]) + f"#seat-{delegation.seat_id}")


# --- Running a ballot ----------------------------------------------------------------


@login_required
def ballot_create(request, slug: str):
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not permissions.can_run_ballots(request.user, group):
        raise PermissionDenied
    form = BallotForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        ballot = form.save(commit=False)
        try:
            services.ballot_save(actor=request.user, ballot=ballot, options=form.options)
        except (ValidationError, PermissionDenied) as error:
            _show_refusal(request, error, form)
        else:
            messages.success(request, _("The ballot is saved as a draft. Open it when ready."))
            return redirect("ballots:detail", pk=ballot.pk)
    return render(
        request,
        "governance/ballots/form.html",
        {"group": group, "form": form},
        status=400 if form.is_bound else 200,
    )


def _control(request, pk: int, act, done: str):
    ballot = _ballot_or_404(request, pk)
    try:
        act(ballot)
    except (ValidationError, PermissionDenied) as error:
        _show_refusal(request, error)
    else:
        messages.success(request, done)
    return redirect("ballots:detail", pk=ballot.pk)


@login_required
@require_POST
def ballot_open(request, pk: int):
    return _control(
        request,
        pk,
        lambda ballot: services.ballot_open(actor=request.user, ballot=ballot),
        _("The ballot is open; its roll is fixed."),
    )


@login_required
@require_POST
def ballot_cancel(request, pk: int):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _control(
        request,
        pk,
        lambda ballot: services.ballot_cancel(actor=request.user, ballot=ballot, reason=reason),
        _("The ballot is cancelled."),
    )


@login_required
@require_POST
def ballot_close(request, pk: int):
    return _control(
        request,
        pk,
        lambda ballot: services.ballot_close(actor=request.user, ballot=ballot, early=True),
        _("The ballot is closed and counted."),
    )


@login_required
@require_POST
def ballot_certify(request, pk: int):
    return _control(
        request,
        pk,
        lambda ballot: services.ballot_certify(actor=request.user, ballot=ballot),
        _("The result is certified and recorded as a decision."),
    )


@login_required
def ballot_links_page(request, pk: int):
    """Each seat's personal link, for the secretariat to send by SMS or email."""
    ballot = _ballot_or_404(request, pk)
    if not permissions.can_run_ballots(request.user, ballot.working_group):
        raise PermissionDenied
    rows = []
    if ballot.status == BallotStatus.OPEN:
        base = request.build_absolute_uri("/").rstrip("/")
        for entry in ballot.roll.select_related("seat", "chamber", "holder"):
            rows.append(
                {
                    "entry": entry,
                    "url": base + ballot_links.link_path(entry) if entry.holder_id else "",
                }
            )
    response = render(request, "governance/ballots/links.html", {"ballot": ballot, "rows": rows})
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def ballot_links_send(request, pk: int):
    ballot = _ballot_or_404(request, pk)
    try:
        count = ballot_reminders.send_links(actor=request.user, ballot=ballot)
    except (ValidationError, PermissionDenied) as error:
        _show_refusal(request, error)
    else:
        messages.success(
            request, _("Personal links are on their way to %(n)s holders.") % {"n": count}
        )
    return redirect("ballots:links", pk=ballot.pk)


# --- Assisted votes ------------------------------------------------------------------


@login_required
def assisted(request, pk: int):
    """A facilitator records the votes of the seats assigned to them on the roll."""
    ballot = _ballot_or_404(request, pk)
    entries = list(ballot.roll.filter(facilitator=request.user).select_related("seat", "holder"))
    if not entries:
        raise PermissionDenied(_("No seat on this ballot is assigned to you."))
    voted = set(
        Participation.objects.filter(
            ballot=ballot, seat_id__in=[e.seat_id for e in entries]
        ).values_list("seat_id", flat=True)
    )
    waiting = [entry for entry in entries if entry.seat_id not in voted]
    form = AssistedVoteForm(
        request.POST or None, request.FILES or None, ballot=ballot, seats=waiting
    )
    form.fields["seat"].error_messages["invalid_choice"] = _(
        "This seat is not assigned to you, or has already voted."
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            seat = next(e.seat for e in waiting if e.seat_id == data["seat"])
            try:
                receipt = services.vote_record_assisted(
                    actor=request.user,
                    ballot=ballot,
                    seat=seat,
                    option_key=data["option"],
                    mode=data["mode"],
                    witness=data["witness"],
                    note=data["note"],
                    reason=data["reason"],
                    scan=data["scan"],
                )
            except (ValidationError, PermissionDenied) as error:
                _show_refusal(request, error, form)
                status = 403 if isinstance(error, PermissionDenied) else 400
            else:
                back = reverse("ballots:assisted", args=[ballot.pk])
                return _receipt(request, ballot, seat, receipt, data["option"], back)
        else:
            messages.error(request, _("The vote was not recorded: see the form below."))
    return render(
        request,
        "governance/ballots/assisted.html",
        {
            "ballot": ballot,
            "entries": entries,
            "voted": voted,
            "form": form,
            "accepting": ballot.is_accepting_votes(),
        },
        status=status,
    )


# --- The low-bandwidth personal link -------------------------------------------------


def _link_entry(token: str) -> RollEntry | None:
    """The roll entry a link is for, if the token is ours and its holder still holds the
    seat on the roll (the roll is frozen at opening, so this checks the bound holder)."""
    try:
        claim = ballot_links.read_token(token)
    except ballot_links.InvalidLink:
        return None
    entry = (
        RollEntry.objects.select_related("ballot__working_group", "seat", "holder")
        .filter(ballot_id=claim.ballot_id, seat_id=claim.seat_id)
        .first()
    )
    if entry is None or entry.holder_id != claim.holder_id or not entry.holder.is_active:
        return None
    return entry


def _link_language(request, holder) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = request.GET.get("lang")
    if chosen in codes:
        return chosen
    if holder is not None and holder.preferred_language in codes:
        return holder.preferred_language
    return translation.get_language() or settings.LANGUAGE_CODE


def link_vote(request, token: str):
    """The seat's vote from a personal link: no JavaScript, no external assets, small.

    The token is the credential: it names the ballot, the seat and the holder on
    the roll, and the vote is cast as that holder through the one casting service."""
    entry = _link_entry(token)
    holder = entry.holder if entry else None
    language = _link_language(request, holder)
    with translation.override(language):
        if entry is None:
            response = _link_page(request, None, "invalid", status=404)
        else:
            zone = holder.time_zone or entry.ballot.working_group.reference_time_zone
            with timezone.override(zone):
                response = _link_vote(request, entry)
        response.headers["Content-Language"] = language
    response.headers["X-Robots-Tag"] = "noindex"
    add_never_cache_headers(response)
    return response


def _link_vote(request, entry: RollEntry):
    ballot, now = entry.ballot, timezone.now()
    if ballot.status == BallotStatus.DRAFT or (
        ballot.status == BallotStatus.OPEN and now < ballot.opens_at
    ):
        return _link_page(request, entry, "not_open")
    if not ballot.is_accepting_votes(now):
        return _link_page(request, entry, "closed", status=410)
    if Participation.objects.filter(ballot=ballot, seat_id=entry.seat_id).exists():
        # A replayed link casts nothing more, and shows no receipt.
        return _link_page(request, entry, "voted")
    form = VoteForm(request.POST or None, ballot=ballot)
    if request.method != "POST":
        return _link_page(request, entry, "form", form=form)
    if form.is_valid():
        try:
            receipt = services.vote_cast(
                actor=entry.holder,
                ballot=ballot,
                seat=entry.seat,
                option_key=form.cleaned_data["option"],
                reason=form.cleaned_data["reason"],
                channel=CastChannel.LINK,
            )
        except (ValidationError, PermissionDenied) as error:
            ballot.refresh_from_db()
            if not ballot.is_accepting_votes():
                return _link_page(request, entry, "closed", status=410)
            if Participation.objects.filter(ballot=ballot, seat_id=entry.seat_id).exists():
                return _link_page(request, entry, "voted")
            form.add_error(None, _refusal_text(error))
        else:
            option = ballot.options.filter(key=form.cleaned_data["option"]).first()
            label = _(option.label) if option else ""
            return _link_page(request, entry, "receipt", receipt=receipt, option_label=label)
    return _link_page(request, entry, "form", form=form, status=400)


def _link_page(request, entry, state: str, status: int = 200, **context):
    languages = [
        (code, name, request.path + f"?lang={code}")
        for code, name in (("en", "English"), ("fr", "Français"), ("sw", "Kiswahili"))
    ]
    return render(
        request,
        "governance/ballots/link.html",
        {
            "entry": entry,
            "ballot": entry.ballot if entry else None,
            "state": state,
            "languages": languages,
            "action": request.get_full_path(),
            **context,
        },
        status=status,
    )


# --- Bulletin ------------------------------------------------------------------------


def bulletin_rows(ballot: Ballot) -> list[dict]:
    """Receipts with their choices. Secret: no seat, sorted by code. Roll-call: in roll order."""
    if ballot.is_secret:
        return [
            {"receipt": c.receipt_code, "key": c.option.key, "choice": _(c.option.label)}
            for c in SecretChoice.objects.filter(ballot=ballot)
            .select_related("option")
            .order_by("receipt_code")
        ]
    entries = list(ballot.roll.select_related("seat", "chamber", "holder"))
    order = {entry.seat_id: n for n, entry in enumerate(entries)}
    by_seat = {entry.seat_id: entry for entry in entries}
    choices = RollCallChoice.objects.filter(participation__ballot=ballot).select_related(
        "participation", "option"
    )
    rows = []
    for c in sorted(choices, key=lambda c: order.get(c.participation.seat_id, len(order))):
        entry = by_seat[c.participation.seat_id]
        rows.append(
            {
                "seat": entry.seat.label,
                "chamber": entry.chamber.name,
                "weight": entry.weight,
                "holder": entry.holder.public_name if entry.holder_id else "",
                "cast_as": c.participation.get_cast_as_display(),
                "key": c.option.key,
                "choice": _(c.option.label),
                "receipt": c.receipt_code,
            }
        )
    return rows


def _finished_ballot_or_404(request, pk: int) -> Ballot:
    ballot = _ballot_or_404(request, pk)
    if ballot.status not in FINISHED:
        raise Http404
    return ballot


def bulletin(request, pk: int):
    ballot = _finished_ballot_or_404(request, pk)
    return render(
        request,
        "governance/ballots/bulletin.html",
        {"ballot": ballot, "rows": bulletin_rows(ballot)},
    )


def bulletin_csv(request, pk: int):
    ballot = _finished_ballot_or_404(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-bulletin.csv"'
    writer = csv.writer(response)
    if ballot.is_secret:
        columns = ["receipt", "key", "choice"]
    else:
        columns = ["seat", "chamber", "weight", "holder", "cast_as", "key", "choice", "receipt"]
    writer.writerow(columns)
    for row in bulletin_rows(ballot):
        writer.writerow([_csv_cell(row[column]) for column in columns])
    return response


def _csv_cell(value):
    """Names are typed by people: never let a spreadsheet read one as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
