import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


def new_clause_key() -> str:
    return uuid.uuid4().hex[:12]


class Standard(index.Indexed, models.Model):
    """A shared standard (e.g. "ASM Cobalt Framework"), drafted by one working group."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    working_group = models.ForeignKey(
        "governance.WorkingGroup",
        verbose_name=_("owning working group"),
        on_delete=models.PROTECT,
        related_name="standards",
    )
    summary = models.TextField(_("summary"), blank=True)

    # Site-wide search (cms.search): who may read a row is decided there, by id;
    # translated texts are indexed in every language.
    search_fields = [
        index.SearchField("title_en", boost=2),
        index.SearchField("title_fr", boost=2),
        index.SearchField("title_sw", boost=2),
        index.SearchField("summary_en"),
        index.SearchField("summary_fr"),
        index.SearchField("summary_sw"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    CONSULTATION = "consultation", _("In consultation")
    SUPERSEDED = "superseded", _("Superseded")
    PUBLISHED = "published", _("Published")


class DraftVersion(models.Model):
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="versions"
    )
    label = models.CharField(_("version label"), max_length=40)
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFTING
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["standard", "created_at"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [
            models.UniqueConstraint(fields=["standard", "label"], name="version_label_unique"),
            # A standard has at most one version in force.
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status="published"),
                name="one_published_version_per_standard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.label}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFTING


class Clause(index.Indexed, models.Model):
    """One clause of a version. `key` follows the clause from one version to the next."""

    version = models.ForeignKey(
        DraftVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="clauses"
    )
    key = models.CharField(_("stable key"), max_length=32, default=new_clause_key)
    number = models.CharField(_("number"), max_length=32)
    heading = models.CharField(_("heading"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    order = models.PositiveIntegerField(_("order"), default=0)

    # Site-wide search (cms.search): who may read a row is decided there, by id;
    # translated texts are indexed in every language.
    search_fields = [
        index.SearchField("number", boost=2),
        index.SearchField("heading_en"),
        index.SearchField("heading_fr"),
        index.SearchField("heading_sw"),
        index.SearchField("body_en"),
        index.SearchField("body_fr"),
        index.SearchField("body_sw"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="clause_key_unique_in_version"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}"
