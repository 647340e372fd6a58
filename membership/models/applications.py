"""Applications to join the alliance, and the history of each one's review."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from governance.models import ChainLink

from .contributions import BandTier

MAX_STATEMENT = 3000
MAX_DESCRIPTION = 1000
MAX_MESSAGE = 3000


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


OPEN_STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.INFO_REQUESTED)


class ApplicationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Application(models.Model):
    """An organisation's request to join, as the applicant wrote it. Accepting it admits
    the organisation (governance.services.organisation_admit); the request itself is
    kept as it was, with its history of questions and answers."""

    organisation_name = models.CharField(_("organisation"), max_length=200)
    country = CountryField(_("country"))
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    chain_link = models.CharField(_("link in the chain"), max_length=32, choices=ChainLink.choices)
    organisation = models.ForeignKey(
        "governance.Organisation",
        verbose_name=_("organisation record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        help_text=_("Set when the application names a known organisation, or once accepted."),
    )
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact's account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="membership_applications",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    statement = models.TextField(_("statement of intent"))
    declared_tonnes = models.DecimalField(
        _("cobalt content per year (tonnes)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    declared_tier = models.CharField(
        _("declared band"), max_length=1, choices=BandTier.choices, blank=True
    )
    competition_acknowledged_at = models.DateTimeField(_("competition-law notice acknowledged"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    ballot = models.ForeignKey(
        "governance.Ballot",
        verbose_name=_("ballot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The working group's ballot that decides this admission."),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            # One open application per organisation name, whatever its case.
            models.UniqueConstraint(
                Lower("organisation_name"),
                condition=Q(status__in=["pending", "info_requested"]),
                name="one_open_application_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(declared_tonnes__isnull=True) | Q(declared_tonnes__gte=0),
                name="application_tonnes_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.organisation_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationEvent(models.Model):
    """One step of an application's review, kept as it happened: questions asked,
    answers given, the ballot it waited for, the decision."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        INFO_REQUESTED = "info_requested", _("More information requested")
        ANSWERED = "answered", _("Applicant answered")
        ATTACHED = "attached", _("Put to a ballot")
        DETACHED = "detached", _("Taken off the ballot")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    message = models.TextField(_("message"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")

    def __str__(self) -> str:
        return f"{self.application} · {self.get_kind_display()}"
