"""Assisted votes: a facilitator records the votes of the seats assigned to them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ... import services
from ...forms.ballots import AssistedVoteForm
from ...models import AssistedVoteAttestation, Participation
from ._base import ballot_or_404, receipt_page, show_refusal
from .attestations import attestation_rows


@login_required
def assisted(request, pk: int):
    """A facilitator records the votes of the seats assigned to them on the roll."""
    ballot = ballot_or_404(request, pk)
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
                show_refusal(request, error, form)
                status = 403 if isinstance(error, PermissionDenied) else 400
            else:
                back = reverse("ballots:assisted", args=[ballot.pk])
                return receipt_page(request, ballot, seat, receipt, data["option"], back)
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
            "attestations": attestation_rows(
                request,
                ballot,
                AssistedVoteAttestation.objects.filter(
                    participation__ballot=ballot, participation__cast_by=request.user
                ),
            ),
        },
        status=status,
    )
