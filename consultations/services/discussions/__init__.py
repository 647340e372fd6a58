"""Live discussion: threads, messages, moderation and the competition-law guardrails.

Every change goes through a function here, whoever asks (the thread page, the
WebSocket consumer, a command): it checks permission, runs in one transaction,
appends to the audit log (not public), and leaves the live event for after commit.

    threads     which thread belongs to what; who may read, post, moderate; replay
    guardrails  the competition-law notice and the sensitive terms
    messages    post, edit, delete (stream numbers taken with the thread row locked)
    moderation  hide, show again, review held messages
"""

from .guardrails import (
    COMPETITION_NOTICE_VERSION,
    NoticeRequired,
    acknowledge_competition_notice,
    can_manage_terms,
    has_acknowledged_notice,
    sensitive_term_add,
    sensitive_term_remove,
    sensitive_terms_in,
)
from .messages import (
    MESSAGES,
    held_notice,
    may_change_own,
    message_delete,
    message_edit,
    message_post,
)
from .moderation import message_hide, message_review, message_unhide, messages_awaiting_review
from .threads import (
    ThreadAccess,
    ballot_thread_start,
    can_moderate_thread,
    can_post_thread,
    can_read_thread,
    may_read_ballot_debate,
    post_refusal,
    replay,
    thread_access,
    thread_for_ballot,
    thread_for_consultation,
    thread_for_group,
    thread_get,
    thread_reader,
)

__all__ = [
    "COMPETITION_NOTICE_VERSION",
    "MESSAGES",
    "NoticeRequired",
    "ThreadAccess",
    "acknowledge_competition_notice",
    "can_manage_terms",
    "can_moderate_thread",
    "can_post_thread",
    "can_read_thread",
    "has_acknowledged_notice",
    "held_notice",
    "may_change_own",
    "message_delete",
    "message_edit",
    "message_hide",
    "message_post",
    "message_review",
    "message_unhide",
    "messages_awaiting_review",
    "post_refusal",
    "replay",
    "sensitive_term_add",
    "sensitive_term_remove",
    "sensitive_terms_in",
    "thread_access",
    "thread_for_ballot",
    "ballot_thread_start",
    "may_read_ballot_debate",
    "thread_for_consultation",
    "thread_for_group",
    "thread_get",
    "thread_reader",
]
