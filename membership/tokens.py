"""The link an applicant follows to answer the secretariat's question.

It carries the application's id and the id of the question (its ApplicationEvent),
signed with a timestamp; nothing is stored. A link answers only the question it was
sent with, only while the application waits for that answer, and for 30 days: a
second question makes the first link useless.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

ANSWER_LINK_MAX_AGE = datetime.timedelta(days=30)
_SALT = "membership.tokens.application-answer"


class InvalidLink(Exception):
    """Not a link we signed, or a damaged one."""


class ExpiredLink(Exception):
    """A link we signed, older than ANSWER_LINK_MAX_AGE."""


@dataclass(frozen=True)
class AnswerClaim:
    application_id: int
    question_id: int


def answer_token(application_id: int, question_id: int) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{application_id}.{question_id}")


def read_answer_token(token: str) -> AnswerClaim:
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=ANSWER_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except signing.BadSignature as exc:
        raise InvalidLink from exc
    parts = value.split(".")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise InvalidLink
    return AnswerClaim(int(parts[0]), int(parts[1]))


def answer_url(application_id: int, question_id: int, language: str) -> str:
    """The full link, in the applicant's language (its page speaks it)."""
    with translation.override(language):
        path = reverse(
            "membership:answer", kwargs={"token": answer_token(application_id, question_id)}
        )
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
