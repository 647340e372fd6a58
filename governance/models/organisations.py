from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from wagtail.search import index


class ChainLink(models.TextChoices):
    """Where an organisation sits in the cobalt chain, from the pit to the product."""

    ARTISANAL_COOPERATIVE = "asm_cooperative", _("Artisanal mining cooperative")
    TRADER = "trader", _("Trader / buying station")
    INDUSTRIAL_MINER = "industrial_miner", _("Industrial miner")
    REFINER = "refiner", _("Refiner")
    PRECURSOR_CATHODE = "precursor_cathode", _("Precursor & cathode maker")
    BATTERY_CELL = "battery_cell", _("Battery-cell maker")
    AUTOMOTIVE = "automotive", _("Automotive")
    ELECTRONICS = "electronics", _("Electronics")
    FINANCIAL = "financial", _("Financial institution")
    GOVERNMENT = "government", _("Government body")
    ACADEMIC = "academic", _("Academic institution")
    CIVIL_SOCIETY = "civil_society", _("Civil-society organisation")
    OTHER = "other", _("Other")


# The chain from the pit to the product, in order: each stage holds one or more links.
CHAIN_STAGES: tuple[tuple[str, ...], ...] = (
    (ChainLink.ARTISANAL_COOPERATIVE, ChainLink.INDUSTRIAL_MINER),
    (ChainLink.TRADER,),
    (ChainLink.REFINER,),
    (ChainLink.PRECURSOR_CATHODE,),
    (ChainLink.BATTERY_CELL,),
    (ChainLink.AUTOMOTIVE, ChainLink.ELECTRONICS),
)
# Those who stand alongside the chain rather than in it.
SUPPORTING_LINKS: tuple[str, ...] = (
    ChainLink.FINANCIAL,
    ChainLink.GOVERNMENT,
    ChainLink.ACADEMIC,
    ChainLink.CIVIL_SOCIETY,
    ChainLink.OTHER,
)


class MembershipStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    MEMBER = "member", _("Member")
    SUSPENDED = "suspended", _("Suspended")
    FORMER = "former", _("Former member")


class Organisation(index.Indexed, models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    chain_link = models.CharField(_("link in the chain"), max_length=32, choices=ChainLink.choices)
    country = CountryField(_("country"))
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the organisation does, in a few lines.")
    )
    membership_status = models.CharField(
        _("membership status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.APPLICANT,
    )
    chamber = models.ForeignKey(
        "governance.Chamber",
        verbose_name=_("constituency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("The chamber whose interests this organisation brings to the table."),
    )
    is_non_profit = models.BooleanField(_("non-profit"), default=False)
    represents_artisanal_miners = models.BooleanField(
        _("represents artisanal miners"), default=False
    )

    # Site-wide search (cms.search): who may read a row is decided there, by id;
    # translated texts are indexed in every language.
    search_fields = [
        index.SearchField("name", boost=2),
        index.SearchField("description_en"),
        index.SearchField("description_fr"),
        index.SearchField("description_sw"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name
