from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members of the working group")


class PeriodState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REPORT_PUBLISHED = "report_published", _("Report published")


class ConsultationQuerySet(models.QuerySet):
    """Time windows: a period is open from `opens_at` (inclusive) to `closes_at` (exclusive)."""

    def open(self, at=None):
        at = at or timezone.now()
        return self.filter(opens_at__lte=at, closes_at__gt=at, report_published_at__isnull=True)

    def scheduled(self, at=None):
        return self.filter(opens_at__gt=at or timezone.now())

    def closed(self, at=None):
        return self.filter(closes_at__lte=at or timezone.now())

    def closing_within(self, *, days: int, at=None):
        at = at or timezone.now()
        return self.open(at).filter(closes_at__lte=at + timezone.timedelta(days=days))


class Consultation(index.Indexed, models.Model):
    """A comment period on one draft version. Whether it is open is a matter of the
    clock, so the state is derived from the instants, never stored."""

    version = models.ForeignKey(
        "consultations.DraftVersion",
        verbose_name=_("draft version"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    round_number = models.PositiveSmallIntegerField(_("round"), default=1)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    instructions = models.TextField(_("instructions"), blank=True)
    short_round_justification = models.TextField(
        _("justification for a shorter round"),
        blank=True,
        help_text=_("Required when a public round is shorter than the group's minimum."),
    )
    report_published_at = models.DateTimeField(_("report published"), null=True, blank=True)
    report_summary = models.TextField(_("report summary"), blank=True)

    objects = ConsultationQuerySet.as_manager()

    # Site-wide search (cms.search): who may read a row is decided there, by id;
    # translated texts are indexed in every language.
    search_fields = [
        index.SearchField("instructions_en", boost=2),
        index.SearchField("instructions_fr", boost=2),
        index.SearchField("instructions_sw", boost=2),
        index.SearchField("report_summary"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("comment period")
        verbose_name_plural = _("comment periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="period_closes_after_opening"
            ),
            models.UniqueConstraint(
                fields=["version", "round_number"], name="one_round_number_per_version"
            ),
        ]

    def __str__(self) -> str:
        return _("%(version)s, round %(round)s") % {
            "version": self.version,
            "round": self.round_number,
        }

    def state(self, at=None) -> str:
        at = at or timezone.now()
        if self.report_published_at:
            return PeriodState.REPORT_PUBLISHED
        if at < self.opens_at:
            return PeriodState.SCHEDULED
        if at < self.closes_at:
            return PeriodState.OPEN
        return PeriodState.CLOSED

    def is_open(self, at=None) -> bool:
        return self.state(at) == PeriodState.OPEN

    @property
    def length(self):
        return self.closes_at - self.opens_at


class FollowEmail(models.TextChoices):
    OFF = "off", _("No email")
    IMMEDIATE = "immediate", _("An email at once")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")


class Subscription(models.Model):
    """Someone who follows a working group, a standard or a discussion thread, and how
    they want to hear about it: in the site (notifications at /me/), by email at once,
    or in a daily or weekly digest. Managed at /me/following/
    (consultations.services.following)."""

    person = models.ForeignKey(
        "governance.User", on_delete=models.CASCADE, related_name="consultation_subscriptions"
    )
    working_group = models.ForeignKey(
        "governance.WorkingGroup",
        on_delete=models.CASCADE,
        related_name="subscriptions",
        null=True,
        blank=True,
    )
    standard = models.ForeignKey(
        "consultations.Standard",
        on_delete=models.CASCADE,
        related_name="subscriptions",
        null=True,
        blank=True,
    )
    thread = models.ForeignKey(
        "consultations.Thread",
        on_delete=models.CASCADE,
        related_name="subscriptions",
        null=True,
        blank=True,
    )
    on_site = models.BooleanField(_("in the site"), default=True)
    email = models.CharField(
        _("by email"), max_length=16, choices=FollowEmail.choices, default=FollowEmail.IMMEDIATE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(working_group__isnull=False, standard__isnull=True, thread__isnull=True)
                    | Q(working_group__isnull=True, standard__isnull=False, thread__isnull=True)
                    | Q(working_group__isnull=True, standard__isnull=True, thread__isnull=False)
                ),
                name="subscription_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["person", "working_group"], name="one_subscription_per_group"
            ),
            models.UniqueConstraint(
                fields=["person", "standard"], name="one_subscription_per_standard"
            ),
            models.UniqueConstraint(
                fields=["person", "thread"], name="one_subscription_per_thread"
            ),
        ]

    @property
    def target(self):
        return self.working_group or self.standard or self.thread


class ReminderSent(models.Model):
    """Makes the "7 days / 1 day before close" reminders go out once each."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "kind"], name="one_reminder_per_kind"),
        ]
