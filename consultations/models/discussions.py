"""Live discussion: threads owned by a consultation (general or per clause), a ballot or a
working group (its members' room), their messages, and the competition-law guardrails.

One counter per thread (`Thread.last_sequence`) orders everything that readers see:
a message takes the next number when it becomes visible (`Message.sequence`), and
every later change to it (edit, hide, unhide, delete) takes the next number again
(`Message.changed_seq`). A client that remembers the highest number it has seen can
therefore ask for everything after it and miss nothing. Numbers are taken with the
thread row locked, so they are committed in the order they were given.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

MAX_MESSAGE_LENGTH = 2000
MESSAGE_EDIT_WINDOW_MINUTES = 15


class ThreadKind(models.TextChoices):
    CONSULTATION = "consultation", _("Comment period")
    CLAUSE = "clause", _("Clause")
    BALLOT = "ballot", _("Ballot")
    GROUP = "group", _("Members' room")


class Thread(models.Model):
    """A discussion with exactly one owner: a consultation (with or without a clause),
    a ballot, or a working group. Made lazily by `thread_for_*` in the services."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("comment period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="threads",
    )
    clause = models.ForeignKey(
        "consultations.Clause",
        verbose_name=_("clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="threads",
    )
    ballot = models.ForeignKey(
        "governance.Ballot",
        verbose_name=_("ballot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="threads",
    )
    working_group = models.ForeignKey(
        "governance.WorkingGroup",
        verbose_name=_("working group (members' room)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discussion_threads",
    )
    last_sequence = models.PositiveIntegerField(_("last sequence number"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("discussion thread")
        verbose_name_plural = _("discussion threads")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(consultation__isnull=False, ballot__isnull=True, working_group__isnull=True)
                    | Q(
                        consultation__isnull=True,
                        clause__isnull=True,
                        ballot__isnull=False,
                        working_group__isnull=True,
                    )
                    | Q(
                        consultation__isnull=True,
                        clause__isnull=True,
                        ballot__isnull=True,
                        working_group__isnull=False,
                    )
                ),
                name="thread_exactly_one_owner",
            ),
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(consultation__isnull=False, clause__isnull=True),
                name="one_general_thread_per_consultation",
            ),
            models.UniqueConstraint(
                fields=["consultation", "clause"],
                condition=Q(clause__isnull=False),
                name="one_thread_per_consultation_clause",
            ),
            models.UniqueConstraint(
                fields=["ballot"], condition=Q(ballot__isnull=False), name="one_thread_per_ballot"
            ),
            models.UniqueConstraint(
                fields=["working_group"],
                condition=Q(working_group__isnull=False),
                name="one_members_room_per_group",
            ),
        ]

    def __str__(self) -> str:
        if self.clause_id:
            return _("Discussion of clause %(clause)s") % {"clause": self.clause}
        if self.consultation_id:
            return _("Discussion of %(consultation)s") % {"consultation": self.consultation}
        if self.ballot_id:
            return _("Debate on %(ballot)s") % {"ballot": self.ballot}
        return _("Members' room of %(group)s") % {"group": self.working_group}

    @property
    def kind(self) -> str:
        if self.clause_id:
            return ThreadKind.CLAUSE
        if self.consultation_id:
            return ThreadKind.CONSULTATION
        if self.ballot_id:
            return ThreadKind.BALLOT
        return ThreadKind.GROUP

    @property
    def group_name(self) -> str:
        """The channel-layer group of the thread's live events."""
        return f"thread.{self.pk}"

    def owning_group(self):
        """The working group whose members, moderators and sensitive terms apply."""
        if self.consultation_id:
            return self.consultation.version.standard.working_group
        if self.ballot_id:
            return self.ballot.working_group
        return self.working_group

    @property
    def form_key(self) -> str:
        """A fresh idempotency key for a form that posts to this thread."""
        return uuid.uuid4().hex

    def recent_messages(self, limit: int = 100):
        """The last `limit` visible messages, oldest first (for pages that embed the thread)."""
        newest = list(
            self.messages.visible().select_related("author").order_by("-sequence")[:limit]
        )
        return newest[::-1]


class MessageQuerySet(models.QuerySet):
    def visible(self):
        """Messages readers see in the stream (hidden or deleted ones as placeholders)."""
        return self.filter(sequence__isnull=False)

    def awaiting_review(self):
        return self.filter(held_for_review=True, reviewed_at__isnull=True, deleted_at__isnull=True)

    def changed_after(self, cursor: int):
        """Everything a client that has seen up to `cursor` has not seen, in stream order."""
        return (
            self.visible()
            .annotate(stream_cursor=Coalesce("changed_seq", "sequence"))
            .filter(stream_cursor__gt=cursor)
            .order_by("stream_cursor")
        )


class Message(index.Indexed, models.Model):
    """One message. Its body is plain text (see consultations.text.plain_text).

    `sequence` is empty while the message is held for review (or after it was rejected):
    it is given when the message becomes visible, so readers see numbers without gaps.
    """

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="discussion_messages",
    )
    body = models.TextField(_("message"), max_length=MAX_MESSAGE_LENGTH)
    language = models.CharField(
        _("written in"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the author wrote in (the page's language when they wrote)."),
    )
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    changed_seq = models.PositiveIntegerField(_("sequence of the last change"), null=True)
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("posted"))
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    held_for_review = models.BooleanField(_("held for review"), default=False)
    held_terms = models.JSONField(_("sensitive terms found"), default=list, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved = models.BooleanField(_("approved"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    # Site-wide search (cms.search): who may read a row is decided there, by id.
    search_fields = [
        index.SearchField("body", boost=2),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["thread", "sequence"]
        verbose_name = _("discussion message")
        verbose_name_plural = _("discussion messages")
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "sequence"], name="message_sequence_unique_in_thread"
            ),
            # A key answers for one person's post in one thread: the same key sent
            # to another thread is another message.
            models.UniqueConstraint(
                fields=["thread", "author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="message_idempotency_key_unique_in_thread",
            ),
            models.CheckConstraint(
                condition=Q(sequence__isnull=True) | Q(sequence__gt=0),
                name="message_sequence_positive",
            ),
        ]
        indexes = [models.Index(fields=["thread", "changed_seq"], name="message_changed_seq")]

    def __str__(self) -> str:
        return _("Message %(seq)s in %(thread)s") % {
            "seq": self.sequence or "–",
            "thread": self.thread_id,
        }

    @property
    def cursor(self) -> int | None:
        """The stream position of the message's current state."""
        return self.changed_seq or self.sequence

    @property
    def is_pending(self) -> bool:
        return self.held_for_review and self.reviewed_at is None

    @property
    def is_rejected(self) -> bool:
        return self.reviewed_at is not None and self.approved is False


class CompetitionNoticeAcknowledgement(models.Model):
    """A person read the alliance's competition-law notice before posting anywhere."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="competition_notice_acknowledgement",
    )
    notice_version = models.CharField(_("notice version"), max_length=20)
    acknowledged_at = models.DateTimeField(_("acknowledged"))

    class Meta:
        verbose_name = _("competition-law notice acknowledgement")
        verbose_name_plural = _("competition-law notice acknowledgements")

    def __str__(self) -> str:
        return f"{self.person} · {self.notice_version}"


class SensitiveTerm(models.Model):
    """A word or phrase (prices, volumes, customers, capacity, …) whose mention holds a
    message for the secretariat's review. No working group: applies to every group."""

    working_group = models.ForeignKey(
        "governance.WorkingGroup",
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sensitive_terms",
        help_text=_("Empty: every working group."),
    )
    term = models.CharField(_("term"), max_length=100)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["working_group__name", "term"]
        verbose_name = _("sensitive term")
        verbose_name_plural = _("sensitive terms")
        constraints = [
            models.UniqueConstraint(
                Lower("term"),
                "working_group",
                condition=Q(working_group__isnull=False),
                name="sensitive_term_unique_in_group",
            ),
            models.UniqueConstraint(
                Lower("term"),
                condition=Q(working_group__isnull=True),
                name="sensitive_term_unique_everywhere",
            ),
        ]

    def __str__(self) -> str:
        return self.term
