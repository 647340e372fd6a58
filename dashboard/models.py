"""In-site notifications and the record of digests sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PERIOD_OPENED = "period_opened", _("A comment period opened")
    PERIOD_CLOSING = "period_closing", _("A comment period closes soon")
    PERIOD_EXTENDED = "period_extended", _("A comment period was extended")
    COMMENT_DISPOSED = "comment_disposed", _("Your comment received a response")
    REPORT_PUBLISHED = "report_published", _("A comment-resolution report was published")
    BALLOT_OPENED = "ballot_opened", _("A ballot opened")
    BALLOT_REMINDER = "ballot_reminder", _("A ballot closes soon and your seat has not voted")
    BALLOT_RESULT = "ballot_result", _("A ballot closed: its result")
    DECISION_PUBLISHED = "decision_published", _("A decision was published")
    DISCUSSION_REPLY = "discussion_reply", _("A new message in a discussion")
    DISCUSSION_MENTION = "discussion_mention", _("You were mentioned in a discussion")


class Digest(models.TextChoices):
    NONE = "", _("No digest")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class NotificationQuerySet(models.QuerySet):
    def shown(self):
        """What the person sees in the site (digest-only items are for the email)."""
        return self.filter(on_site=True)

    def unread(self):
        return self.filter(on_site=True, read_at__isnull=True)


class Notification(models.Model):
    """One thing one person should know about, with the object's title and link as
    they were when it happened, in the person's language."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    on_site = models.BooleanField(_("shown in the site"), default=True)
    digest = models.CharField(
        _("digest"), max_length=8, choices=Digest.choices, default=Digest.NONE, blank=True
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_by_recipient"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, on_site=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["digest", "created_at"],
                condition=~Q(digest=""),
                name="notification_for_digest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class DigestSent(models.Model):
    """A digest email that went out: one per person, period and cut-off, so running
    `send_digests` again for the same cut-off sends nothing."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests_sent"
    )
    period = models.CharField(max_length=8, choices=Digest.choices)
    until = models.DateTimeField()
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period", "until"], name="one_digest_per_cutoff"
            ),
        ]
