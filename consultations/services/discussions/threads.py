"""Discussion threads: which one belongs to what, and who may read, post or moderate
(built on governance.permissions); the replay a reconnecting client asks for."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from governance import permissions
from governance.models import Ballot, WorkingGroup
from governance.services._base import refuse

from ...models import Audience, Clause, Consultation, Message, Thread

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


def may_read_ballot_debate(user, ballot: Ballot) -> bool:
    """The debate on a motion is for the group's members, and only once they may see
    the ballot itself: a draft's title stays with those who run ballots."""
    return permissions.can_view_ballot(user, ballot) and permissions.can_view_private(
        user, ballot.working_group
    )


def ballot_thread_start(*, actor, ballot: Ballot) -> Thread:
    """Open the debate on a motion (or find it open): someone who may read it and post
    in the group starts it; reading a link never makes a thread."""
    if not (
        may_read_ballot_debate(actor, ballot)
        and permissions.can_post_discussion(actor, ballot.working_group)
    ):
        raise PermissionDenied(_("You may not start a discussion of this ballot."))
    return thread_for_ballot(ballot)


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
    if thread.ballot_id:
        return may_read_ballot_debate(user, thread.ballot)
    if thread.consultation_id:
        return permissions.can_read_consultation(user, group, members_only=_members_only(thread))
    return permissions.can_view_private(user, group)


def can_post_thread(user, thread: Thread) -> bool:
    group = thread.owning_group()
    if thread.consultation_id:
        return permissions.can_comment(user, group, members_only=_members_only(thread))
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
    if thread.ballot_id:  # members, and only once the ballot is theirs to see
        return member and permissions.can_view_ballot(user, thread.ballot), member
    return member or can_read_thread(user, thread), member


def require_poster(actor, thread: Thread) -> None:
    refusal = post_refusal(actor, thread)
    if refusal:
        raise PermissionDenied(refusal)


def replay(thread: Thread, after: int, limit: int = 500) -> list[Message]:
    """What a client that has seen up to `after` missed, in stream order (one query: every
    number up to the last one returned was committed before it, see the module doc)."""
    return list(thread.messages.changed_after(after).select_related("author")[:limit])
