"""Personal ballot links: a signed token bound to (ballot, seat, holder on the roll).

The token is the credential of the low-bandwidth ballot page: whoever holds the
link may cast that seat's vote as its holder. So it goes only to the holder: by
email (ballot_reminders.send_links), built when the email is rendered; no staff
screen, export or log shows it. A holder without an email address gets a printed
link: each printout is recorded with who printed it and a witness
(services.ballot_link_print) and carries its own id in the token, so a vote cast
through it is marked as such. Nothing else is stored: the link is checked against
the roll on every use, it works only while the ballot accepts votes, and a link for a
seat that has voted casts nothing more.

The token is short enough for an SMS: "<ballot>.<seat>.<holder>[.p<printout>]:<signature>".
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

SALT = "ballot-link"


class InvalidLink(Exception):
    """Not a link we signed (or a damaged one)."""


@dataclass(frozen=True)
class LinkClaim:
    ballot_id: int
    seat_id: int
    holder_id: int
    printed_id: int | None = None  # a printed link's PrintedLink


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def make_token(entry, printed=None) -> str:
    """The token for a roll entry (`RollEntry` with a holder); with `printed` (a
    PrintedLink), the token of that printout."""
    if not entry.holder_id:
        raise ValueError("a vacant seat has no personal link")
    value = f"{entry.ballot_id}.{entry.seat_id}.{entry.holder_id}"
    if printed is not None:
        value += f".p{printed.pk}"
    return _signer().sign(value)


def read_token(token: str) -> LinkClaim:
    """The claim a token makes. Raises InvalidLink."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature as exc:
        raise InvalidLink from exc
    parts = value.split(".")
    printed = None
    if len(parts) == 4 and parts[3].startswith("p") and parts[3][1:].isdigit():
        printed = int(parts.pop()[1:])
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise InvalidLink
    return LinkClaim(*(int(part) for part in parts), printed_id=printed)


def link_path(entry, printed=None) -> str:
    """The path of the link, without a language prefix: the page speaks the holder's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("ballots:link", args=[make_token(entry, printed)])


def link_url(entry, base_url: str | None = None, printed=None) -> str:
    return (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + link_path(entry, printed)
