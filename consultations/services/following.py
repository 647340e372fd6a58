"""Following a working group, a standard or a discussion thread (consultations.Subscription),
and how to hear of it: in the site, an email at once, a daily or a weekly digest.

A person follows only what they may see; each change is audited (not public: whom a
person follows is their business).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance.models import WorkingGroup
from governance.services._base import refuse, require

from ..models import FollowEmail, Standard, Subscription
from ..models.discussions import Thread
from .discussions.threads import can_read_thread


def followable_group(target):
    """The working group a target belongs to (for the audit log and permissions)."""
    if isinstance(target, WorkingGroup):
        return target
    if isinstance(target, Standard):
        return target.working_group
    return target.owning_group()


def can_follow(user, target) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if isinstance(target, Thread):
        return can_read_thread(user, target)
    return permissions.can_view_group(user, followable_group(target))


def _field(target) -> str:
    if isinstance(target, WorkingGroup):
        return "working_group"
    if isinstance(target, Standard):
        return "standard"
    if isinstance(target, Thread):
        return "thread"
    raise TypeError(f"{target!r} cannot be followed")


@transaction.atomic
def follow_save(
    *, actor, target, on_site: bool = True, email: str = FollowEmail.IMMEDIATE
) -> Subscription:
    """Follow `target` (or change how), through the channels chosen."""
    require(can_follow(actor, target), _("You may not follow this."))
    if email not in FollowEmail.values:
        refuse(_("Choose how to hear by email."), "email")
    if not on_site and email == FollowEmail.OFF:
        refuse(_("Choose at least one way to hear: in the site or by email."))
    subscription, created = Subscription.objects.select_for_update().update_or_create(
        person=actor, **{_field(target): target}, defaults={"on_site": on_site, "email": email}
    )
    audit.record(
        actor=actor,
        action="subscription.created" if created else "subscription.changed",
        obj=subscription,
        working_group=followable_group(target),
        payload={"target": _field(target), "on_site": on_site, "email": email},
    )
    return subscription


@transaction.atomic
def follow_remove(*, actor, subscription: Subscription) -> None:
    """Stop following (one's own subscriptions only)."""
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("working_group", "standard__working_group", "thread")
        .filter(pk=subscription.pk)
        .first()
    )
    if subscription is None:
        return
    require(
        actor and actor.is_authenticated and subscription.person_id == actor.pk,
        _("This is not your subscription."),
    )
    target = subscription.target
    audit.record(
        actor=actor,
        action="subscription.removed",
        obj=subscription,
        working_group=followable_group(target),
        payload={"target": _field(target)},
    )
    subscription.delete()
