"""Two factors: a password, then a code from an authenticator app (TOTP), or one of
ten single-use recovery codes. Built on django-otp (devices, verification,
throttling of wrong codes); the services that change devices are in
services/two_factor.py, the pages in views/two_factor.py.

Who must: platform admins, chairs, secretariats, facilitators and anyone let into
the Wagtail admin (permissions.needs_second_factor). Anyone else may enrol; once
enrolled, they too are asked for a code at each login.

The road: a password login opens the session; until a code is given in it,
`SecondFactorMiddleware` sends such a person to set-up (no device yet) or to the
code page, wherever they go — the site and the admin alike — except the pages of
that road, logging out, the open-data API and personal ballot links. Sockets treat
the session as anonymous until then (`session_user`).
"""

from django.db.models import Exists, OuterRef
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import permissions
from .models import User

RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def state(user) -> tuple[bool, bool]:
    """(needs a second factor, has a confirmed app) in one query."""
    if not (user and user.is_authenticated):
        return False, False
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            needs=permissions.second_factor_filter(),
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .values_list("needs", "enrolled")
        .first()
    )
    return row or (False, False)


def confirmed_app(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def session_is_verified(session, user) -> bool:
    """The session holds a code given by one of this person's confirmed devices."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


def session_user(session, user):
    """The person a socket may act as: anonymous until their second factor is given,
    when one is needed."""
    from django.contrib.auth.models import AnonymousUser

    if not (user and user.is_authenticated):
        return user
    needs, enrolled = state(user)
    if (needs or enrolled) and not session_is_verified(session, user):
        return AnonymousUser()
    return user


class SecondFactorScope:
    """ASGI middleware inside channels' AuthMiddlewareStack: a socket whose session has
    not given the second factor it needs is anonymous (session_user)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        from channels.db import database_sync_to_async

        user, session = scope.get("user"), scope.get("session")
        if session is not None and user is not None and user.is_authenticated:
            checked = await database_sync_to_async(session_user)(session, user)
            if checked is not user:
                scope = {**scope, "user": checked}
        return await self.inner(scope, receive, send)
