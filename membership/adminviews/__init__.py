"""The Wagtail admin of joining and contributions (wired up in membership/wagtail_hooks.py).

policies  only the secretariat (governance.permissions.is_secretariat)
forms     the review's small forms, payments, assessment
views     the review queue and each application's page; contributions with payments
          and invoices; schedule and programme funding saved through services
viewsets  the "Membership" menu
"""

from .policies import register_permission_policies
from .viewsets import MembershipViewSetGroup

__all__ = ["MembershipViewSetGroup", "register_permission_policies"]
