from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from governance.models.users import displayable_name

MAX_COMMENT_LENGTH = 5000


class CommentType(models.TextChoices):
    """The ISO template's ge / te / ed."""

    GENERAL = "ge", _("General")
    TECHNICAL = "te", _("Technical")
    EDITORIAL = "ed", _("Editorial")


class CommentSource(models.TextChoices):
    WEB = "web", _("Web form")
    IMPORT = "import", _("Imported spreadsheet")
    API = "api", _("API")


class CommentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class Comment(index.Indexed, models.Model):
    """A comment on a clause (or on the draft in general) during a comment period.

    The author's organisation and chamber are copied at the time of commenting, so
    later changes to the registry do not rewrite who said what.
    """

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("comment period"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    clause = models.ForeignKey(
        "consultations.Clause",
        verbose_name=_("clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        help_text=_("Empty: a general comment."),
    )
    paragraph = models.CharField(_("paragraph / figure / table"), max_length=100, blank=True)
    author = models.ForeignKey(
        "governance.User",
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    organisation = models.ForeignKey(
        "governance.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation_name = models.CharField(_("organisation (as given)"), max_length=200, blank=True)
    commenter_name = models.CharField(
        _("commenter (as given)"),
        max_length=200,
        blank=True,
        help_text=_("For imported comments: the person named in the spreadsheet."),
    )
    chamber = models.ForeignKey(
        "governance.Chamber",
        verbose_name=_("chamber"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment_type = models.CharField(_("type"), max_length=2, choices=CommentType.choices)
    body = models.TextField(_("comment"))
    proposed_change = models.TextField(_("proposed change"), blank=True)
    language = models.CharField(
        _("written in"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the author wrote in (the page's language when they wrote)."),
    )
    source = models.CharField(
        _("source"), max_length=8, choices=CommentSource.choices, default=CommentSource.WEB
    )
    submitted_by = models.ForeignKey(
        "governance.User",
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who imported it, when not the author."),
    )
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("last edited"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    # Site-wide search (cms.search): who may read a row is decided there, by id.
    search_fields = [
        index.SearchField("body", boost=2),
        index.SearchField("proposed_change"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["consultation", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            # A double click or a retried request never makes two comments.
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="comment_idempotency_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["consultation", "clause"])]

    def __str__(self) -> str:
        return _("Comment %(id)s by %(author)s") % {"id": self.pk, "author": self.commenter}

    @property
    def commenter(self) -> str:
        return displayable_name(self.commenter_name) or self.author.public_name


class CommentRevision(models.Model):
    """What a comment said before each edit or its withdrawal."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    clause = models.ForeignKey(
        "consultations.Clause", on_delete=models.PROTECT, null=True, related_name="+"
    )
    comment_type = models.CharField(max_length=2, choices=CommentType.choices)
    body = models.TextField()
    proposed_change = models.TextField(blank=True)
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment", "replaced_at", "id"]


class DispositionDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_IN_PART = "accepted_in_part", _("Accepted in part")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    NOTED = "noted", _("Noted")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class Disposition(models.Model):
    """The working group's answer to one comment (one per comment: a database rule)."""

    comment = models.OneToOneField(
        Comment, verbose_name=_("comment"), on_delete=models.PROTECT, related_name="disposition"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=DispositionDecision.choices)
    response = models.TextField(_("response"))
    resulting_clause = models.ForeignKey(
        "consultations.Clause",
        verbose_name=_("resulting clause"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The clause of the next version this comment led to."),
    )
    decided_by = models.ForeignKey("governance.User", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")

    def __str__(self) -> str:
        return self.get_decision_display()
