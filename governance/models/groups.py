from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.search import index

from .organisations import ChainLink


class Chamber(models.Model):
    """A constituency (industry, government, …). Sub-chambers (North/South) have a parent."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent chamber"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_chambers",
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("chamber")
        verbose_name_plural = _("chambers")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="chamber_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} – {self.name}" if self.parent_id else self.name

    @property
    def top_level(self) -> "Chamber":
        return self.parent if self.parent_id else self


class WorkingGroupStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    CLOSED = "closed", _("Closed")


class WorkingGroupQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(status=WorkingGroupStatus.CLOSED)


class WorkingGroup(index.Indexed, ClusterableModel):
    """A group that drafts, consults and decides; its composition rules are data."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    mandate = RichTextField(_("mandate"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WorkingGroupStatus.choices,
        default=WorkingGroupStatus.ACTIVE,
    )
    max_seats = models.PositiveSmallIntegerField(
        _("maximum seats"), null=True, blank=True, help_text=_("Empty: no maximum.")
    )
    reference_time_zone = models.CharField(
        _("reference time zone"), max_length=64, default=settings.TIME_ZONE
    )
    min_public_consultation_days = models.PositiveSmallIntegerField(
        _("minimum length of a public comment period (days)"), default=60
    )

    objects = WorkingGroupQuerySet.as_manager()

    # Site-wide search (cms.search): who may read a row is decided there, by id;
    # translated texts are indexed in every language.
    search_fields = [
        index.SearchField("name_en", boost=2),
        index.SearchField("name_fr", boost=2),
        index.SearchField("name_sw", boost=2),
        index.SearchField("mandate_en"),
        index.SearchField("mandate_fr"),
        index.SearchField("mandate_sw"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        permissions = [
            ("view_private_content", _("View the group's private content")),
            ("comment_members_only", _("Comment in members-only periods")),
            ("post_discussion", _("Post in the members' discussions")),
            ("manage_seats", _("Manage seats, assignments and roles")),
            ("manage_consultations", _("Run comment periods and dispose of comments")),
            ("moderate", _("Moderate discussions")),
            ("run_ballots", _("Run ballots")),
            ("certify_results", _("Certify ballot results")),
            ("record_assisted_votes", _("Record assisted votes")),
            ("translate_texts", _("Translate the group's texts")),
            ("approve_translations", _("Approve translations of the group's texts")),
        ]

    def __str__(self) -> str:
        return self.name


class ChamberQuota(models.Model):
    """Composition rule: the group keeps at least `min_seats` seats in a chamber."""

    working_group = ParentalKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="chamber_quotas"
    )
    chamber = models.ForeignKey(Chamber, verbose_name=_("chamber"), on_delete=models.PROTECT)
    min_seats = models.PositiveSmallIntegerField(_("minimum seats"), default=1)

    class Meta:
        verbose_name = _("chamber minimum")
        verbose_name_plural = _("chamber minimums")
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "chamber"], name="one_quota_per_chamber"
            ),
        ]

    def __str__(self) -> str:
        return _("At least %(n)s seat(s) for %(chamber)s") % {
            "n": self.min_seats,
            "chamber": self.chamber,
        }


class ReservedSeatRule(models.Model):
    """Composition rule: at least `min_seats` current holders represent a matching organisation.

    Criteria left empty match anything; all filled criteria must match.
    """

    working_group = ParentalKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="reserved_seat_rules"
    )
    label = models.CharField(_("label"), max_length=200)
    min_seats = models.PositiveSmallIntegerField(_("minimum seats"), default=1)
    require_non_profit = models.BooleanField(_("non-profit organisations only"), default=False)
    require_represents_artisanal_miners = models.BooleanField(
        _("organisations representing artisanal miners only"), default=False
    )
    country = CountryField(_("country"), blank=True)
    chain_link = models.CharField(
        _("link in the chain"), max_length=32, choices=ChainLink.choices, blank=True
    )

    class Meta:
        verbose_name = _("reserved-seat rule")
        verbose_name_plural = _("reserved-seat rules")

    def __str__(self) -> str:
        return self.label

    def matches(self, organisation) -> bool:
        if organisation is None:
            return False
        return (
            (not self.require_non_profit or organisation.is_non_profit)
            and (
                not self.require_represents_artisanal_miners
                or organisation.represents_artisanal_miners
            )
            and (not self.country or organisation.country == self.country)
            and (not self.chain_link or organisation.chain_link == self.chain_link)
        )


class Seat(models.Model):
    """A seat at the table: votes are cast by seats, never by people."""

    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        related_name="seats",
    )
    chamber = models.ForeignKey(
        Chamber, verbose_name=_("chamber"), on_delete=models.PROTECT, related_name="seats"
    )
    label = models.CharField(_("label"), max_length=120)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=Decimal("1"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilitated_seats",
        help_text=_("May record this seat's assisted (in-person, paper, phone) votes."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["working_group", "chamber__sort_order", "sort_order", "label"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "label"], name="seat_label_unique_in_group"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="seat_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.working_group} · {self.label}"
