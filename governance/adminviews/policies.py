"""Who may do what in the governance admin, as Wagtail permission policies.

Wagtail asks a model's policy before it shows a menu item, a button or a view.
These policies answer from `governance.permissions`, so the admin and the
services agree: model permissions open the door (the "Working-group
secretariats" Django group carries them), the object permission `manage_seats`
decides which working groups' rows are in reach. Nothing in the registry is
deleted from the admin: "delete" is refused for everyone, superusers included.
"""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .. import permissions
from ..models import (
    Chamber,
    Organisation,
    Seat,
    SeatAssignment,
    VotingRule,
    WorkingGroup,
    WorkingGroupRole,
)

NEVER = frozenset({"delete"})


class NoDeletePolicy(ModelPermissionPolicy):
    """Model permissions, minus delete: registry history is retired or ended, never removed."""

    def user_has_permission(self, user, action):
        return action not in NEVER and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = set(actions) - NEVER
        if not allowed:
            return self.auth_model._default_manager.none()
        return super().users_with_any_permission(allowed)


class RegistryPolicy(NoDeletePolicy):
    """Organisations and chambers: listed to whoever may view them, kept by platform admins."""

    def __init__(self, model, *, can_manage: Callable[[object], bool]):
        super().__init__(model)
        self.can_manage = can_manage

    def user_has_permission(self, user, action):
        if action in {"add", "change"}:
            return self.can_manage(user)
        return super().user_has_permission(user, action)


class WorkingGroupScopedPolicy(NoDeletePolicy):
    """Rows that belong to a working group: in reach only where the user manages seats.

    `group_path` is the lookup from the model to its working group ("" for the
    working group itself).
    """

    def __init__(self, model, *, group_path: str):
        super().__init__(model)
        self.group_path = group_path

    def group_of(self, instance: Model) -> WorkingGroup:
        obj = instance
        for step in filter(None, self.group_path.split("__")):
            obj = getattr(obj, step)
        return obj

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and permissions.can_manage_seats(
            user, self.group_of(instance)
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        rows = self.model._default_manager.all()
        if not self.user_has_any_permission(user, actions):
            return rows.none()
        if permissions.is_platform_admin(user):
            return rows
        lookup = f"{self.group_path}__in" if self.group_path else "pk__in"
        return rows.filter(**{lookup: permissions.working_groups_managed_by(user)})


class WorkingGroupPolicy(WorkingGroupScopedPolicy):
    """Platform admins create working groups; a secretariat changes only its own."""

    def __init__(self):
        super().__init__(WorkingGroup, group_path="")

    def user_has_permission(self, user, action):
        if action == "add":
            return permissions.can_create_working_group(user)
        return super().user_has_permission(user, action)


def register_permission_policies() -> None:
    """Register before any viewset is built: Wagtail refuses a policy once it has
    created its fallback for the model."""
    register_permission_policy(
        Organisation, RegistryPolicy(Organisation, can_manage=permissions.can_manage_organisations)
    )
    register_permission_policy(
        Chamber, RegistryPolicy(Chamber, can_manage=permissions.can_manage_chambers)
    )
    register_permission_policy(WorkingGroup, WorkingGroupPolicy())
    from .rules import VotingRulePolicy

    register_permission_policy(VotingRule, VotingRulePolicy(VotingRule))
    for model, path in [
        (Seat, "working_group"),
        (SeatAssignment, "seat__working_group"),
        (WorkingGroupRole, "working_group"),
    ]:
        register_permission_policy(model, WorkingGroupScopedPolicy(model, group_path=path))
