"""Who may use the membership admin: the secretariat (governance.permissions), never
anyone else, staff included. Nothing here is deleted from the admin: applications,
contributions and payments are records."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from governance import permissions
from governance.models import GroupRole
from governance.models.assignments import today

from ..models import Application, Contribution, ContributionSchedule, ProgrammeFunding


def _is_secretariat(user) -> bool:
    """Asked once per request's user: the admin menu asks every viewset's policy, and
    the answer (a query) is the same for all of them."""
    cached = getattr(user, "_membership_is_secretariat", None)
    if cached is None:
        cached = permissions.is_secretariat(user)
        if getattr(user, "is_authenticated", False):
            user._membership_is_secretariat = cached
    return cached


class SecretariatPolicy(BasePermissionPolicy):
    def __init__(self, model, *, actions=frozenset({"add", "change", "view"})):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and _is_secretariat(user)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        if not self.actions & set(actions):
            return User.objects.none()
        on = today()
        current = Q(group_roles__role=GroupRole.SECRETARIAT, group_roles__start__lte=on) & (
            Q(group_roles__end__isnull=True) | Q(group_roles__end__gte=on)
        )
        return User.objects.filter(Q(is_superuser=True) | current, is_active=True).distinct()


def register_permission_policies() -> None:
    # Applications arrive from the public form; contributions from assessment.
    register_permission_policy(
        Application, SecretariatPolicy(Application, actions={"change", "view"})
    )
    register_permission_policy(
        Contribution, SecretariatPolicy(Contribution, actions={"change", "view"})
    )
    register_permission_policy(ContributionSchedule, SecretariatPolicy(ContributionSchedule))
    register_permission_policy(ProgrammeFunding, SecretariatPolicy(ProgrammeFunding))
