"""The low-bandwidth personal link: a seat's holder votes from a signed link, with
no login, no JavaScript and no external assets, in their own language."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from ... import ballot_links, services
from ...forms.ballots import VoteForm
from ...models import BallotStatus, CastChannel, Participation, RollEntry
from ._base import refusal_text


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
                allow_change=False,  # a doubled submission must not become a change
            )
        except (ValidationError, PermissionDenied) as error:
            ballot.refresh_from_db()
            if not ballot.is_accepting_votes():
                return _link_page(request, entry, "closed", status=410)
            if Participation.objects.filter(ballot=ballot, seat_id=entry.seat_id).exists():
                return _link_page(request, entry, "voted")
            form.add_error(None, refusal_text(error))
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
