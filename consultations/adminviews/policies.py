"""Who may see and change standards and drafts in the admin, as Wagtail permission policies.

A chair or secretariat reaches the standards of the working groups whose comment
periods it runs: `permissions.groups_with_consultations_run_by(user)`. Anything else is out
of reach (its URLs are 404s). Nothing is deleted from here: versions are
superseded, not removed. The services check the same predicates again.
"""

from django.db.models import Model, QuerySet
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from governance import permissions
from governance.models import User

from ..models import DraftVersion, Standard

ALLOWED = frozenset({"add", "change", "view"})
_CACHE = "_consultation_group_ids"


def drafting_group_ids(user) -> frozenset[int]:
    """Working groups whose standards the user drafts, cached on the user for the request."""
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    if not hasattr(user, _CACHE):
        groups = permissions.groups_with_consultations_run_by(user)
        setattr(user, _CACHE, frozenset(groups.values_list("pk", flat=True)))
    return getattr(user, _CACHE)


class DraftingPolicy(BasePermissionPolicy):
    """Rows that belong to a working group through `group_path`."""

    def __init__(self, model, *, group_path: str):
        super().__init__(model)
        self.group_path = group_path

    def user_has_permission(self, user, action):
        return action in ALLOWED and bool(drafting_group_ids(user))

    def group_of(self, instance: Model):
        obj = instance
        for step in self.group_path.split("__"):
            obj = getattr(obj, step)
        return obj

    def user_has_permission_for_instance(self, user, action, instance):
        return action in ALLOWED and permissions.can_manage_consultations(
            user, self.group_of(instance)
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        rows = self.model._default_manager.all()
        if not ALLOWED.intersection(actions):
            return rows.none()
        return rows.filter(**{f"{self.group_path}__in": drafting_group_ids(user)})

    def users_with_any_permission(self, actions):
        if not ALLOWED.intersection(actions):
            return User.objects.none()
        return User.objects.filter(is_active=True, is_superuser=True)


def register_permission_policies() -> None:
    """Register before any viewset is built (Wagtail refuses a policy for a model once
    it has made its fallback)."""
    register_permission_policy(Standard, DraftingPolicy(Standard, group_path="working_group"))
    register_permission_policy(
        DraftVersion, DraftingPolicy(DraftVersion, group_path="standard__working_group")
    )
