from .comments import (
    MAX_COMMENT_LENGTH,
    Comment,
    CommentRevision,
    CommentSource,
    CommentType,
    Disposition,
    DispositionDecision,
)
from .periods import (
    Audience,
    Consultation,
    FollowEmail,
    PeriodState,
    ReminderSent,
    Subscription,
)
from .standards import Clause, DraftVersion, Standard, VersionStatus, new_clause_key

__all__ = [
    "MAX_COMMENT_LENGTH",
    "Audience",
    "Clause",
    "Comment",
    "CommentRevision",
    "CommentSource",
    "CommentType",
    "Consultation",
    "Disposition",
    "DispositionDecision",
    "DraftVersion",
    "PeriodState",
    "ReminderSent",
    "Standard",
    "Subscription",
    "FollowEmail",
    "VersionStatus",
    "new_clause_key",
]

from .discussions import (  # noqa: E402
    MAX_MESSAGE_LENGTH,
    MESSAGE_EDIT_WINDOW_MINUTES,
    CompetitionNoticeAcknowledgement,
    Message,
    SensitiveTerm,
    Thread,
    ThreadKind,
)

__all__ += [
    "MAX_MESSAGE_LENGTH",
    "MESSAGE_EDIT_WINDOW_MINUTES",
    "CompetitionNoticeAcknowledgement",
    "Message",
    "SensitiveTerm",
    "Thread",
    "ThreadKind",
]
