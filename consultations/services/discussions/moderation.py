"""Moderation by the secretariat and the chair: hiding and showing messages, and
deciding on messages held for a sensitive term."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import permissions
from governance.services._base import refuse, require

from ... import discussion_events as events
from ...models import Message, Thread
from ...text import plain_text
from .messages import locked_message, next_number, notify_readers, save_change
from .threads import THREAD_RELATED, can_moderate_thread


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
    message, thread = locked_message(message)
    _require_moderator(actor, thread)
    if message.sequence is None or message.deleted_at:
        refuse(_("Only a posted message can be hidden."))
    if message.hidden_at:
        return message
    message.hidden_at, message.hidden_by = now, actor
    message.changed_seq = next_number(thread)
    fields = ["hidden_at", "hidden_by", "changed_seq"]
    return save_change(
        actor,
        message,
        thread,
        fields,
        "message_hidden",
        events.message_hidden,
        reason=plain_text(reason),
    )


@transaction.atomic
def message_unhide(*, actor, message: Message, now: datetime.datetime | None = None) -> Message:
    """A moderator shows a hidden message again (sent live as an edit)."""
    message, thread = locked_message(message)
    _require_moderator(actor, thread)
    if not message.hidden_at:
        return message
    message.hidden_at, message.hidden_by = None, None
    message.changed_seq = next_number(thread)
    fields = ["hidden_at", "hidden_by", "changed_seq"]
    return save_change(actor, message, thread, fields, "message_unhidden", events.message_edited)


@transaction.atomic
def message_review(
    *, actor, message: Message, approve: bool, now: datetime.datetime | None = None
) -> Message:
    """A moderator decides on a held message: approved, it joins the stream (and is sent
    live as new); rejected, only its author still sees it, marked as not published."""
    now = now or timezone.now()
    message, thread = locked_message(message)
    _require_moderator(actor, thread)
    if not message.is_pending:
        refuse(_("This message is not waiting for review."))
    if message.deleted_at:
        refuse(_("The author deleted this message."))
    message.reviewed_at, message.reviewed_by, message.approved = now, actor, approve
    fields = ["reviewed_at", "reviewed_by", "approved"]
    if approve:
        message.sequence = next_number(thread)
        fields.append("sequence")
        notify_readers(message, thread, now)
    return save_change(
        actor,
        message,
        thread,
        fields,
        "message_approved" if approve else "message_rejected",
        events.message_created if approve else None,
        terms=message.held_terms,
    )


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
