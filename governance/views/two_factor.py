"""Pages of the two-factor road: set up an authenticator app, give a code at login,
see and renew recovery codes, turn it off when optional (governance/two_factor.py)."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from .. import two_factor
from ..services import two_factor as services

TEMPLATES = "accounts/two_factor/"


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _next(request, fallback="accounts:two_factor") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(fallback)


def _refused(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error("token" if "token" in form.fields else None, message)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def setup(request):
    """Scan the QR code (or type the key), then give the first code."""
    enrolled = two_factor.confirmed_app(request.user) is not None
    if enrolled and not request.user.is_verified():
        return redirect(f"{_verify_url()}?{urlencode({'next': _next(request)})}")
    device = services.two_factor_start(actor=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_confirm(
                actor=request.user, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            otp_login(request, device)
            return render(
                request,
                TEMPLATES + "recovery_codes.html",
                {"codes": codes, "next": _next(request), "new": True},
            )
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=4, light="#fff", title=_("QR code for your authenticator app")
    )
    context = {
        "form": form,
        "qr": mark_safe(qr),  # noqa: S308 - SVG made here from our own URL
        "secret": _grouped(secret),
        "next": _next(request),
        "required": two_factor.state(request.user)[0],
    }
    return render(request, TEMPLATES + "setup.html", context, status=400 if form.errors else 200)


def _verify_url() -> str:
    return reverse("accounts:two_factor_verify")


@login_required
def verify(request):
    """The code after the password, once per session."""
    if request.user.is_verified():
        return redirect(_next(request))
    needs, enrolled = two_factor.state(request.user)
    if not enrolled:
        return redirect(_next(request, "accounts:two_factor_setup") if needs else _next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_check(
                actor=request.user, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            otp_login(request, device)
            return redirect(_next(request))
    context = {"form": form, "next": _next(request)}
    return render(request, TEMPLATES + "verify.html", context, status=400 if form.errors else 200)


@login_required
def manage(request):
    needs, enrolled = two_factor.state(request.user)
    context = {
        "required": needs,
        "enrolled": enrolled,
        "codes_left": two_factor.recovery_codes_left(request.user) if enrolled else 0,
        "password_form": PasswordForm(),
    }
    return render(request, TEMPLATES + "manage.html", context)


@require_POST
@login_required
def renew_codes(request):
    try:
        codes = services.recovery_codes_renew(actor=request.user)
    except PermissionDenied as error:  # no app set up: nothing to renew
        messages.error(request, str(error))
        return redirect("accounts:two_factor")
    return render(request, TEMPLATES + "recovery_codes.html", {"codes": codes, "new": False})


@require_POST
@login_required
def disable(request):
    form = PasswordForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_disable(actor=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Two-step login is off."))
    return redirect("accounts:two_factor")
