"""Enrolling, using and clearing second factors (governance/two_factor.py).

Audit payloads hold no key and no code.
"""

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit, permissions
from ..models import User
from ..two_factor import RECOVERY_CODES, RECOVERY_NAME, TOTP_NAME
from ._base import refuse, require

WRONG_CODE = gettext_lazy(
    "That code is not right. Type the six digits your app shows now, or one of your recovery codes."
)


def _signed_in(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


@transaction.atomic
def two_factor_start(*, actor) -> TOTPDevice:
    """The app to set up: an unconfirmed device with a fresh key (the same one while
    set-up is not finished, so reloading the page keeps the QR code)."""
    require(_signed_in(actor), _("Log in first."))
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=actor, name=TOTP_NAME, confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# Checking a code is not wrapped in the change's transaction: a wrong code must stay
# counted (django-otp slows down guesses), so its refusal cannot roll that back.


def _clean(token: str) -> str:
    return (token or "").strip().replace(" ", "").lower()


def two_factor_confirm(*, actor, device: TOTPDevice, token: str) -> list[str]:
    """The first code from the app proves it is set up: the device is confirmed (any
    earlier app is dropped) and ten recovery codes are made. Returns the codes, to be
    shown once."""
    require(_signed_in(actor) and device.user_id == actor.pk, _("This is not your set-up."))
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
        accepted = device.verify_token(_clean(token))
    if not accepted:
        refuse(WRONG_CODE, "token")
    return _enrol(actor, device)


@transaction.atomic
def _enrol(actor, device: TOTPDevice) -> list[str]:
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, action="account.two_factor_enrolled", obj=actor)
    return codes


def second_factor_check(*, actor, token: str):
    """The device (app or recovery codes) that accepts `token`, or a refusal. A recovery
    code works once (django-otp deletes it); using one is audited."""
    require(_signed_in(actor), _("Log in first."))
    device = match_token(actor, _clean(token))  # its own transaction
    if device is None:
        refuse(WRONG_CODE, "token")
    if isinstance(device, StaticDevice):
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="account.recovery_code_used",
                obj=actor,
                payload={"left": device.token_set.count()},
            )
    return device


@transaction.atomic
def recovery_codes_renew(*, actor) -> list[str]:
    """Ten new codes; the old ones stop working. Call from a verified session."""
    require(
        _signed_in(actor) and TOTPDevice.objects.filter(user=actor, confirmed=True).exists(),
        _("Set up an authenticator app first."),
    )
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, action="account.recovery_codes_renewed", obj=actor)
    return codes


@transaction.atomic
def two_factor_disable(*, actor, password: str) -> None:
    """Someone for whom it is optional turns it off (their password confirms it)."""
    require(_signed_in(actor), _("Log in first."))
    if permissions.needs_second_factor(actor):
        refuse(_("Your role needs a second factor: it cannot be turned off."))
    if not check_password(password, User.objects.get(pk=actor.pk).password):
        refuse(_("That is not your password."), "password")
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    audit.record(actor=actor, action="account.two_factor_disabled", obj=actor)


@transaction.atomic
def two_factor_reset(*, actor, person: User) -> None:
    """A person lost their phone and their codes: their secretariat (or a platform
    admin) clears the devices; the person sets up a new app at their next login."""
    require(
        permissions.can_reset_two_factor(actor, person),
        _("You may reset only the people of the working groups whose seats you manage."),
    )
    deleted, _detail = TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    if not deleted:
        refuse(_("This person has no authenticator app to reset."))
    audit.record(actor=actor, action="account.two_factor_reset", obj=person)
