import re
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+")


def displayable_name(name: str) -> str:
    """A name as public pages and open data show it: never an email address, even
    when one was typed as a username or into an imported spreadsheet."""
    name = (name or "").strip()
    return str(_("(name withheld)")) if _EMAIL_LIKE.search(name) else name


TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz]


class User(AbstractUser):
    """A person. Public pages show `public_name`, never the email address."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "governance.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        blank=True,
        help_text=_("Times are shown in this zone. Empty: Kolwezi time (Africa/Lubumbashi)."),
    )
    email_verified = models.BooleanField(_("email verified"), default=False)
    # A new address asked for on the profile: used only once its link comes back.
    pending_email = models.EmailField(_("new email address, not confirmed yet"), blank=True)
    notifications_enabled = models.BooleanField(_("email notifications"), default=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # Usernames and addresses never collide, in any case and either direction, so
        # that a login name points at one person only: a username with "@" must be the
        # person's own address, addresses are unique and contain "@", usernames are
        # unique whatever their case. (A username equal to another person's address
        # would otherwise take over that person's email login.)
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique_ci"
            ),
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(email="") | models.Q(email__contains="@"),
                name="user_email_has_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(username__contains="@")
                | models.Q(Exact(Lower("username"), Lower("email"))),
                name="user_username_with_at_is_own_email",
            ),
        ]

    @property
    def public_name(self) -> str:
        """The name pages show; see displayable_name."""
        return displayable_name(self.display_name or self.get_full_name() or self.username)

    def __str__(self) -> str:
        return self.public_name
