from wagtail import hooks

from . import events
from .adminviews import GovernanceViewSetGroup, register_permission_policies
from .models import User

# Before any viewset asks for a policy: Wagtail would otherwise fall back to plain
# model permissions, which know nothing of working groups.
register_permission_policies()


@hooks.register("register_admin_viewset")
def register_governance_admin():
    return GovernanceViewSetGroup()


@hooks.register("after_bulk_action")
def announce_people_changed_in_bulk(request, action_type, objects, action):
    """The users list's bulk actions (deactivate, change groups) write with update(),
    which sends no post_save: tell those people's open sockets here instead."""
    for person in objects:
        if isinstance(person, User):
            events.access_changed(person.pk)
