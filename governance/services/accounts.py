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
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import audit, tokens
from ..emails import render_plain_text, render_subject
from ..models import Organisation, User
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


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    """Addresses are unique whatever their case (constraint user_email_unique_ci)."""
    return User.objects.filter(email__iexact=email.strip()).exclude(pk=exclude_pk).exists()


def username_taken(username: str) -> bool:
    # Case-insensitive, so "Amani" and "amani" can never be two people.
    return User.objects.filter(username__iexact=username).exists()


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
    if username_taken(username):
        refuse(_("That username is taken. Please choose another."), "username")
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
        refuse(_("That username is taken. Please choose another."), "username")
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
    with translation.override(language):
        path = reverse(
            "accounts:verify_email", kwargs={"token": tokens.email_verification_token(user)}
        )
        context = {
            "user": user,
            "verify_url": site_url.rstrip("/") + path,
            "days": tokens.EMAIL_VERIFICATION_MAX_AGE.days,
        }
        subject = render_subject("accounts/email/verify_subject.txt", context)
        body = render_plain_text("accounts/email/verify_body.txt", context)
    send_mail(subject, body, None, [user.email])


__all__ = [
    "PROFILE_FIELDS",
    "account_register",
    "account_verification_resend",
    "account_verify_email",
    "email_taken",
    "profile_update",
    "send_verification_email",
    "username_taken",
]
