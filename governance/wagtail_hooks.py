from wagtail import hooks

from .adminviews import GovernanceViewSetGroup, register_permission_policies

# Before any viewset asks for a policy: Wagtail would otherwise fall back to plain
# model permissions, which know nothing of working groups.
register_permission_policies()


@hooks.register("register_admin_viewset")
def register_governance_admin():
    return GovernanceViewSetGroup()
