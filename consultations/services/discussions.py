"""Live discussion: threads, messages, moderation and the competition-law guardrails.

Every change goes through a function here, whoever asks (the thread page, the
WebSocket consumer, a command): it checks permission, runs in one transaction,
appends to the audit log (not public), and leaves the live event for after commit.

Stream numbers (see consultations.models.discussions) are taken from
`Thread.last_sequence` with the thread row locked, so they commit in order.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance.models import Ballot, WorkingGroup
from governance.ratelimit import RateLimit
from governance.services._base import refuse, require

from .. import discussion_events as events
from ..models import (
    MAX_MESSAGE_LENGTH,
    MESSAGE_EDIT_WINDOW_MINUTES,
    Audience,
    Clause,
    CompetitionNoticeAcknowledgement,
    Consultation,
    Message,
    SensitiveTerm,
    Thread,
)
from ..text import plain_text

MESSAGES = RateLimit("message")
# Raise when the notice's wording changes: everyone acknowledges the new text once.
COMPETITION_NOTICE_VERSION = "2025-1"
EDIT_WINDOW = datetime.timedelta(minutes=MESSAGE_EDIT_WINDOW_MINUTES)
MAX_KEY_LENGTH = 64


class NoticeRequired(PermissionDenied):
    """The person has not acknowledged the competition-law notice yet."""


# --- Threads ------------------------------------------------------------------


THREAD_RELATED = (
    "consultation__version__standard__working_group",
    "clause",
    "ballot__working_group",
    "working_group",
)


def thread_get(pk: int) -> Thread:
    """A thread with everything its permission checks read (raises Thread.DoesNotExist)."""
    return Thread.objects.select_related(*THREAD_RELATED).get(pk=pk)


def thread_for_consultation(consultation: Consultation, clause: Clause | None = None) -> Thread:
    """The general thread of a comment period, or the one of a clause of its draft."""
    if clause is not None and clause.version_id != consultation.version_id:
        refuse(_("That clause is not part of the draft under comment."))
    thread, _created = Thread.objects.get_or_create(consultation=consultation, clause=clause)
    return thread


def thread_for_ballot(ballot: Ballot) -> Thread:
    thread, _created = Thread.objects.get_or_create(ballot=ballot)
    return thread


def thread_for_group(group: WorkingGroup) -> Thread:
    """The members' room of a working group."""
    thread, _created = Thread.objects.get_or_create(working_group=group)
    return thread


# --- Who may do what (built on governance.permissions) ---------------------------


@dataclass(frozen=True)
class ThreadAccess:
    read: bool
    post: bool
    moderate: bool
    member: bool  # sees who else is viewing


def _members_only(thread: Thread) -> bool:
    return thread.consultation_id is None or thread.consultation.audience == Audience.MEMBERS


def can_read_thread(user, thread: Thread) -> bool:
    group = thread.owning_group()
    if thread.consultation_id:
        return permissions.can_read_consultation(
            user, group, members_only=thread.consultation.audience == Audience.MEMBERS
        )
    return permissions.can_view_private(user, group)


def can_post_thread(user, thread: Thread) -> bool:
    group = thread.owning_group()
    if thread.consultation_id:
        return permissions.can_comment(
            user, group, members_only=thread.consultation.audience == Audience.MEMBERS
        )
    return permissions.can_post_discussion(user, group)


def can_moderate_thread(user, thread: Thread) -> bool:
    return permissions.can_moderate(user, thread.owning_group())


def thread_access(user, thread: Thread) -> ThreadAccess:
    group = thread.owning_group()
    read = can_read_thread(user, thread)
    return ThreadAccess(
        read=read,
        post=read and can_post_thread(user, thread),
        moderate=read and permissions.can_moderate(user, group),
        member=read and permissions.can_view_private(user, group),
    )


def post_refusal(actor, thread: Thread) -> str:
    """Why `actor` may not post in `thread` ("" if they may)."""
    if can_post_thread(actor, thread):
        return ""
    if not (actor and actor.is_authenticated):
        message = _("Log in to take part in the discussion.")
    elif _members_only(thread):
        message = _("Only members of %(group)s may post here.") % {"group": thread.owning_group()}
    elif not getattr(actor, "email_verified", False):
        message = _("Verify your email address before you post.")
    else:
        message = _("You may not post in this discussion.")
    return message


def thread_reader(user, thread: Thread) -> tuple[bool, bool]:
    """(may read, sees who else is viewing) with as few permission look-ups as possible:
    the live consumer asks this again and again."""
    member = permissions.can_view_private(user, thread.owning_group())
    return member or can_read_thread(user, thread), member


def _require_poster(actor, thread: Thread) -> None:
    refusal = post_refusal(actor, thread)
    if refusal:
        raise PermissionDenied(refusal)


# --- Competition-law notice ---------------------------------------------------


def has_acknowledged_notice(person) -> bool:
    if not (person and person.is_authenticated):
        return False
    return CompetitionNoticeAcknowledgement.objects.filter(
        person=person, notice_version=COMPETITION_NOTICE_VERSION
    ).exists()


@transaction.atomic
def acknowledge_competition_notice(
    *, actor, now: datetime.datetime | None = None
) -> CompetitionNoticeAcknowledgement:
    """Record that `actor` read the current notice. Acknowledging again changes nothing."""
    require(bool(actor and actor.is_authenticated), _("Log in to take part in the discussion."))
    now = now or timezone.now()
    ack = CompetitionNoticeAcknowledgement.objects.select_for_update().filter(person=actor).first()
    if ack is not None and ack.notice_version == COMPETITION_NOTICE_VERSION:
        return ack
    if ack is None:
        ack = CompetitionNoticeAcknowledgement(person=actor)
    ack.notice_version = COMPETITION_NOTICE_VERSION
    ack.acknowledged_at = now
    ack.save()
    audit.record(
        actor=actor,
        action="discussion.competition_notice_acknowledged",
        obj=ack,
        payload={"notice_version": COMPETITION_NOTICE_VERSION},
    )
    return ack


# --- Sensitive terms -----------------------------------------------------------


def _term_pattern(term: str) -> re.Pattern:
    # Word boundaries that also hold for terms that start or end with punctuation.
    # Any run of spaces or line breaks between the words of a phrase.
    words = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(r"(?<!\w)" + words + r"(?!\w)", re.IGNORECASE)


def sensitive_terms_in(body: str, group: WorkingGroup | None) -> list[str]:
    """The secretariat's terms (the group's and everyone's) that `body` mentions."""
    scope = Q(working_group__isnull=True)
    if group is not None:
        scope |= Q(working_group=group)
    terms = SensitiveTerm.objects.filter(scope).order_by()
    found = {t for t in terms.values_list("term", flat=True) if _term_pattern(t).search(body)}
    return sorted(found, key=str.lower)


def can_manage_terms(user, group: WorkingGroup | None) -> bool:
    """The secretariat (moderators) keep their group's terms; platform admins everyone's."""
    if group is None:
        return permissions.is_platform_admin(user)
    return permissions.can_moderate(user, group)


@transaction.atomic
def sensitive_term_add(*, actor, term: str, working_group: WorkingGroup | None) -> SensitiveTerm:
    require(
        can_manage_terms(actor, working_group),
        _("Only the secretariat may change the list of sensitive terms."),
    )
    term = " ".join(plain_text(term).split())
    if not term:
        refuse(_("Enter a word or phrase."), "term")
    if len(term) > 100:
        refuse(_("A term may be at most 100 characters long."), "term")
    scope = SensitiveTerm.objects.filter(term__iexact=term, working_group=working_group)
    if scope.exists():
        refuse(_("That term is already on the list."), "term")
    item = SensitiveTerm(term=term, working_group=working_group, created_by=actor)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        refuse(_("That term is already on the list."), "term")
    audit.record(
        actor=actor,
        action="discussion.sensitive_term_added",
        obj=item,
        working_group=working_group,
        payload={"term": term},
    )
    return item


@transaction.atomic
def sensitive_term_remove(*, actor, term: SensitiveTerm) -> None:
    require(
        can_manage_terms(actor, term.working_group),
        _("Only the secretariat may change the list of sensitive terms."),
    )
    audit.record(
        actor=actor,
        action="discussion.sensitive_term_removed",
        obj=term,
        working_group=term.working_group,
        payload={"term": term.term},
    )
    term.delete()


# --- Messages -----------------------------------------------------------------


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


def _next_number(thread: Thread) -> int:
    """Take the thread's next stream number. Call with the thread row locked."""
    thread.last_sequence += 1
    Thread.objects.filter(pk=thread.pk).update(last_sequence=thread.last_sequence)
    return thread.last_sequence


def _take_number(thread_id: int) -> int:
    """Take the thread's next stream number in one statement. The row stays locked
    until commit, so numbers commit in the order they were taken."""
    table = connection.ops.quote_name(Thread._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_sequence = last_sequence + 1 WHERE id = %s "
            "RETURNING last_sequence",
            [thread_id],
        )
        return cursor.fetchone()[0]


def message_post(
    *,
    actor,
    thread: Thread,
    body: str,
    idempotency_key: str = "",
    now: datetime.datetime | None = None,
) -> Message:
    """Post a message. The same idempotency key from the same person returns the first
    message instead of making a second (retries after a lost connection, double clicks).

    A message that mentions a sensitive term is held for the secretariat's review: it
    gets no sequence number and no live event until a moderator approves it.
    """
    idempotency_key = (idempotency_key or "")[:MAX_KEY_LENGTH]
    try:
        return _post(actor, thread.pk, body, idempotency_key, now or timezone.now())
    except IntegrityError:
        # A retry with the same key raced this one and won: its message is the answer.
        first = _already_posted(actor, idempotency_key)
        if first is None:
            raise
        return first


def _already_posted(actor, idempotency_key: str) -> Message | None:
    if not (idempotency_key and actor and actor.is_authenticated):
        return None
    return Message.objects.filter(author=actor, idempotency_key=idempotency_key).first()


@transaction.atomic
def _post(actor, thread_id: int, body: str, idempotency_key: str, now) -> Message:
    thread = thread_get(thread_id)
    _require_poster(actor, thread)
    existing = _already_posted(actor, idempotency_key)
    if existing is not None:
        return existing
    if not has_acknowledged_notice(actor):
        raise NoticeRequired(
            _("Before your first post, read and acknowledge the competition-law notice.")
        )
    body = _clean_body(body)
    if MESSAGES.exceeded(str(actor.pk)):
        refuse(_("You have posted many messages in a short time. Please wait a minute."))
    group = thread.owning_group()
    held = sensitive_terms_in(body, group)
    message = Message.objects.create(
        thread=thread,
        author=actor,
        body=body,
        idempotency_key=idempotency_key,
        created_at=now,
        held_for_review=bool(held),
        held_terms=held,
        sequence=None if held else _take_number(thread.pk),
    )
    MESSAGES.hit(str(actor.pk))
    audit.record(
        actor=actor,
        action="discussion.message_held" if held else "discussion.message_posted",
        obj=message,
        working_group=group,
        payload={"thread": thread.pk, "sequence": message.sequence, "held_terms": held},
    )
    if not held:
        events.message_created(message)
    return message


def held_notice(message: Message) -> str:
    """What the author is told when their message waits for the secretariat."""
    return _(
        "Your message mentions %(terms)s. Under the competition-law guardrails the "
        "secretariat reviews such messages first: it will appear once approved."
    ) % {"terms": ", ".join(f"“{t}”" for t in message.held_terms)}


def _locked_message(message: Message) -> tuple[Message, Thread]:
    thread = _locked_thread(message.thread_id)
    message = Message.objects.select_for_update().select_related("author").get(pk=message.pk)
    message.thread = thread
    return message, thread


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
    message, thread = _locked_message(message)
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
    message.changed_seq = _next_number(thread)
    message.save(update_fields=["body", "edited_at", "changed_seq"])
    audit.record(
        actor=actor,
        action="discussion.message_edited",
        obj=message,
        working_group=thread.owning_group(),
        payload={"thread": thread.pk, "sequence": message.sequence},
    )
    events.message_edited(message)
    return message


@transaction.atomic
def message_delete(*, actor, message: Message, now: datetime.datetime | None = None) -> Message:
    """The author takes a message back (within the edit window). Its text is erased."""
    now = now or timezone.now()
    message, thread = _locked_message(message)
    _require_own_recent(actor, message, now)
    message.deleted_at = now
    message.body = ""
    fields = ["deleted_at", "body"]
    if message.sequence is not None:
        message.changed_seq = _next_number(thread)
        fields.append("changed_seq")
    message.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="discussion.message_deleted",
        obj=message,
        working_group=thread.owning_group(),
        payload={"thread": thread.pk, "sequence": message.sequence},
    )
    if message.sequence is not None:
        events.message_deleted(message)
    return message


def _require_moderator(actor, thread: Thread) -> None:
    require(
        can_moderate_thread(actor, thread),
        _("Only the secretariat and the chair may moderate this discussion."),
    )


@transaction.atomic
def message_hide(
    *, actor, message: Message, reason: str = "", now: datetime.datetime | None = None
) -> Message:
    """A moderator hides a message: it disappears for everyone, live."""
    now = now or timezone.now()
    message, thread = _locked_message(message)
    _require_moderator(actor, thread)
    if message.sequence is None or message.deleted_at:
        refuse(_("Only a posted message can be hidden."))
    if message.hidden_at:
        return message
    message.hidden_at, message.hidden_by = now, actor
    message.changed_seq = _next_number(thread)
    message.save(update_fields=["hidden_at", "hidden_by", "changed_seq"])
    audit.record(
        actor=actor,
        action="discussion.message_hidden",
        obj=message,
        working_group=thread.owning_group(),
        payload={"thread": thread.pk, "sequence": message.sequence, "reason": plain_text(reason)},
    )
    events.message_hidden(message)
    return message


@transaction.atomic
def message_unhide(*, actor, message: Message, now: datetime.datetime | None = None) -> Message:
    """A moderator shows a hidden message again (sent live as an edit)."""
    message, thread = _locked_message(message)
    _require_moderator(actor, thread)
    if not message.hidden_at:
        return message
    message.hidden_at, message.hidden_by = None, None
    message.changed_seq = _next_number(thread)
    message.save(update_fields=["hidden_at", "hidden_by", "changed_seq"])
    audit.record(
        actor=actor,
        action="discussion.message_unhidden",
        obj=message,
        working_group=thread.owning_group(),
        payload={"thread": thread.pk, "sequence": message.sequence},
    )
    events.message_edited(message)
    return message


@transaction.atomic
def message_review(
    *, actor, message: Message, approve: bool, now: datetime.datetime | None = None
) -> Message:
    """A moderator decides on a held message: approved, it joins the stream (and is sent
    live as new); rejected, only its author still sees it, marked as not published."""
    now = now or timezone.now()
    message, thread = _locked_message(message)
    _require_moderator(actor, thread)
    if not message.is_pending:
        refuse(_("This message is not waiting for review."))
    if message.deleted_at:
        refuse(_("The author deleted this message."))
    message.reviewed_at, message.reviewed_by, message.approved = now, actor, approve
    fields = ["reviewed_at", "reviewed_by", "approved"]
    if approve:
        message.sequence = _next_number(thread)
        fields.append("sequence")
    message.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="discussion.message_approved" if approve else "discussion.message_rejected",
        obj=message,
        working_group=thread.owning_group(),
        payload={"thread": thread.pk, "sequence": message.sequence, "terms": message.held_terms},
    )
    if approve:
        events.message_created(message)
    return message


def messages_awaiting_review(user):
    """Held messages in the threads that `user` moderates, oldest first."""
    pending = (
        Message.objects.awaiting_review()
        .select_related("author", *(f"thread__{r}" for r in THREAD_RELATED))
        .order_by("created_at")
    )
    allowed: dict[int, bool] = {}
    result = []
    for message in pending:
        group = message.thread.owning_group()
        if group.pk not in allowed:
            allowed[group.pk] = permissions.can_moderate(user, group)
        if allowed[group.pk]:
            result.append(message)
    return result


def replay(thread: Thread, after: int, limit: int = 500) -> list[Message]:
    """What a client that has seen up to `after` missed, in stream order (one query: every
    number up to the last one returned was committed before it, see the module doc)."""
    return list(thread.messages.changed_after(after).select_related("author")[:limit])
