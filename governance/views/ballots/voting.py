"""Casting a seat's vote on the ballot page, and naming or revoking a proxy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import services
from ...forms.ballots import DelegationForm, VoteForm
from ...models import CastChannel, Delegation, Seat
from ._base import ballot_or_404, confirm_page, receipt_page, seat_prefix, show_refusal
from .pages import render_detail


@login_required
@require_POST
def vote(request, pk: int, seat_id: int):
    ballot = ballot_or_404(request, pk)
    seat = get_object_or_404(Seat, pk=seat_id)
    form = VoteForm(request.POST, ballot=ballot, prefix=seat_prefix(seat_id))
    status = 400
    back = reverse("ballots:detail", args=[ballot.pk])
    if form.is_valid():
        data = form.cleaned_data
        if services.vote_is_final(ballot) and not data["confirmed"]:
            return confirm_page(request, ballot, seat, form, f"{back}#seat-{seat.pk}")
        try:
            receipt = services.vote_cast(
                actor=request.user,
                ballot=ballot,
                seat=seat,
                option_key=data["option"],
                reason=data["reason"],
                channel=CastChannel.WEB,
                idempotency_key=data["idempotency_key"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(request, error, form)
            status = 403 if isinstance(error, PermissionDenied) else 400
        else:
            return receipt_page(request, ballot, seat, receipt, data["option"], back)
    else:
        messages.error(request, _("Your vote was not recorded: see the form below."))
    ballot.refresh_from_db()
    return render_detail(request, ballot, bound={seat_id: form}, status=status)


@login_required
@require_POST
def delegation_grant(request, pk: int, seat_id: int):
    ballot = ballot_or_404(request, pk)
    seat = get_object_or_404(Seat, pk=seat_id)
    form = DelegationForm(request.POST, prefix=seat_prefix(seat_id))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.delegation_grant(
                actor=request.user, ballot=ballot, seat=seat, proxy=form.proxy
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(request, error)
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
    ballot = ballot_or_404(request, pk)
    delegation = get_object_or_404(Delegation, pk=delegation_id, ballot=ballot)
    try:
        services.delegation_revoke(actor=request.user, delegation=delegation)
    except (ValidationError, PermissionDenied) as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("The proxy may no longer vote for this seat."))
    return redirect(reverse("ballots:detail", args=[ballot.pk]) + f"#seat-{delegation.seat_id}")
