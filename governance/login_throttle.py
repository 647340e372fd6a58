"""Password logins throttled per account and per address, by django-axes.

Every path that checks a password goes through `django.contrib.auth.authenticate`
with the request (the site's login, the Wagtail admin's), and axes' backend, first
in AUTHENTICATION_BACKENDS, refuses it once the account or the address has failed
too often within LOGIN_LOCKOUT_MINUTES. The two have their own limits: many people
share an address in Kolwezi (a carrier's NAT, a cyber café), so an address may fail
more often than one account.

A locked account keeps its vote: the personal ballot link and the facilitator's
assisted vote need no password, and open sessions stay open. A secretariat can
unlock (services.logins.login_unlock, from the admin's "Locked logins" screen).
"""

import datetime
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from .models import User


def cool_off(request=None) -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def limits() -> dict[str, int]:
    return {
        "username": settings.LOGIN_FAILURES_PER_ACCOUNT,
        "ip_address": settings.LOGIN_FAILURES_PER_ADDRESS,
    }


def account_key(request, credentials) -> str:
    """The account a login attempt is against, however it was named: a username in any
    case, or the account's email address. Unknown names count as themselves."""
    identifier = (credentials or {}).get("username")
    if identifier is None and request is not None:
        identifier = request.POST.get("username", "")
    identifier = str(identifier or "").strip()
    if "@" in identifier:
        username = (
            User.objects.filter(email__iexact=identifier).values_list("username", flat=True).first()
        )
        identifier = username or identifier
    return identifier.lower()[:255]


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler, with a limit for each lockout parameter (limits()).

    Axes compares one number with one AXES_FAILURE_LIMIT; this handler reports the
    failures of the parameter nearest its own limit, scaled so that reaching that
    limit reaches AXES_FAILURE_LIMIT."""

    def get_failures(self, request, credentials=None) -> int:
        scale, own_limits = settings.AXES_FAILURE_LIMIT, limits()
        parameters = get_lockout_parameters(request, credentials)
        worst = 0.0
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures / own_limits[parameter])
        return math.floor(worst * scale)


def retry_after(request, credentials) -> int:
    """Whole seconds until the lockout of this account or address can end (at most the
    cool-off: failures during a lockout are not counted, so it does not grow)."""
    since = timezone.now() - cool_off()
    username = account_key(request, credentials)
    address = getattr(request, "axes_ip_address", None)
    latest = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=address), attempt_time__gte=since
    ).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return 1
    return max(1, math.ceil((latest + cool_off() - timezone.now()).total_seconds()))


# --- Reads for the "Locked logins" screen ---------------------------------------------


def current_lockouts() -> dict[str, list[dict]]:
    """Accounts and addresses locked now: {"accounts": [...], "addresses": [...]}, each
    with its failures and when the lockout ends."""
    since = timezone.now() - cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    found = {}
    for kind, field in (("accounts", "username"), ("addresses", "ip_address")):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
            .filter(failures__gte=limits()[field])
            .order_by("-latest")
        )
        found[kind] = [
            {
                "key": row[field],
                "failures": row["failures"],
                "until": row["latest"] + cool_off(),
            }
            for row in rows
        ]
    keys = [row["key"] for row in found["accounts"]]
    people = {
        person.username.lower(): person
        for person in User.objects.annotate(key=Lower("username")).filter(key__in=keys)
    }
    for row in found["accounts"]:
        row["person"] = people.get(row["key"])
    return found
