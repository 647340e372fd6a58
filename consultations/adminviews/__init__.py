"""The Wagtail admin for drafting standards (wired up in consultations/wagtail_hooks.py).

policies   which standards and versions a secretariat reaches (its working groups)
forms      parse input (uploads, times in the group's zone), narrow choices
standards  generic Wagtail views for standards, saved through services.standard_save
base       shared plumbing of the drafting table: reach, refusals, forms, confirmations
versions   versions of a standard, a version's page, start, import, schedule, publish
clauses    add, edit, delete, move and renumber a draft's clauses
viewsets   the "Standards" menu
"""

from .policies import register_permission_policies
from .viewsets import StandardsViewSetGroup

__all__ = ["StandardsViewSetGroup", "register_permission_policies"]
