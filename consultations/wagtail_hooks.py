from wagtail import hooks

from .adminviews import StandardsViewSetGroup, register_permission_policies

# Before any viewset asks for a policy: Wagtail would otherwise fall back to plain
# model permissions, which know nothing of working groups.
register_permission_policies()


@hooks.register("register_admin_viewset")
def register_standards_admin():
    return StandardsViewSetGroup()
