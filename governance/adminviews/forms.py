"""Admin forms: they parse input and narrow choices to what the user may touch.

The services decide. A form never saves governance state; the views hand its
cleaned values (or its unsaved instance) to a service and turn the service's
refusals into form errors.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .. import permissions
from ..forms.source_text import SourceTextFormMixin
from ..models import Chamber, MembershipStatus, Seat, User, WorkingGroup

DEFAULT_REFUSAL = _("You may not make this change.")


def add_service_error(form, error: ValidationError | PermissionDenied) -> None:
    """Put a service's refusal on the form: on the named field when the form shows
    that field as an input, otherwise above the form."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or str(DEFAULT_REFUSAL))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        editable = field in form.fields and not form.fields[field].disabled
        form.add_error(field if editable and field != NON_FIELD_ERRORS else None, errors)


def _managed_groups(form):
    return permissions.working_groups_managed_by(form.for_user)


class SourceTextAdminForm(SourceTextFormMixin, WagtailAdminModelForm):
    """The admin's base form: translated fields edit the English source."""


class ScopedForm(SourceTextAdminForm):
    """Narrows working-group and seat choices to the groups the user runs, so a forged
    id in the POST fails as an invalid choice before any service is called."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "working_group" in self.fields:
            self.fields["working_group"].queryset = _managed_groups(self)
        if "chamber" in self.fields:
            self.fields["chamber"].queryset = Chamber.objects.select_related("parent")
        if "seat" in self.fields:
            self.fields["seat"].queryset = Seat.objects.filter(
                is_active=True, working_group__in=_managed_groups(self)
            ).select_related("working_group")
        for name in ("person", "facilitator"):
            if name in self.fields:
                self.fields[name].queryset = (
                    User.objects.filter(is_active=True)
                    .select_related("organisation")
                    .order_by("display_name", "username", "pk")
                )
                self.fields[name].label_from_instance = person_label


def person_label(person: User) -> str:
    """Each person once, told apart from namesakes by their organisation."""
    if person.organisation_id:
        return _("%(name)s — %(organisation)s") % {
            "name": person.public_name,
            "organisation": person.organisation.name,
        }
    return _("%(name)s — no organisation") % {"name": person.public_name}


class ServiceValidatedForm(ScopedForm):
    """For changes the service builds itself (starting or ending a term, granting or
    ending a role). The service validates the whole row, constraints included, and
    says why in words meant for people, so the form skips Django's model validation
    (which would refuse the same input as "Constraint … is violated") and leaves
    the instance it was given untouched for the read-only history panels."""

    def _post_clean(self):
        pass


class SeatForm(ScopedForm):
    """A seat cannot move between working groups: on edit the group is shown, not editable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        group_field = self.fields.get("working_group")
        if group_field is None:
            return
        if self.instance.pk:
            group_field.disabled = True
            group_field.queryset = WorkingGroup.objects.filter(pk=self.instance.working_group_id)
        elif not self.is_bound and len(choices := list(group_field.queryset[:2])) == 1:
            group_field.initial = choices[0].pk


class AssignmentStartForm(ServiceValidatedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = self.fields["organisation"].queryset.filter(
                membership_status=MembershipStatus.MEMBER
            )
            self.fields["organisation"].help_text = _(
                "Only member organisations can be represented."
            )


class RoleGrantForm(ServiceValidatedForm):
    """Chairs and secretariats carry management rights; only platform admins grant them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "role" in self.fields and not permissions.is_platform_admin(self.for_user):
            self.fields["role"].choices = [
                (value, label)
                for value, label in self.fields["role"].choices
                if value not in permissions.PRIVILEGED_ROLES
            ]


class TermEndForm(ServiceValidatedForm):
    """Only the last day of a term or role can change; everything else is history."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "end" in self.fields:
            self.fields["end"].required = True
            self.fields["end"].help_text = _("Last day. A term that is over cannot change.")


class ChamberForm(SourceTextAdminForm):
    """Only top-level chambers can be parents (one level of sub-chambers)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "parent" in self.fields:
            parents = Chamber.objects.filter(parent__isnull=True)
            if self.instance.pk:
                parents = parents.exclude(pk=self.instance.pk)
            self.fields["parent"].queryset = parents


__all__ = [
    "AssignmentStartForm",
    "ChamberForm",
    "RoleGrantForm",
    "SeatForm",
    "ServiceValidatedForm",
    "SourceTextAdminForm",
    "TermEndForm",
    "add_service_error",
]
