"""The Wagtail admin for the governance registry (wired up in governance/wagtail_hooks.py).

policies  who may see and change what, from governance.permissions
forms     parse input, narrow choices to the user's working groups
views     generic Wagtail views whose saves go through governance.services
viewsets  the "Governance" menu: working groups, seats, assignments, roles,
          organisations, chambers
"""

from .policies import register_permission_policies
from .viewsets import GovernanceViewSetGroup

__all__ = ["GovernanceViewSetGroup", "register_permission_policies"]
