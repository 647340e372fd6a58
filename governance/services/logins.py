"""Unlocking password logins that django-axes has locked (governance.login_throttle).

Audit payloads name no address: the log is public in part and kept for good.
"""

from axes.models import AccessAttempt
from django.db import transaction
from django.utils.translation import gettext as _

from .. import audit, permissions
from ..login_throttle import account_key
from ..models import User
from ._base import refuse, require


@transaction.atomic
def login_unlock_account(*, actor, username: str) -> int:
    """Forget an account's failed logins (from every address). Returns rows cleared."""
    key = account_key(None, {"username": username})
    person = User.objects.filter(username__iexact=key).first()
    require(
        permissions.can_unlock_account(actor, person),
        _("You may unlock only the people of the working groups whose seats you manage."),
    )
    attempts = AccessAttempt.objects.select_for_update().filter(username=key)
    rows = list(attempts)
    if not rows:
        refuse(_("This account is not locked."))
    failures = sum(row.failures_since_start for row in rows)
    attempts.delete()
    audit.record(
        actor=actor,
        action="account.login_unlocked",
        obj=person or actor,
        payload={"scope": "account", "known_account": person is not None, "failures": failures},
    )
    return len(rows)


@transaction.atomic
def login_unlock_address(*, actor, address: str) -> int:
    """Forget the failed logins from one address (every account). Returns rows cleared."""
    require(
        permissions.can_unlock_address(actor),
        _("Only a secretariat or a platform admin may unlock an address."),
    )
    attempts = AccessAttempt.objects.select_for_update().filter(ip_address=address)
    rows = list(attempts)
    if not rows:
        refuse(_("This address is not locked."))
    failures = sum(row.failures_since_start for row in rows)
    attempts.delete()
    audit.record(
        actor=actor,
        action="account.login_unlocked",
        obj=actor,
        payload={"scope": "address", "failures": failures},
    )
    return len(rows)
