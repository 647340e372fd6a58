"""What members pay: the yearly schedule of bands, each member's declaration and
yearly contribution, the payments received, invoices, and what went to the mine."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from governance.models import ChainLink


class BandTier(models.TextChoices):
    A = "A", _("Band A")
    B = "B", _("Band B")
    C = "C", _("Band C")
    D = "D", _("Band D")
    E = "E", _("Band E")
    F = "F", _("Band F")


class Currency(models.TextChoices):
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")
    CDF = "CDF", _("Congolese franc")


MONEY = {"max_digits": 12, "decimal_places": 2}
TONNES = {"max_digits": 10, "decimal_places": 2}


class ContributionSchedule(ClusterableModel):
    """The bands members pay by, for one year. A year that has begun is never edited:
    changing it makes the next year's version (membership.services.schedule_save)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("contribution schedule")
        verbose_name_plural = _("contribution schedules")

    def __str__(self) -> str:
        return str(self.year)


class ContributionBand(models.Model):
    """Members of `chain_link` whose declared cobalt content per year is at least
    `min_tonnes` and below `max_tonnes` (no upper bound when empty) pay `amount` a
    year. A link with no band in the schedule pays nothing."""

    schedule = ParentalKey(ContributionSchedule, on_delete=models.CASCADE, related_name="bands")
    chain_link = models.CharField(_("link in the chain"), max_length=32, choices=ChainLink.choices)
    tier = models.CharField(_("band"), max_length=1, choices=BandTier.choices)
    min_tonnes = models.DecimalField(_("from (tonnes, included)"), default=Decimal(0), **TONNES)
    max_tonnes = models.DecimalField(
        _("up to (tonnes, excluded)"),
        null=True,
        blank=True,
        help_text=_("Empty: no upper limit."),
        **TONNES,
    )
    amount = models.DecimalField(_("yearly contribution"), **MONEY)

    class Meta:
        ordering = ["chain_link", "min_tonnes"]
        verbose_name = _("contribution band")
        verbose_name_plural = _("contribution bands")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "chain_link", "tier"], name="one_band_per_tier_and_link"
            ),
            models.CheckConstraint(condition=Q(min_tonnes__gte=0), name="band_min_not_negative"),
            models.CheckConstraint(
                condition=Q(max_tonnes__isnull=True) | Q(max_tonnes__gt=F("min_tonnes")),
                name="band_max_above_min",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="band_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_chain_link_display()} · {self.get_tier_display()}"


class Membership(models.Model):
    """A member organisation's standing declaration: its cobalt dependency (tonnes of
    cobalt content a year, or a band), its contact, and whether it publishes what it pays."""

    organisation = models.OneToOneField(
        "governance.Organisation", on_delete=models.PROTECT, related_name="membership"
    )
    declared_tonnes = models.DecimalField(
        _("cobalt content per year (tonnes)"), null=True, blank=True, **TONNES
    )
    declared_tier = models.CharField(
        _("declared band"), max_length=1, choices=BandTier.choices, blank=True
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    publish_contribution = models.BooleanField(
        _("publish our band and contribution"),
        default=False,
        help_text=_("Shown on the public profile and in the transparency figures."),
    )
    admitted_on = models.DateField(_("admitted on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(declared_tonnes__isnull=True) | Q(declared_tonnes__gte=0),
                name="membership_tonnes_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class PaymentStatus(models.TextChoices):
    NOTHING_DUE = "nothing_due", _("Nothing due")
    UNPAID = "unpaid", _("Not paid yet")
    PART_PAID = "part_paid", _("Partly paid")
    PAID = "paid", _("Paid")


class Contribution(models.Model):
    """What one member owes for one year, as assessed from that year's schedule. The
    band, amount and currency are copied at assessment, like a ballot's roll, so a
    later schedule or declaration never changes a past year."""

    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.PROTECT, related_name="contributions"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    schedule = models.ForeignKey(
        ContributionSchedule, on_delete=models.PROTECT, related_name="contributions"
    )
    chain_link = models.CharField(_("link in the chain"), max_length=32, choices=ChainLink.choices)
    tier = models.CharField(_("band"), max_length=1, choices=BandTier.choices, blank=True)
    declared_tonnes = models.DecimalField(_("declared tonnes"), null=True, blank=True, **TONNES)
    amount = models.DecimalField(_("yearly contribution"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)

    class Meta:
        ordering = ["-year", "organisation__name"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="one_contribution_per_member_and_year"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="contribution_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.year}"

    def payment_status(self, paid: Decimal) -> str:
        if self.amount == 0:
            return PaymentStatus.NOTHING_DUE
        if paid >= self.amount:
            return PaymentStatus.PAID
        return PaymentStatus.PART_PAID if paid > 0 else PaymentStatus.UNPAID


class Payment(models.Model):
    """Money received against a contribution, as the secretariat recorded it."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount received"), **MONEY)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contribution} · {self.amount}"


class Invoice(models.Model):
    """An invoice sent for a contribution. The PDF is drawn from these fields each time
    it is downloaded, so it always reads as it was sent."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    amount_due = models.DecimalField(_("amount due"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(condition=Q(amount_due__gt=0), name="invoice_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class ProgrammeFunding(models.Model):
    """How much of a year's pooled contributions went to the programme at the mine,
    as the secretariat entered it. Public."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.DecimalField(_("amount to the programme at the mine"), **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    note = models.TextField(_("what it paid for"), blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("programme funding")
        verbose_name_plural = _("programme funding")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="programme_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)
