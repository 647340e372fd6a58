"""Small personal pieces of shared pages: the unread count in the header and the
follow buttons. Both render nothing for anonymous readers (their pages are cached
whole and carry no form token)."""

from django import template

from consultations.models import FollowEmail
from consultations.services.following import can_follow

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in person's unread count, counted once per request."""
    request = context.get("request")
    user = context.get("user")
    if request is None or not (user and user.is_authenticated):
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = selectors.unread_count(user)
    return request._unread_notifications


@register.inclusion_tag("dashboard/_follow_button.html", takes_context=True)
def follow_button(context, target):
    user = context.get("user")
    request = context.get("request")
    if target is None or not (user and user.is_authenticated) or not can_follow(user, target):
        return {"show": False}
    key = selectors.target_key(target)
    return {
        "show": True,
        "key": key,
        "target": target,
        "subscription": selectors.subscription_of(user, key),
        "choices": FollowEmail.choices,
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
