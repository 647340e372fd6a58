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
    rows, failures = _forget(AccessAttempt.objects.filter(username=key))
    if not rows:
        refuse(_("This account is not locked."))
    audit.record(
        actor=actor,
        action="account.login_unlocked",
        obj=person or actor,
        payload={"scope": "account", "known_account": person is not None, "failures": failures},
    )
    return rows


@transaction.atomic
def login_unlock_address(*, actor, address: str) -> int:
    """Forget the failed logins from one address (every account). Returns rows cleared."""
    require(
        permissions.can_unlock_address(actor),
        _("Only a secretariat or a platform admin may unlock an address."),
    )
    rows, failures = _forget(AccessAttempt.objects.filter(ip_address=address))
    if not rows:
        refuse(_("This address is not locked."))
    audit.record(
        actor=actor,
        action="account.login_unlocked",
        obj=actor,
        payload={"scope": "address", "failures": failures},
    )
    return rows


def _forget(attempts) -> tuple[int, int]:
    """Delete the failed attempts (locked for the transaction); (rows, failures)."""
    rows = list(attempts.select_for_update())
    attempts.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows), sum(row.failures_since_start for row in rows)
