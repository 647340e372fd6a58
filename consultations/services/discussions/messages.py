"""Posting, editing and deleting messages. Stream numbers come from
`Thread.last_sequence` with the thread row locked, so they commit in order."""

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import audit
from governance.models import User
from governance.notices import notify
from governance.ratelimit import RateLimit
from governance.services._base import refuse, require

from ... import discussion_events as events
from ...models import MAX_MESSAGE_LENGTH, MESSAGE_EDIT_WINDOW_MINUTES, Message, Thread
from ...text import plain_text, written_language
from .guardrails import NoticeRequired, has_acknowledged_notice, sensitive_terms_in
from .threads import THREAD_RELATED, can_read_thread, require_poster, thread_get

MESSAGES = RateLimit("message")
EDIT_WINDOW = datetime.timedelta(minutes=MESSAGE_EDIT_WINDOW_MINUTES)
MAX_KEY_LENGTH = 64
MAX_MENTIONS = 20


def _clean_body(body: str) -> str:
    body = plain_text(body if isinstance(body, str) else "")
    if not body:
        refuse(_("The message is empty."), "body")
    if len(body) > MAX_MESSAGE_LENGTH:
        refuse(
            _("A message may be at most %(n)s characters long.") % {"n": MAX_MESSAGE_LENGTH},
            "body",
        )
    return body


def _locked_thread(thread_id: int) -> Thread:
    return (
        Thread.objects.select_for_update(of=("self",))
        .select_related(*THREAD_RELATED)
        .get(pk=thread_id)
    )


def next_number(thread: Thread) -> int:
    """Take the thread's next stream number. Call with the thread row locked."""
    thread.last_sequence += 1
    Thread.objects.filter(pk=thread.pk).update(last_sequence=thread.last_sequence)
    return thread.last_sequence


def _take_number(thread_id: int) -> int:
    """Take the thread's next stream number without reading the thread first. The
    UPDATE locks the row until commit, so numbers commit in the order they were taken."""
    row = Thread.objects.filter(pk=thread_id)
    row.update(last_sequence=F("last_sequence") + 1)
    return row.values_list("last_sequence", flat=True).get()


def message_post(
    *,
    actor,
    thread: Thread,
    body: str,
    idempotency_key: str = "",
    language: str = "",
    now: datetime.datetime | None = None,
) -> Message:
    """Post a message, tagged with the language it was written in: `language` if a site
    language (the socket passes its page's), else the request's. The same idempotency key from the same person in the same thread
    returns the first message instead of making a second (retries after a lost connection, double clicks).

    A message that mentions a sensitive term is held for the secretariat's review: it
    gets no sequence number and no live event until a moderator approves it.
    """
    idempotency_key = (idempotency_key or "")[:MAX_KEY_LENGTH]
    try:
        return _post(
            actor,
            thread.pk,
            body,
            idempotency_key,
            written_language(language),
            now or timezone.now(),
        )
    except IntegrityError:
        # A retry with the same key raced this one and won: its message is the answer.
        first = _already_posted(actor, thread.pk, idempotency_key)
        if first is None:
            raise
        return first


def _already_posted(actor, thread_id: int, idempotency_key: str) -> Message | None:
    if not (idempotency_key and actor and actor.is_authenticated):
        return None
    return Message.objects.filter(
        thread_id=thread_id, author=actor, idempotency_key=idempotency_key
    ).first()


@transaction.atomic
def _post(actor, thread_id: int, body: str, idempotency_key: str, language: str, now) -> Message:
    thread = thread_get(thread_id)
    require_poster(actor, thread)
    existing = _already_posted(actor, thread.pk, idempotency_key)
    if existing is not None:
        return existing
    if not has_acknowledged_notice(actor):
        raise NoticeRequired(
            _("Before your first post, read and acknowledge the competition-law notice.")
        )
    body = _clean_body(body)
    MESSAGES.check(
        str(actor.pk), _("You have posted many messages in a short time. Please wait a minute.")
    )
    group = thread.owning_group()
    held = sensitive_terms_in(body, group)
    message = Message.objects.create(
        thread=thread,
        author=actor,
        body=body,
        language=language,
        idempotency_key=idempotency_key,
        created_at=now,
        held_for_review=bool(held),
        held_terms=held,
        sequence=None if held else _take_number(thread.pk),
    )
    MESSAGES.hit(str(actor.pk))
    audit.record(
        at=now,
        actor=actor,
        action="discussion.message_held" if held else "discussion.message_posted",
        obj=message,
        working_group=group,
        payload={"thread": thread.pk, "sequence": message.sequence, "held_terms": held},
    )
    if not held:
        events.message_created(message)
        notify_readers(message, thread, now)
    return message


MENTION = re.compile(r"(?<![\w.@])@([\w.+-]*\w)")


def notify_readers(message: Message, thread: Thread, now=None) -> None:
    """A published message: those it mentions (@username) and those who posted in the
    thread before are told in the site, as are the thread's followers (after commit,
    each only if they may read the thread)."""
    names = sorted({name.lower() for name in MENTION.findall(message.body)})[:MAX_MENTIONS]
    mentioned = set()
    if names:
        named = Q()
        for name in names:
            named |= Q(username__iexact=name)
        mentioned = set(User.objects.filter(named).values_list("pk", flat=True))
        notify(
            "discussion_mention", message, mentioned, actor=message.author, at=now, followers=False
        )
    earlier = set(
        Message.objects.filter(thread=thread, sequence__isnull=False, deleted_at__isnull=True)
        .exclude(pk=message.pk)
        .values_list("author_id", flat=True)
        .distinct()
    )
    notify("discussion_reply", message, earlier - mentioned, actor=message.author, at=now)


def held_notice(message: Message) -> str:
    """What the author is told when their message waits for the secretariat."""
    return _(
        "Your message mentions %(terms)s. Under the competition-law guardrails the "
        "secretariat reviews such messages first: it will appear once approved."
    ) % {"terms": ", ".join(f"“{t}”" for t in message.held_terms)}


def locked_message(message: Message) -> tuple[Message, Thread]:
    thread = _locked_thread(message.thread_id)
    message = Message.objects.select_for_update().select_related("author").get(pk=message.pk)
    message.thread = thread
    return message, thread


def save_change(
    actor, message: Message, thread: Thread, fields, action: str, announce=None, **payload
):
    """Save a change to a message, record `discussion.<action>` in the audit log and,
    once committed, announce it live with `announce` (a discussion_events sender)."""
    message.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=f"discussion.{action}",
        obj=message,
        working_group=thread.owning_group(),
        payload={"thread": thread.pk, "sequence": message.sequence, **payload},
    )
    if announce is not None:
        announce(message)
    return message


def _require_own_recent(actor, message: Message, now) -> None:
    require(
        bool(actor and actor.is_authenticated and message.author_id == actor.pk),
        _("Only the author may change a message."),
    )
    if message.deleted_at:
        refuse(_("This message was deleted."))
    if message.hidden_at:
        refuse(_("A moderator hid this message; it can no longer be changed."))
    if now - message.created_at > EDIT_WINDOW:
        refuse(
            _("Messages can be changed for %(n)s minutes after posting.")
            % {"n": MESSAGE_EDIT_WINDOW_MINUTES}
        )


def may_change_own(user, message: Message, now=None) -> bool:
    """For pages: whether to offer the author the edit and delete buttons."""
    now = now or timezone.now()
    return bool(
        user
        and user.is_authenticated
        and message.author_id == user.pk
        and not message.deleted_at
        and not message.hidden_at
        and not message.is_rejected
        and now - message.created_at <= EDIT_WINDOW
    )


@transaction.atomic
def message_edit(
    *, actor, message: Message, body: str, now: datetime.datetime | None = None
) -> Message:
    now = now or timezone.now()
    message, thread = locked_message(message)
    _require_own_recent(actor, message, now)
    require(can_read_thread(actor, thread), _("You may no longer take part in this discussion."))
    if message.sequence is None:
        refuse(_("This message is waiting for the secretariat's review."))
    body = _clean_body(body)
    if body == message.body:
        return message
    held = sensitive_terms_in(body, thread.owning_group())
    if held:
        refuse(
            _(
                "Your change mentions %(terms)s, which the secretariat reviews first. "
                "Post it as a new message instead."
            )
            % {"terms": ", ".join(held)},
            "body",
        )
    message.body = body
    message.edited_at = now
    message.changed_seq = next_number(thread)
    fields = ["body", "edited_at", "changed_seq"]
    return save_change(actor, message, thread, fields, "message_edited", events.message_edited)


@transaction.atomic
def message_delete(*, actor, message: Message, now: datetime.datetime | None = None) -> Message:
    """The author takes a message back (within the edit window). Its text is erased."""
    now = now or timezone.now()
    message, thread = locked_message(message)
    _require_own_recent(actor, message, now)
    message.deleted_at = now
    message.body = ""
    fields = ["deleted_at", "body"]
    if message.sequence is not None:
        message.changed_seq = next_number(thread)
        fields.append("changed_seq")
    # A held message was never shown: nobody is told it went.
    announce = events.message_deleted if message.sequence is not None else None
    return save_change(actor, message, thread, fields, "message_deleted", announce)
