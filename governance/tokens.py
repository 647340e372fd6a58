"""Signed, expiring links that prove a person can read the mail sent to their address.

A link carries the account's id and a keyed fingerprint of its current email
address, signed with a timestamp. Nothing is stored: changing the address
invalidates every link sent to the old one, and the address itself never
appears in the link (URLs end up in logs).
"""

import datetime
from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

EMAIL_VERIFICATION_MAX_AGE = datetime.timedelta(days=3)
_SALT = "governance.tokens.email-verification"
# Links that confirm a new address (a change asked for on the profile) are signed
# apart, and name the address waiting in `pending_email`.
_CHANGE_SALT = "governance.tokens.email-change"


class InvalidToken(Exception):
    """Not a link we signed, or signed for another address."""


@dataclass(frozen=True)
class EmailVerificationClaim:
    user_id: int
    fingerprint: str
    change: bool = False  # a link for the address waiting in `pending_email`

    def matches(self, user) -> bool:
        address = user.pending_email if self.change else user.email
        return (
            user.pk == self.user_id
            and bool(address)
            and constant_time_compare(self.fingerprint, email_fingerprint(user, address))
        )


class ExpiredToken(Exception):
    """A link we signed, older than EMAIL_VERIFICATION_MAX_AGE. Its claim is genuine."""

    def __init__(self, claim: EmailVerificationClaim):
        super().__init__(claim.user_id)
        self.claim = claim


def email_fingerprint(user, address: str | None = None) -> str:
    address = user.email if address is None else address
    return salted_hmac(_SALT, f"{user.pk}:{address.strip().lower()}").hexdigest()[:24]


def email_verification_token(user) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{user.pk}.{email_fingerprint(user)}")


def email_change_token(user) -> str:
    fingerprint = email_fingerprint(user, user.pending_email)
    return signing.TimestampSigner(salt=_CHANGE_SALT).sign(f"{user.pk}.{fingerprint}")


def read_email_verification_token(token: str, *, change: bool = False) -> EmailVerificationClaim:
    """The claim a link makes. Raises InvalidToken or ExpiredToken."""
    signer = signing.TimestampSigner(salt=_CHANGE_SALT if change else _SALT)
    try:
        value = signer.unsign(token)
    except signing.BadSignature as exc:
        raise InvalidToken from exc
    user_id, _, fingerprint = value.partition(".")
    if not user_id.isdigit() or not fingerprint:
        raise InvalidToken
    claim = EmailVerificationClaim(int(user_id), fingerprint, change)
    try:
        signer.unsign(token, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredToken(claim) from exc
    return claim
