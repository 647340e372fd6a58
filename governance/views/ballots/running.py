"""Running a ballot: create a draft, open, cancel, close early, certify; and how each
seat's personal link reaches its holder (emailed, or printed before a witness)."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import ballot_links, ballot_reminders, permissions, services
from ...forms.ballots import BallotForm, CancelForm, ConsensusForm, PrintLinkForm
from ...models import BallotStatus, OptionSet, Seat, WorkingGroup
from ...services.decisions import decision_record_consensus
from ._base import ballot_or_404, show_refusal
from .attestations import attestation_rows


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
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The ballot is saved as a draft. Open it when ready."))
            return redirect("ballots:detail", pk=ballot.pk)
    return render(
        request,
        "governance/ballots/form.html",
        {"group": group, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def ballot_edit(request, pk: int):
    """A draft ballot's title, motion, choices, dates, rule and secrecy, by those who
    run the group's ballots; once open, nothing here changes (the service refuses)."""
    ballot = ballot_or_404(request, pk)
    group = ballot.working_group
    if not permissions.can_run_ballots(request.user, group):
        raise PermissionDenied
    if ballot.status != BallotStatus.DRAFT:
        messages.error(
            request, _("Once a ballot is open its options, rule, roll and secrecy cannot change.")
        )
        return redirect("ballots:detail", pk=ballot.pk)
    initial = {}
    if ballot.option_set == OptionSet.CUSTOM:
        initial["custom_choices"] = "\n".join(o.label_en or "" for o in ballot.options.all())
    form = BallotForm(request.POST or None, group=group, instance=ballot, initial=initial)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        try:
            services.ballot_save(actor=request.user, ballot=edited, options=form.options)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(request, error, form)
        else:
            messages.success(request, _("The draft ballot is saved."))
            return redirect("ballots:detail", pk=ballot.pk)
    return render(
        request,
        "governance/ballots/form.html",
        {"group": group, "form": form, "ballot": ballot},
        status=400 if form.is_bound else 200,
    )


@login_required
def consensus_record(request, slug: str):
    """The chair or the secretariat records a decision reached without a ballot; it
    goes to the group's decisions and its page is drafted for the decision register."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not permissions.can_record_consensus(request.user, group):
        raise PermissionDenied
    form = ConsensusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision_record_consensus(actor=request.user, group=group, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(request, error, form)
        else:
            messages.success(
                request,
                _("The decision is recorded; its page awaits the chair's approval to publish."),
            )
            return redirect("ballots:group", slug=group.slug)
    return render(
        request,
        "governance/ballots/consensus.html",
        {"group": group, "form": form},
        status=400 if form.is_bound else 200,
    )


def _ballot_control(act):
    """A chair's control on the ballot page (open, cancel, close early, certify): POST
    only, signed in. `act(request, ballot)` calls the one service and returns what to
    tell the chair; a refusal is shown instead. Either way, back to the ballot page."""

    @login_required
    @require_POST
    @functools.wraps(act)
    def control(request, pk: int):
        ballot = ballot_or_404(request, pk)
        try:
            done = act(request, ballot)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(request, error)
        else:
            messages.success(request, done)
        return redirect("ballots:detail", pk=ballot.pk)

    return control


@_ballot_control
def ballot_open(request, ballot):
    services.ballot_open(actor=request.user, ballot=ballot)
    return _("The ballot is open; its roll is fixed.")


@_ballot_control
def ballot_cancel(request, ballot):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.ballot_cancel(actor=request.user, ballot=ballot, reason=reason)
    return _("The ballot is cancelled.")


@_ballot_control
def ballot_close(request, ballot):
    services.ballot_close(actor=request.user, ballot=ballot, early=True)
    return _("The ballot is closed and counted.")


@_ballot_control
def ballot_certify(request, ballot):
    services.ballot_certify(actor=request.user, ballot=ballot)
    return _("The result is certified and recorded as a decision.")


# --- Personal links: emailed to holders, printed before a witness ------------------------


def _links_context(ballot, print_forms=None) -> dict:
    """Each seat of the roll: its holder, how their link reaches them (email, or a
    printout for a holder without an email address), whether the seat has voted, the
    printouts made. Never a link: a link casts the seat's vote."""
    print_forms = print_forms or {}
    entries = list(ballot.roll.select_related("seat", "chamber", "holder"))
    voted = set(ballot.participations.values_list("seat_id", flat=True))
    printed: dict[int, list] = {}
    for printout in ballot.printed_links.select_related("printed_by").order_by("printed_at"):
        printed.setdefault(printout.seat_id, []).append(printout)
    rows = []
    for entry in entries:
        holder = entry.holder
        printable = (
            ballot.status == BallotStatus.OPEN
            and holder is not None
            and not holder.email
            and entry.seat_id not in voted
        )
        rows.append(
            {
                "entry": entry,
                "by_email": bool(holder and holder.email),
                "voted": entry.seat_id in voted,
                "printed": printed.get(entry.seat_id, []),
                "print_form": print_forms.get(entry.seat_id)
                or (PrintLinkForm(prefix=f"seat-{entry.seat_id}") if printable else None),
            }
        )
    return {"ballot": ballot, "rows": rows, "open": ballot.status == BallotStatus.OPEN}


def _require_runner(request, ballot) -> None:
    if not permissions.can_run_ballots(request.user, ballot.working_group):
        raise PermissionDenied


@login_required
def ballot_links_page(request, pk: int, *, print_forms=None, status=200):
    """How each seat's personal link reaches its holder: by email, or printed."""
    ballot = ballot_or_404(request, pk)
    _require_runner(request, ballot)
    response = render(
        request,
        "governance/ballots/links.html",
        {
            **_links_context(ballot, print_forms),
            "attestations": attestation_rows(request, ballot),
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def ballot_links_send(request, pk: int):
    ballot = ballot_or_404(request, pk)
    try:
        count = ballot_reminders.send_links(actor=request.user, ballot=ballot)
    except (ValidationError, PermissionDenied) as error:
        show_refusal(request, error)
    else:
        messages.success(
            request, _("Personal links are on their way to %(n)s holders.") % {"n": count}
        )
    return redirect("ballots:links", pk=ballot.pk)


@login_required
@require_POST
def ballot_link_print(request, pk: int, seat_id: int):
    """Print a seat's personal link for a holder without email, before a witness. The
    link is shown on this answer only (made from the recorded printout, never stored);
    printing again makes and records another printout."""
    ballot = ballot_or_404(request, pk)
    _require_runner(request, ballot)
    seat = get_object_or_404(Seat, pk=seat_id)
    form = PrintLinkForm(request.POST, prefix=f"seat-{seat_id}")
    if form.is_valid():
        try:
            printed, entry = services.ballot_link_print(
                actor=request.user, ballot=ballot, seat=seat, witness=form.cleaned_data["witness"]
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(request, error, form)
        else:
            return _printout(request, ballot, entry, printed)
    return ballot_links_page(request, pk, print_forms={seat_id: form}, status=400)


def _printout(request, ballot, entry, printed):
    holder = entry.holder
    language = holder.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        zone = holder.time_zone or ballot.working_group.reference_time_zone
        with timezone.override(zone):
            response = render(
                request,
                "governance/ballots/printed_link.html",
                {
                    "ballot": ballot,
                    "entry": entry,
                    "printed": printed,
                    "url": request.build_absolute_uri("/").rstrip("/")
                    + ballot_links.link_path(entry, printed),
                    "language": language,
                },
            )
    response.headers["X-Robots-Tag"] = "noindex"
    add_never_cache_headers(response)
    return response
