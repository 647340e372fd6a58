"""Wagtail's users admin with our rules on login names: a username and an address never
collide with anyone's (services.accounts.username_problem / email_taken), and an
address changes only through the link sent to it, from the person's profile."""

from django.utils.translation import gettext_lazy as _
from wagtail.users import forms as wagtail_forms
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from ..services.accounts import (
    EMAIL_TAKEN,
    USERNAME_TAKEN,
    USERNAME_WITH_AT,
    email_taken,
    username_taken,
)


class _LoginNames:
    def clean(self):
        cleaned = super().clean()
        username = (cleaned.get("username") or "").strip()
        email = (cleaned.get("email") or "").strip()
        pk = self.instance.pk
        if username:
            if "@" in username and username.lower() != email.lower():
                self.add_error("username", USERNAME_WITH_AT)
            elif username_taken(username, exclude_pk=pk):
                self.add_error("username", USERNAME_TAKEN)
        if email and email_taken(email, exclude_pk=pk):
            self.add_error("email", EMAIL_TAKEN)
        return cleaned


class UserCreationForm(_LoginNames, wagtail_forms.UserCreationForm):
    pass


class UserEditForm(_LoginNames, wagtail_forms.UserEditForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.disabled = True
        email.help_text = _(
            "People change their address from their profile: the new one is used once "
            "they open the link sent to it."
        )


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm


__all__ = ["UserCreationForm", "UserEditForm", "UserViewSet"]
