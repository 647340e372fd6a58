"""People's own accounts: registering, proving an email address, keeping a profile.

Audit payloads here never hold a password or an email address: the log is
hash-chained and append-only, so what goes in stays for good.
"""

import logging
from functools import partial

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import audit, tokens
from ..emails import render_plain_text, render_subject
from ..models import Organisation, User
from ..permissions import is_platform_admin
from ._base import refuse, require

logger = logging.getLogger(__name__)

# What a person may change about themselves on the profile page.
PROFILE_FIELDS = (
    "display_name",
    "organisation",
    "preferred_language",
    "time_zone",
    "notifications_enabled",
)
_UNSET = object()

EMAIL_TAKEN = gettext_lazy(
    "An account with this email address already exists. Log in, or reset your password "
    "if you have forgotten it."
)


USERNAME_TAKEN = gettext_lazy("That username is taken. Please choose another.")
USERNAME_WITH_AT = gettext_lazy(
    "A username with “@” must be your own email address. Choose a username without “@”, "
    "or use your email address."
)


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    """Another person logs in with this address, as their address or their username
    (any case): constraints user_email_unique_ci and user_username_with_at_is_own_email."""
    email = email.strip()
    return (
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .exclude(pk=exclude_pk)
        .exists()
    )


def username_taken(username: str, *, exclude_pk: int | None = None) -> bool:
    """Another person logs in with this name, as their username or their address (any
    case, so "Amani" and "amani" are never two people)."""
    username = username.strip()
    return (
        User.objects.filter(Q(username__iexact=username) | Q(email__iexact=username))
        .exclude(pk=exclude_pk)
        .exists()
    )


def username_problem(username: str, email: str):
    """Why this username may not go with this address, or None."""
    if "@" in username and username.strip().lower() != email.strip().lower():
        return USERNAME_WITH_AT
    if username_taken(username):
        return USERNAME_TAKEN
    return None


@transaction.atomic
def account_register(
    *,
    actor,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    organisation: Organisation | None = None,
    site_url: str,
) -> User:
    """Open an account for a public stakeholder and send the verification link.

    The account is active at once (they may comment where unverified people may);
    `email_verified` stays False until the link comes back. `site_url` is the
    scheme and host the link should point at, e.g. "https://chaintable.example".
    """
    require(
        not getattr(actor, "is_authenticated", False),
        _("You are logged in: you already have an account."),
    )
    email = User.objects.normalize_email(email.strip())
    username = username.strip()
    if problem := username_problem(username, email):
        refuse(problem, "username")
    if email_taken(email):
        refuse(EMAIL_TAKEN, "email")
    user = User(
        username=username,
        email=email,
        display_name=display_name.strip(),
        organisation=organisation,
        email_verified=False,
        is_active=True,
    )
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError:
        # Someone took the address or username between our check and the insert.
        if email_taken(email):
            refuse(EMAIL_TAKEN, "email")
        refuse(USERNAME_TAKEN, "username")
    audit.record(
        actor=user,
        action="account.registered",
        obj=user,
        payload={"organisation": organisation.pk if organisation else None},
    )
    _send_verification_after_commit(user, site_url)
    return user


@transaction.atomic
def account_verify_email(*, token: str) -> tuple[User, bool]:
    """Mark the address a link was sent to as verified.

    Returns (person, newly_verified). Idempotent: a second visit changes
    nothing and writes no audit event. A bad, expired or superseded link (the
    address changed since) raises ValidationError and changes nothing.
    """
    try:
        claim = tokens.read_email_verification_token(token)
    except tokens.ExpiredToken as expired:
        user = User.objects.filter(pk=expired.claim.user_id, is_active=True).first()
        if user is not None and user.email_verified and expired.claim.matches(user):
            return user, False
        refuse(
            _(
                "This link has expired: links work for three days. Log in and ask for "
                "a new one from your profile page."
            )
        )
    except tokens.InvalidToken:
        refuse(_("This link is not valid. Check that you copied all of it from the email."))
    user = User.objects.select_for_update().filter(pk=claim.user_id, is_active=True).first()
    if user is None or not claim.matches(user):
        refuse(
            _(
                "This link is no longer valid: it was sent to an address that is not on "
                "the account any more."
            )
        )
    if user.email_verified:
        return user, False
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    audit.record(actor=user, action="account.email_verified", obj=user)
    return user, True


@transaction.atomic
def account_verification_resend(*, actor, site_url: str) -> None:
    """Send a fresh verification link to a logged-in person whose address is unproven."""
    require(getattr(actor, "is_authenticated", False), _("Log in to ask for a new link."))
    if actor.email_verified:
        refuse(_("Your email address is already confirmed."))
    if not actor.email:
        refuse(_("Your account has no email address to verify."))
    _send_verification_after_commit(actor, site_url)


@transaction.atomic
def profile_update(
    *,
    actor,
    user: User,
    display_name: str = _UNSET,
    organisation: Organisation | None = _UNSET,
    preferred_language: str = _UNSET,
    time_zone: str = _UNSET,
    notifications_enabled: bool = _UNSET,
) -> list[str]:
    """Change some of a person's own profile fields; returns the names that changed.

    Arguments left out stay as they are. The audit event names the changed
    fields, not their values.
    """
    require(
        getattr(actor, "is_authenticated", False) and actor.pk == user.pk,
        _("You can change only your own profile."),
    )
    wanted = {
        "display_name": display_name.strip() if isinstance(display_name, str) else display_name,
        "organisation": organisation,
        "preferred_language": preferred_language,
        "time_zone": time_zone,
        "notifications_enabled": notifications_enabled,
    }
    stored = User.objects.select_for_update().get(pk=user.pk)
    changed = [
        name
        for name, value in wanted.items()
        if value is not _UNSET and getattr(stored, name) != value
    ]
    if not changed:
        return []
    for name in changed:
        setattr(stored, name, wanted[name])
    stored.full_clean(
        exclude=[f.name for f in User._meta.concrete_fields if f.name not in changed],
        validate_unique=False,
        validate_constraints=False,
    )
    stored.save(update_fields=changed)
    audit.record(
        actor=actor, action="account.profile_updated", obj=stored, payload={"fields": changed}
    )
    for name in changed:
        setattr(user, name, getattr(stored, name))
    return changed


# --- Changing one's address ------------------------------------------------------


@transaction.atomic
def email_change_request(*, actor, user: User, new_email: str, site_url: str) -> None:
    """Ask to move `user` to a new address. Nothing changes but `pending_email` until
    the link sent to the new address comes back (email_change_confirm): the old
    address stays in use, and verified, until then. A person asks for themselves; a
    platform admin may ask for anyone (from the admin's user form)."""
    require(
        getattr(actor, "is_authenticated", False)
        and (actor.pk == user.pk or is_platform_admin(actor)),
        _("You can change only your own email address."),
    )
    new_email = User.objects.normalize_email(new_email.strip())
    stored = User.objects.select_for_update().get(pk=user.pk)
    try:
        User._meta.get_field("email").run_validators(new_email)  # format and length
    except ValidationError:
        refuse(_("Enter a valid email address."), "email")
    if new_email.lower() == stored.email.lower():
        refuse(_("This is already your email address."), "email")
    if email_taken(new_email, exclude_pk=stored.pk):
        refuse(EMAIL_TAKEN, "email")
    stored.pending_email = new_email
    stored.save(update_fields=["pending_email"])
    audit.record(
        actor=actor,
        action="account.email_change_requested",
        obj=stored,
        payload={"by_admin": actor.pk != stored.pk},
    )
    user.pending_email = new_email
    language = stored.preferred_language or translation.get_language()
    transaction.on_commit(
        partial(send_email_change_link, user=stored, site_url=site_url, language=language),
        robust=True,
    )


@transaction.atomic
def email_change_confirm(*, token: str) -> User:
    """The link sent to a new address came back: it becomes the account's (verified)
    address. A username that was the old address follows it. Refuses, changing
    nothing, if the link is bad, expired, superseded, or the address was taken since."""
    try:
        claim = tokens.read_email_verification_token(token, change=True)
    except tokens.ExpiredToken:
        refuse(
            _(
                "This link has expired: links work for three days. Ask again for the change "
                "from your profile page."
            )
        )
    except tokens.InvalidToken:
        refuse(_("This link is not valid. Check that you copied all of it from the email."))
    user = User.objects.select_for_update().filter(pk=claim.user_id, is_active=True).first()
    if user is None or not claim.matches(user):
        refuse(
            _("This link is no longer valid: the account is not waiting for this address any more.")
        )
    new_email = user.pending_email
    if email_taken(new_email, exclude_pk=user.pk):
        refuse(EMAIL_TAKEN)
    fields = ["email", "pending_email", "email_verified"]
    if user.username.lower() == user.email.lower():
        user.username = new_email
        fields.append("username")
    user.email, user.pending_email, user.email_verified = new_email, "", True
    try:
        with transaction.atomic():
            user.save(update_fields=fields)
    except IntegrityError:
        refuse(EMAIL_TAKEN)
    audit.record(
        actor=user,
        action="account.email_changed",
        obj=user,
        payload={"username_followed": "username" in fields},
    )
    return user


@transaction.atomic
def email_change_cancel(*, actor, user: User) -> bool:
    require(
        getattr(actor, "is_authenticated", False) and actor.pk == user.pk,
        _("You can change only your own email address."),
    )
    stored = User.objects.select_for_update().get(pk=user.pk)
    if not stored.pending_email:
        return False
    stored.pending_email = ""
    stored.save(update_fields=["pending_email"])
    user.pending_email = ""
    audit.record(actor=actor, action="account.email_change_cancelled", obj=stored)
    return True


# --- Mail ---------------------------------------------------------------------


def _send_verification_after_commit(user: User, site_url: str) -> None:
    language = user.preferred_language or translation.get_language()
    # robust: a mail server hiccup must not turn a saved registration into an error
    # page; the person can ask for a new link from their profile.
    transaction.on_commit(
        partial(send_verification_email, user=user, site_url=site_url, language=language),
        robust=True,
    )


def send_verification_email(*, user: User, site_url: str, language: str | None = None) -> None:
    token = tokens.email_verification_token(user)
    _send_link(user.email, "verify", "accounts:verify_email", token, user, site_url, language)


def send_email_change_link(*, user: User, site_url: str, language: str | None = None) -> None:
    """To the new address only: proving it is read is the point."""
    token = tokens.email_change_token(user)
    _send_link(
        user.pending_email,
        "change",
        "accounts:confirm_email_change",
        token,
        user,
        site_url,
        language,
    )


def _send_link(address, kind, url_name, token, user, site_url, language) -> None:
    """The email with a link that proves `address` is read (accounts/email/<kind>_*.txt)."""
    with translation.override(language):
        url = site_url.rstrip("/") + reverse(url_name, kwargs={"token": token})
        context = {"user": user, "url": url, "days": tokens.EMAIL_VERIFICATION_MAX_AGE.days}
        subject = render_subject(f"accounts/email/{kind}_subject.txt", context)
        body = render_plain_text(f"accounts/email/{kind}_body.txt", context)
    send_mail(subject, body, None, [address])


__all__ = [
    "PROFILE_FIELDS",
    "email_change_cancel",
    "email_change_confirm",
    "email_change_request",
    "username_problem",
    "account_register",
    "account_verification_resend",
    "account_verify_email",
    "email_taken",
    "profile_update",
    "send_verification_email",
    "username_taken",
]
