"""What the ballot views share: finding a ballot the viewer may see, showing a
service's refusal, the seat forms' prefix, the confirmation step and the receipt page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from ... import bulletin, permissions
from ...models import Ballot, Seat

FINISHED = bulletin.VISIBLE  # closed or certified: the result and the bulletin show


def ballot_or_404(request, pk: int) -> Ballot:
    ballot = get_object_or_404(Ballot.objects.select_related("working_group", "rule"), pk=pk)
    if not permissions.can_view_ballot(request.user, ballot):
        raise Http404
    return ballot


def refusal_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def show_refusal(request, error: Exception, form=None) -> None:
    """A service's refusal as a message, and next to the field it is about."""
    messages.error(request, refusal_text(error))
    if form is not None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)


def seat_prefix(seat_id: int) -> str:
    return f"seat-{seat_id}"


def chosen_label(ballot: Ballot, receipt, option_key: str) -> str:
    """The choice to show with a receipt: the one just cast; for a repeated submission,
    the one on record (none for a secret ballot, where no record links the two)."""
    if getattr(receipt, "replayed", False):
        option_key = receipt.option_key
    option = ballot.options.filter(key=option_key).first() if option_key else None
    return _(option.label) if option else ""


def receipt_page(request, ballot: Ballot, seat: Seat, receipt, option_key: str, back: str):
    response = render(
        request,
        "governance/ballots/receipt.html",
        {
            "ballot": ballot,
            "seat": seat,
            "receipt": receipt,
            "replayed": getattr(receipt, "replayed", False),
            "choice": chosen_label(ballot, receipt, option_key),
            "back": back,
        },
    )
    add_never_cache_headers(response)
    return response


def confirm_page(request, ballot: Ballot, seat: Seat, form, back: str):
    """The second step of a vote that cannot be changed afterwards: "You chose X.
    Confirm?", without JavaScript. The form's fields (its idempotency key included)
    go back as hidden fields, confirmed."""
    option = ballot.options.filter(key=form.cleaned_data["option"]).first()
    response = render(
        request,
        "governance/ballots/confirm.html",
        {
            "ballot": ballot,
            "seat": seat,
            "choice": _(option.label) if option else "",
            "reason": form.cleaned_data["reason"],
            "hidden": form.confirmation_fields(),
            "action": request.path,
            "back": back,
        },
    )
    add_never_cache_headers(response)
    return response
