"""The low-bandwidth personal link: a seat's holder votes from a signed link, with
no login, no JavaScript and no external assets, in their own language. A vote is
final for the link, so it is asked twice: the choice, then "You chose X. Confirm?"."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from ... import ballot_links, services
from ...forms.ballots import VoteForm
from ...models import BallotStatus, CastChannel, Participation, PrintedLink, RollEntry
from ._base import chosen_label, refusal_text


@dataclass(frozen=True)
class LinkTarget:
    entry: RollEntry
    printed: PrintedLink | None  # the printout, for a printed link


def _link_target(token: str) -> LinkTarget | None:
    """What a link is for, if the token is ours and its holder still holds the seat on
    the roll (the roll is frozen at opening, so this checks the bound holder); for a
    printed link, if that printout was recorded for this seat and holder."""
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
    printed = None
    if claim.printed_id is not None:
        printed = PrintedLink.objects.filter(
            pk=claim.printed_id, ballot_id=entry.ballot_id, seat_id=entry.seat_id
        ).first()
        if printed is None or printed.holder_id != entry.holder_id:
            return None
    return LinkTarget(entry, printed)


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
    target = _link_target(token)
    holder = target.entry.holder if target else None
    language = _link_language(request, holder)
    with translation.override(language):
        if target is None:
            response = _link_page(request, None, "invalid", status=404)
        else:
            zone = holder.time_zone or target.entry.ballot.working_group.reference_time_zone
            with timezone.override(zone):
                response = _link_vote(request, target)
        response.headers["Content-Language"] = language
    response.headers["X-Robots-Tag"] = "noindex"
    add_never_cache_headers(response)
    return response


def _voted(entry) -> bool:
    return Participation.objects.filter(ballot=entry.ballot, seat_id=entry.seat_id).exists()


def _link_vote(request, target: LinkTarget):
    entry = target.entry
    ballot, now = entry.ballot, timezone.now()
    form = VoteForm(request.POST or None, ballot=ballot)
    if request.method == "POST" and form.is_valid():
        # First the service: a form sent again gets its receipt back, even after close.
        return _cast(request, target, form)
    if ballot.status == BallotStatus.DRAFT or (
        ballot.status == BallotStatus.OPEN and now < ballot.opens_at
    ):
        return _link_page(request, entry, "not_open")
    if not ballot.is_accepting_votes(now):
        return _link_page(request, entry, "closed", status=410)
    if _voted(entry):
        # A replayed link casts nothing more, and shows no receipt.
        return _link_page(request, entry, "voted")
    if request.method != "POST":
        return _link_page(request, entry, "form", form=form)
    return _link_page(request, entry, "form", form=form, status=400)


def _cast(request, target: LinkTarget, form):
    entry, data = target.entry, form.cleaned_data
    ballot = entry.ballot
    if not data["confirmed"]:
        if not ballot.is_accepting_votes() or _voted(entry):
            return _cast_refused(request, entry, form)
        option = ballot.options.filter(key=data["option"]).first()
        return _link_page(
            request,
            entry,
            "confirm",
            choice=_(option.label) if option else "",
            reason=data["reason"],
            hidden=form.confirmation_fields(),
        )
    try:
        receipt = services.vote_cast(
            actor=entry.holder,
            ballot=ballot,
            seat=entry.seat,
            option_key=data["option"],
            reason=data["reason"],
            channel=CastChannel.PRINTED if target.printed else CastChannel.LINK,
            printed_link=target.printed,
            allow_change=False,  # a doubled submission must not become a change
            idempotency_key=data["idempotency_key"],
        )
    except (ValidationError, PermissionDenied) as error:
        return _cast_refused(request, entry, form, error)
    return _link_page(
        request,
        entry,
        "receipt",
        receipt=receipt,
        replayed=receipt.replayed,
        option_label=chosen_label(ballot, receipt, data["option"]),
    )


def _cast_refused(request, entry, form, error=None):
    entry.ballot.refresh_from_db()
    if entry.ballot.status == BallotStatus.DRAFT or timezone.now() < entry.ballot.opens_at:
        return _link_page(request, entry, "not_open")
    if not entry.ballot.is_accepting_votes():
        return _link_page(request, entry, "closed", status=410)
    if _voted(entry):
        return _link_page(request, entry, "voted")
    form.add_error(None, refusal_text(error) if error else _("Your vote was not recorded."))
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
