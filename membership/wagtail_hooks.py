from wagtail import hooks

from .adminviews import MembershipViewSetGroup, register_permission_policies

# Before any viewset asks for a policy (see governance/wagtail_hooks.py).
register_permission_policies()


@hooks.register("register_admin_viewset")
def register_membership_admin():
    return MembershipViewSetGroup()
