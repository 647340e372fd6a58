"""Personal ballot links: a signed token bound to (ballot, seat, holder on the roll).

The token is the credential of the low-bandwidth ballot page: whoever holds the
link may cast that seat's vote as its holder, so it is sent only to the holder
(SMS or email) and shown only to the secretariat. Nothing is stored: the link is
checked against the roll on every use, it works only while the ballot accepts
votes, and a link for a seat that has voted casts nothing more.

The token is short enough for an SMS: "<ballot>.<seat>.<holder>:<signature>".
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


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def make_token(entry) -> str:
    """The token for a roll entry (`RollEntry` with a holder)."""
    if not entry.holder_id:
        raise ValueError("a vacant seat has no personal link")
    return _signer().sign(f"{entry.ballot_id}.{entry.seat_id}.{entry.holder_id}")


def read_token(token: str) -> LinkClaim:
    """The claim a token makes. Raises InvalidLink."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature as exc:
        raise InvalidLink from exc
    parts = value.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise InvalidLink
    return LinkClaim(*(int(part) for part in parts))


def link_path(entry) -> str:
    """The path of the link, without a language prefix: the page speaks the holder's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("ballots:link", args=[make_token(entry)])


def link_url(entry, base_url: str | None = None) -> str:
    return (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + link_path(entry)
