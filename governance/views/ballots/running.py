"""Running a ballot: create a draft, open, cancel, close early, certify; and each
seat's personal link for the secretariat to send."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ... import ballot_links, ballot_reminders, permissions, services
from ...forms.ballots import BallotForm, CancelForm
from ...models import BallotStatus, WorkingGroup
from ._base import ballot_or_404, show_refusal


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


# --- Personal links for the secretariat ------------------------------------------------


@login_required
def ballot_links_page(request, pk: int):
    """Each seat's personal link, for the secretariat to send by SMS or email."""
    ballot = ballot_or_404(request, pk)
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
