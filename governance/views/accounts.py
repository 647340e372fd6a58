"""Accounts: log in and out, register, verify an address, profile, passwords.

Views validate with forms and change state only through services.accounts.
Django's auth views do the password work, with our templates and URL names.
"""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from .. import login_throttle
from ..forms.accounts import EmailChangeForm, LoginForm, ProfileForm, RegisterForm
from ..models import User
from ..services import accounts as services
from . import ratelimit

TOO_MANY = gettext_lazy(
    "Too many attempts from your network. Please wait a few minutes and try again."
)


def _site_url(request) -> str:
    """Scheme and host for links in emails (the host is checked against ALLOWED_HOSTS)."""
    return f"{request.scheme}://{request.get_host()}"


def _add_service_errors(form, error: ValidationError, aliases: dict[str, str] | None = None):
    """Show a service's refusal next to the field it is about, or above the form."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, field_errors)


def _too_many(request, template: str, context: dict, limit: ratelimit.RateLimit, text=TOO_MANY):
    messages.error(request, text)
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(limit.retry_after())
    return response


# --- Log in and out -------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Failed attempts are counted by django-axes (governance.login_throttle), on this
    page and on the admin's login alike."""

    form_class = LoginForm
    redirect_authenticated_user = True


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login refused by a lockout, on every login page."""
    seconds = login_throttle.retry_after(request, credentials)
    context = {"minutes": max(1, math.ceil(seconds / 60))}
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule since 5.0): a link or prefetch cannot log anyone out."""


# --- Registration and email verification -----------------------------------------


class RegisterView(FormView):
    form_class = RegisterForm
    template_name = "accounts/register.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("accounts:profile")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        address = ratelimit.client_address(request)
        if ratelimit.REGISTER.exceeded(address):
            return _too_many(
                request,
                self.template_name,
                self.get_context_data(form=RegisterForm()),
                ratelimit.REGISTER,
            )
        ratelimit.REGISTER.hit(address)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = services.account_register(
                actor=self.request.user,
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                organisation=data["organisation"],
                site_url=_site_url(self.request),
            )
        except ValidationError as error:
            _add_service_errors(form, error, {"password": "password2"})
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request,
            _(
                "Welcome to Chaintable. We have sent you an email with a link: open it to "
                "confirm your address."
            ),
        )
        return redirect("accounts:profile")


def verify_email(request, token: str):
    try:
        user, newly_verified = services.account_verify_email(token=token)
    except ValidationError as error:
        context = {"verified": False, "problem": " ".join(error.messages)}
        return render(request, "accounts/verify_email.html", context, status=400)
    context = {"verified": True, "newly_verified": newly_verified, "person": user}
    return render(request, "accounts/verify_email.html", context)


@require_POST
@login_required
def verification_resend(request):
    if ratelimit.VERIFICATION_RESEND.exceeded(f"user:{request.user.pk}"):
        return _too_many(
            request,
            "accounts/profile.html",
            {
                "form": ProfileForm(instance=User.objects.get(pk=request.user.pk)),
                "email_form": EmailChangeForm(user=request.user),
            },
            ratelimit.VERIFICATION_RESEND,
            _("You have asked for several links already. Please try again later."),
        )
    try:
        services.account_verification_resend(actor=request.user, site_url=_site_url(request))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        ratelimit.VERIFICATION_RESEND.hit(f"user:{request.user.pk}")
        messages.success(request, _("We have sent a new link. It works for three days."))
    return redirect("accounts:profile")


# --- Profile ----------------------------------------------------------------------


@login_required
def profile(request):
    # The form works on its own copy, so a refused change never touches request.user.
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        instance=User.objects.get(pk=request.user.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.profile_update(
                actor=request.user,
                user=request.user,
                **{name: form.cleaned_data[name] for name in services.PROFILE_FIELDS},
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if changed:
                messages.success(request, _("Your profile is saved."))
            else:
                messages.info(request, _("Nothing to save: you changed nothing."))
            # Come back in the language just chosen (a prefix in the URL beats the profile).
            language = request.user.preferred_language or translation.get_language()
            with translation.override(language):
                response = redirect(reverse("accounts:profile"))
            # The profile is the choice now: an older switcher choice no longer beats it.
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            return response
    status = 400 if form.errors else 200
    return _profile_page(request, form=form, status=status)


def _profile_page(request, *, form=None, email_form=None, status=200):
    context = {
        "form": form or ProfileForm(instance=User.objects.get(pk=request.user.pk)),
        "email_form": email_form or EmailChangeForm(user=request.user),
    }
    return render(request, "accounts/profile.html", context, status=status)


# --- Changing one's email address ---------------------------------------------------


@require_POST
@login_required
def email_change(request):
    """The new address is used only once the link sent to it comes back."""
    form = EmailChangeForm(request.POST, user=request.user)
    key = f"user:{request.user.pk}"
    if ratelimit.EMAIL_CHANGE.exceeded(key):
        response = _profile_page(request, email_form=form, status=429)
        response["Retry-After"] = str(ratelimit.EMAIL_CHANGE.retry_after())
        messages.error(request, TOO_MANY)
        return response
    if form.is_valid():
        ratelimit.EMAIL_CHANGE.hit(key)
        try:
            services.email_change_request(
                actor=request.user,
                user=request.user,
                new_email=form.cleaned_data["email"],
                site_url=_site_url(request),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "We have sent a link to your new address. Your account uses it once you "
                    "open the link; until then it keeps the current one."
                ),
            )
            return redirect("accounts:profile")
    return _profile_page(request, email_form=form, status=400)


@require_POST
@login_required
def email_change_cancel(request):
    if services.email_change_cancel(actor=request.user, user=request.user):
        messages.success(request, _("The change of address is cancelled."))
    return redirect("accounts:profile")


def confirm_email_change(request, token: str):
    try:
        user = services.email_change_confirm(token=token)
    except ValidationError as error:
        context = {"verified": False, "problem": " ".join(error.messages)}
        return render(request, "accounts/verify_email.html", context, status=400)
    context = {"verified": True, "newly_verified": True, "person": user}
    return render(request, "accounts/verify_email.html", context)


# --- Passwords ----------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        address = ratelimit.client_address(request)
        if ratelimit.PASSWORD_RESET.exceeded(address):
            return _too_many(
                request,
                self.template_name,
                self.get_context_data(form=self.form_class()),
                ratelimit.PASSWORD_RESET,
            )
        ratelimit.PASSWORD_RESET.hit(address)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")
