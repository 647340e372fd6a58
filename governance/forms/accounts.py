"""Forms for people's own accounts. They validate and render; services save."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from ..models import Organisation, User
from ..models.users import TIME_ZONE_CHOICES
from ..services.accounts import EMAIL_TAKEN, email_taken, username_problem

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length

_NO_AUTOCORRECT = {"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}


def _organisation_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("None, or not listed"),
        help_text=_("The organisation you belong to, if it is already on Chaintable."),
    )


class LoginForm(AuthenticationForm):
    """Log in with a username or an email address (any case) and a password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "We could not log you in with that username or email address and password. "
            "Passwords are case-sensitive."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = _("Username or email address")
        # AuthenticationForm limits this to the username's length; addresses run longer.
        field.max_length = EMAIL_MAX_LENGTH
        field.widget.attrs.update(
            {"maxlength": str(EMAIL_MAX_LENGTH), "autocomplete": "username", **_NO_AUTOCORRECT}
        )

    def clean(self):
        identifier = (self.cleaned_data.get("username") or "").strip()
        # Usernames may contain "@", so an exact username match wins over an address.
        if "@" in identifier and not User.objects.filter(username=identifier).exists():
            username = (
                User.objects.filter(email__iexact=identifier)
                .values_list("username", flat=True)
                .first()
            )
            if username:
                self.cleaned_data["username"] = username
        return super().clean()


class RegisterForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=User._meta.get_field("username").max_length,
        validators=[User.username_validator],
        help_text=_(
            "You log in with it. Letters, digits and @ . + - _ only. Others see your display "
            "name, not this."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", **_NO_AUTOCORRECT}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_("We send a link to confirm it. It is never shown on public pages."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=User._meta.get_field("display_name").max_length,
        help_text=_("Shown with your comments, for example “Amani Kabila”."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organisation = _organisation_field()
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Type the same password again, to be sure of it."),
    )

    def clean_username(self):
        return self.cleaned_data["username"].strip()

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN)
        return email

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("username")
        if username and (problem := username_problem(username, cleaned.get("email") or "")):
            self.add_error("username", problem)
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password2:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                display_name=cleaned.get("display_name", ""),
            )
            try:
                password_validation.validate_password(password2, candidate)
            except forms.ValidationError as error:
                self.add_error("password2", error)
        return cleaned


class ProfileForm(forms.ModelForm):
    """Renders and validates; the view saves through services.accounts.profile_update."""

    class Meta:
        model = User
        fields = [
            "display_name",
            "organisation",
            "preferred_language",
            "time_zone",
            "notifications_enabled",
        ]
        widgets = {"display_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].help_text = _("Shown with your comments and on public pages.")
        self.fields["organisation"] = _organisation_field()
        self.fields["preferred_language"].choices = [
            ("", _("The language of my browser")),
            *((code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES),
        ]
        self.fields["preferred_language"].help_text = _("Pages are shown in this language.")
        self.fields["time_zone"].choices = [
            ("", _("Kolwezi time (Africa/Lubumbashi)")),
            *TIME_ZONE_CHOICES,
        ]
        self.fields["notifications_enabled"].label = _("Send me email notifications")


class EmailChangeForm(forms.Form):
    """A new address, and the password: a borrowed session cannot move the account."""

    email = forms.EmailField(
        label=_("New email address"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_(
            "We send a link to the new address. Your account keeps the current one until "
            "the link is opened."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
