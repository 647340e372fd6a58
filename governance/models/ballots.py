"""Ballots: votes are cast by seats, against a roll snapshotted when the ballot opens.

Secret ballots keep who took part (`Participation`) apart from what was chosen
(`SecretChoice`): no column, key, ordering or timestamp links the two tables.
"""

import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from ..storage import attestation_scan_name, private_storage

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over a phone


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))


class VotingRule(models.Model):
    """How a working group's ballots count (see governance/tally.py for the arithmetic)."""

    class Method(models.TextChoices):
        THRESHOLD = "threshold", _("Threshold (majority or supermajority)")
        ISO = "iso", _("ISO two conditions (≥ 2/3 for, ≤ 1/4 against)")
        CONSENSUS = "consensus", _("Consensus (no sustained objection)")
        PLURALITY = "plurality", _("Most votes among custom choices")

    class Threshold(models.TextChoices):
        HALF = "1/2", _("Simple majority (more than half)")
        TWO_THIRDS = "2/3", _("Two thirds")
        THREE_QUARTERS = "3/4", _("Three quarters")

    class Base(models.TextChoices):
        CAST = "cast", _("Of votes cast")
        ELIGIBLE = "eligible", _("Of eligible seats")

    class Weighting(models.TextChoices):
        NONE = "none", _("Each seat counts its weight")
        EQUAL = "equal", _("Each chamber counts equally")
        EQUAL_SUBCHAMBERS = "equal_subchambers", _("Each chamber equally, split into sub-chambers")

    working_group = models.ForeignKey(
        "governance.WorkingGroup",
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        related_name="voting_rules",
    )
    name = models.CharField(_("name"), max_length=120)
    method = models.CharField(
        _("method"), max_length=16, choices=Method.choices, default=Method.THRESHOLD
    )
    threshold = models.CharField(
        _("threshold"), max_length=8, choices=Threshold.choices, default=Threshold.HALF
    )
    base = models.CharField(_("base"), max_length=8, choices=Base.choices, default=Base.CAST)
    abstentions_count = models.BooleanField(_("abstentions count in the base"), default=False)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (% of eligible seats)"), default=0)
    chamber_quorum_percent = models.PositiveSmallIntegerField(
        _("quorum in each chamber (%)"), default=0
    )
    chamber_weighting = models.CharField(
        _("chamber weighting"), max_length=20, choices=Weighting.choices, default=Weighting.NONE
    )
    block_threshold = models.PositiveSmallIntegerField(
        _("chamber block"),
        null=True,
        blank=True,
        help_text=_(
            "This many votes against in any one chamber defeat the motion. Empty: no block."
        ),
    )
    allow_vote_change = models.BooleanField(
        _("votes may be changed until close (roll-call ballots)"), default=True
    )
    allow_early_close = models.BooleanField(
        _("the chair may close early once every seat has voted"), default=True
    )
    min_cell = models.PositiveSmallIntegerField(
        _("smallest published chamber count (secret ballots)"), default=3
    )

    class Meta:
        ordering = ["working_group", "name"]
        verbose_name = _("voting rule")
        verbose_name_plural = _("voting rules")
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "name"], name="voting_rule_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100) & Q(chamber_quorum_percent__lte=100),
                name="voting_rule_quorum_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_snapshot(self) -> dict:
        return {
            "name": self.name,
            "method": self.method,
            "threshold": self.threshold,
            "base": self.base,
            "abstentions_count": self.abstentions_count,
            "quorum_percent": self.quorum_percent,
            "chamber_quorum_percent": self.chamber_quorum_percent,
            "chamber_weighting": self.chamber_weighting,
            "block_threshold": self.block_threshold,
            "allow_vote_change": self.allow_vote_change,
            "allow_early_close": self.allow_early_close,
            "min_cell": self.min_cell,
        }


class BallotStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CERTIFIED = "certified", _("Certified")
    CANCELLED = "cancelled", _("Cancelled")


class Secrecy(models.TextChoices):
    ROLL_CALL = "roll_call", _("Roll-call (who voted how is public)")
    SECRET = "secret", _("Secret")


class OptionSet(models.TextChoices):
    MOTION = "motion", _("For / against / abstain")
    CONSENT = "consent", _("Consent / objection (with a reason)")
    CUSTOM = "custom", _("Custom choices")


class BallotQuerySet(models.QuerySet):
    def due_to_close(self, at=None):
        return self.filter(status=BallotStatus.OPEN, closes_at__lte=at or timezone.now())


class Ballot(index.Indexed, models.Model):
    working_group = models.ForeignKey(
        "governance.WorkingGroup",
        verbose_name=_("working group"),
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    title = models.CharField(_("title"), max_length=200)
    motion = models.TextField(_("motion"))
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    option_set = models.CharField(
        _("options"), max_length=8, choices=OptionSet.choices, default=OptionSet.MOTION
    )
    rule = models.ForeignKey(
        VotingRule, verbose_name=_("voting rule"), on_delete=models.PROTECT, related_name="ballots"
    )
    rule_snapshot = models.JSONField(_("rule as applied"), default=dict, blank=True)
    secrecy = models.CharField(
        _("secrecy"), max_length=12, choices=Secrecy.choices, default=Secrecy.ROLL_CALL
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(
        _("status"), max_length=12, choices=BallotStatus.choices, default=BallotStatus.DRAFT
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    certified_at = models.DateTimeField(_("certified"), null=True, blank=True)
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    translation_waiver = models.TextField(
        _("why it opens before every translation is approved"), blank=True
    )
    result = models.JSONField(_("result"), null=True, blank=True)
    explanations = models.JSONField(_("explanation by language"), default=dict, blank=True)

    objects = BallotQuerySet.as_manager()

    # Site-wide search (cms.search): who may read a row is decided there, by id;
    # translated texts are indexed in every language.
    search_fields = [
        index.SearchField("title_en", boost=2),
        index.SearchField("title_fr", boost=2),
        index.SearchField("title_sw", boost=2),
        index.SearchField("motion_en"),
        index.SearchField("motion_fr"),
        index.SearchField("motion_sw"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="ballot_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_secret(self) -> bool:
        return self.secrecy == Secrecy.SECRET

    def is_accepting_votes(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == BallotStatus.OPEN and self.opens_at <= at < self.closes_at

    def explanation(self, language: str) -> str:
        return self.explanations.get(language) or self.explanations.get(settings.LANGUAGE_CODE, "")


class BallotOption(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    requires_reason = models.BooleanField(_("requires a reason"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ballot", "order"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "key"], name="option_key_unique_in_ballot")
        ]

    def __str__(self) -> str:
        return self.label


class RollEntry(models.Model):
    """A seat eligible on a ballot, frozen when it opened (chamber, weight, who sits)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="roll")
    seat = models.ForeignKey("governance.Seat", on_delete=models.PROTECT, related_name="+")
    chamber = models.ForeignKey("governance.Chamber", on_delete=models.PROTECT, related_name="+")
    sub_chamber = models.ForeignKey(
        "governance.Chamber", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weight = models.DecimalField(max_digits=6, decimal_places=3)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    alternate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["ballot", "chamber__sort_order", "seat__sort_order", "seat__label"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "seat"], name="one_roll_entry_per_seat")
        ]

    def __str__(self) -> str:
        return f"{self.ballot} · {self.seat.label}"


class Delegation(models.Model):
    """A holder names a proxy for one ballot; revocable until the proxy has voted."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="delegations")
    seat = models.ForeignKey("governance.Seat", on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proxy = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proxy_delegations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "seat"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_delegation_per_seat",
            ),
        ]


class CastAs(models.TextChoices):
    HOLDER = "holder", _("Holder")
    ALTERNATE = "alternate", _("Alternate")
    PROXY = "proxy", _("Proxy")
    FACILITATOR = "facilitator", _("Facilitator (assisted vote)")


class CastChannel(models.TextChoices):
    WEB = "web", _("Web")
    LINK = "link", _("Personal link")
    PRINTED = "printed", _("Printed link")
    ASSISTED = "assisted", _("Assisted")


class PrintedLink(models.Model):
    """A seat's personal link printed on paper for a holder who has no email address:
    who printed it, before which witness, when. Each printout is its own link (its id
    is in the signed token), and a vote cast through it says so (CastChannel.PRINTED)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="printed_links")
    seat = models.ForeignKey("governance.Seat", on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    witness = models.CharField(_("witness"), max_length=200)
    printed_at = models.DateTimeField(_("printed"), default=timezone.now)

    class Meta:
        ordering = ["ballot", "printed_at"]
        verbose_name = _("printed link")
        verbose_name_plural = _("printed links")


class Participation(models.Model):
    """That a seat voted, when, through whom, and its receipt code. One per seat and
    ballot: the database guarantees exactly one counted vote per seat. For roll-call
    ballots the choice sits beside it in `RollCallChoice`; for secret ones it is in
    `SecretChoice`, which holds no receipt: the receipt proves that a seat's vote was
    counted, never what it was.

    `idempotency_key` comes from the form that cast the vote: the same form sent again
    (a double click, a retry after a lost answer) gets the first receipt back."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="participations")
    seat = models.ForeignKey("governance.Seat", on_delete=models.PROTECT, related_name="+")
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cast_as = models.CharField(max_length=12, choices=CastAs.choices)
    channel = models.CharField(max_length=12, choices=CastChannel.choices, default=CastChannel.WEB)
    printed_link = models.ForeignKey(
        PrintedLink, on_delete=models.PROTECT, null=True, blank=True, related_name="votes"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    receipt_code = models.CharField(max_length=16, default=new_receipt_code)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "seat"], name="one_counted_vote_per_seat"),
            models.UniqueConstraint(fields=["receipt_code"], name="participation_receipt_unique"),
            models.UniqueConstraint(
                fields=["ballot", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="participation_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(printed_link__isnull=True) | Q(channel="printed"),
                name="participation_printed_link_channel",
            ),
        ]


class RollCallChoice(models.Model):
    """The public choice of a seat on a roll-call ballot."""

    participation = models.OneToOneField(
        Participation, on_delete=models.PROTECT, related_name="choice"
    )
    option = models.ForeignKey(BallotOption, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)


class RollCallChoiceRevision(models.Model):
    """An earlier choice of a roll-call vote that its seat changed before close, and the
    idempotency key of the form that changed it (sent twice, it changes nothing more)."""

    choice = models.ForeignKey(RollCallChoice, on_delete=models.PROTECT, related_name="revisions")
    option = models.ForeignKey(BallotOption, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    replaced_at = models.DateTimeField(default=timezone.now)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["choice", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="revision_idempotency_key_unique",
            ),
        ]


class SecretChoice(models.Model):
    """What was chosen on a secret ballot. Random key, no seat, no time, no receipt:
    only the chamber (for the per-chamber tally, published only above a minimum cell
    size). Nothing a voter holds points to their row, so no voter can prove their
    choice to anyone (docs/voting.md, "Threat model")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="secret_choices")
    option = models.ForeignKey(BallotOption, on_delete=models.PROTECT, related_name="+")
    chamber = models.ForeignKey("governance.Chamber", on_delete=models.PROTECT, related_name="+")
    sub_chamber = models.ForeignKey(
        "governance.Chamber", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weight = models.DecimalField(max_digits=6, decimal_places=3)
    reason = models.TextField(blank=True)

    class Meta:
        # By content, then the random key: the order says nothing of when or who.
        ordering = ["option__order", "option__key", "chamber__name", "sub_chamber__name", "id"]


class AssistedVoteAttestation(models.Model):
    """How a facilitator recorded a miner representative's vote (never the choice)."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PAPER = "paper", _("Paper ballot")
        PHONE = "phone", _("Phone")

    participation = models.OneToOneField(
        Participation, on_delete=models.PROTECT, related_name="attestation"
    )
    mode = models.CharField(_("how"), max_length=12, choices=Mode.choices)
    witness = models.CharField(_("witness"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    # Private (governance/storage.py): a paper ballot shows the choice next to the seat.
    scan = models.FileField(
        _("scan"), storage=private_storage, upload_to=attestation_scan_name, blank=True
    )


class Decision(models.Model):
    """What a working group decided: from a certified ballot, or a consensus without one."""

    class Kind(models.TextChoices):
        BALLOT = "ballot", _("Ballot")
        CONSENSUS = "consensus", _("Consensus without a ballot")

    working_group = models.ForeignKey(
        "governance.WorkingGroup", on_delete=models.PROTECT, related_name="decisions"
    )
    ballot = models.OneToOneField(
        Ballot, on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.BALLOT)
    title = models.CharField(_("title"), max_length=200)
    motion = models.TextField(_("motion"))
    outcome = models.CharField(_("outcome"), max_length=16)
    tally = models.JSONField(_("tally"), null=True, blank=True)
    explanations = models.JSONField(_("explanation by language"), default=dict, blank=True)
    objections = models.TextField(_("objections noted"), blank=True)
    objections_resolution = models.TextField(_("how the objections were resolved"), blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.title
