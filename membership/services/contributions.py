"""The contribution schedule and each member's yearly contribution.

A schedule is the data of one year. Once its year has begun it is history: editing it
makes the next year's version instead, so past and current contributions never move.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance.models import MembershipStatus, Organisation
from governance.services import refuse, require

from .. import bands
from ..models import Contribution, ContributionBand, ContributionSchedule, Membership

NOT_SECRETARIAT = _("Only the secretariat keeps the contribution schedule.")


def schedule_for(year: int) -> ContributionSchedule | None:
    """The schedule in force in `year`: that year's own, or else the latest one before
    it (a year without a new schedule keeps the last one)."""
    return ContributionSchedule.objects.filter(year__lte=year).order_by("-year").first()


def schedule_bands(schedule: ContributionSchedule) -> list[bands.Band]:
    return [bands.as_band(row) for row in schedule.bands.all()]


def _snapshot(schedule: ContributionSchedule) -> dict:
    return {
        "currency": schedule.currency,
        "bands": [
            [b.chain_link, b.tier, str(b.min_tonnes), str(b.max_tonnes or ""), str(b.amount)]
            for b in sorted(schedule.bands.all(), key=lambda b: (b.chain_link, b.min_tonnes))
        ],
    }


def _check(schedule: ContributionSchedule) -> None:
    rows = list(schedule.bands.all())
    for row in rows:
        for field in ("min_tonnes", "amount"):
            if getattr(row, field) is None:
                refuse(_("Every band needs its lower limit and its amount."))
    problems = bands.band_problems(bands.as_band(row) for row in rows)
    if problems:
        refuse(problems)


@transaction.atomic
def schedule_save(
    *, actor, schedule: ContributionSchedule, today: datetime.date | None = None
) -> ContributionSchedule:
    """Create a schedule, or change one. `schedule` may carry edited bands in memory
    (a modelcluster form's commit=False). Returns the schedule that was stored:

    - a new schedule for this year or a later one is created (never for a past year);
    - a schedule of a year not yet begun is changed in place;
    - a schedule whose year has begun stays as it is, and the change becomes next
      year's schedule; refused when next year already has one (edit that one).
    """
    require(permissions.can_manage_contributions(actor), NOT_SECRETARIAT)
    this_year = (today or timezone.localdate()).year
    _check(schedule)
    if schedule._state.adding:
        if schedule.year is None or schedule.year < this_year:
            refuse(_("A schedule is made for this year or a later one."), "year")
        if ContributionSchedule.objects.filter(year=schedule.year).exists():
            refuse(
                _("%(year)s already has a schedule: edit that one.") % {"year": schedule.year},
                "year",
            )
        schedule.full_clean()
        schedule.save()
        audit.record(
            actor=actor,
            action="contribution_schedule.created",
            obj=schedule,
            payload=_snapshot(schedule),
        )
        return schedule
    stored = ContributionSchedule.objects.select_for_update().get(pk=schedule.pk)
    if stored.year > this_year:
        if schedule.year != stored.year and schedule.year <= this_year:
            refuse(_("A schedule cannot move to a year that has begun."), "year")
        before = _snapshot(stored)
        schedule.full_clean()
        if _snapshot(schedule) == before and schedule.year == stored.year:
            return stored
        schedule.save()
        audit.record(
            actor=actor,
            action="contribution_schedule.updated",
            obj=schedule,
            payload={"before": before, "after": _snapshot(schedule)},
        )
        return schedule
    # The year has begun: the edit becomes next year's version.
    next_year = this_year + 1
    if ContributionSchedule.objects.filter(year=next_year).exists():
        refuse(
            _(
                "The %(year)s schedule is in force and stays as it is. %(next)s already has "
                "its own schedule: make the change there."
            )
            % {"year": stored.year, "next": next_year}
        )
    revised = ContributionSchedule(year=next_year, currency=schedule.currency, notes=schedule.notes)
    revised.bands = [
        ContributionBand(
            chain_link=b.chain_link,
            tier=b.tier,
            min_tonnes=b.min_tonnes,
            max_tonnes=b.max_tonnes,
            amount=b.amount,
        )
        for b in schedule.bands.all()
    ]
    revised.full_clean()
    revised.save()
    audit.record(
        actor=actor,
        action="contribution_schedule.created",
        obj=revised,
        payload={"revised_from": stored.year, **_snapshot(revised)},
    )
    return revised


def assess_member(
    organisation: Organisation, membership: Membership, *, year: int
) -> Contribution | None:
    """This year's contribution of one member, from the year's schedule and its
    declaration; None when no schedule covers the year or it was assessed already.
    A declaration that fits no band (a paying link that declared nothing) is assessed
    at the link's first band, the smallest: the secretariat corrects it if needed.
    Call inside the caller's transaction."""
    schedule = schedule_for(year)
    if (
        schedule is None
        or Contribution.objects.filter(organisation=organisation, year=year).exists()
    ):
        return None
    rows = schedule_bands(schedule)
    try:
        result = bands.assess(
            rows,
            organisation.chain_link,
            tonnes=membership.declared_tonnes,
            tier=membership.declared_tier,
        )
    except bands.DeclarationError:
        first = bands.link_bands(rows, organisation.chain_link)[0]
        result = bands.Assessment(first, first.amount)
    return Contribution.objects.create(
        organisation=organisation,
        year=year,
        schedule=schedule,
        chain_link=organisation.chain_link,
        tier=result.tier,
        declared_tonnes=membership.declared_tonnes,
        amount=result.amount,
        currency=schedule.currency,
    )


@transaction.atomic
def contributions_assess(*, actor, year: int) -> list[Contribution]:
    """Assess `year` for every member not yet assessed for it. Returns the new rows."""
    require(permissions.can_manage_contributions(actor), NOT_SECRETARIAT)
    if schedule_for(year) is None:
        refuse(_("No contribution schedule covers %(year)s.") % {"year": year})
    members = Organisation.objects.filter(membership_status=MembershipStatus.MEMBER).exclude(
        contributions__year=year
    )
    created = []
    for organisation in members.order_by("name"):
        membership, _new = Membership.objects.get_or_create(organisation=organisation)
        contribution = assess_member(organisation, membership, year=year)
        if contribution is not None:
            created.append(contribution)
    if created:
        audit.record(
            actor=actor,
            action="contributions.assessed",
            obj=created[0].schedule,
            payload={"year": year, "members": len(created)},
        )
    return created


def may_manage_membership(user, organisation: Organisation) -> bool:
    """The organisation's own people, and the secretariat."""
    return permissions.can_manage_contributions(user) or bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.organisation_id == organisation.pk
        and organisation.membership_status == MembershipStatus.MEMBER
    )


@transaction.atomic
def membership_publish(*, actor, organisation: Organisation, publish: bool) -> Membership:
    """Whether the member's band and contribution appear on public pages."""
    require(
        may_manage_membership(actor, organisation),
        _("Only the organisation's own people decide what it publishes."),
    )
    membership, _new = Membership.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    if membership.publish_contribution != publish:
        membership.publish_contribution = publish
        membership.save(update_fields=["publish_contribution"])
        audit.record(
            actor=actor,
            action="membership.publication_changed",
            obj=organisation,
            payload={"publish_contribution": publish},
        )
    return membership


@transaction.atomic
def membership_declare(
    *,
    actor,
    organisation: Organisation,
    tonnes: Decimal | None = None,
    tier: str = "",
    contact=None,
) -> Membership:
    """The secretariat records or corrects a member's declaration (and its contact).
    Contributions already assessed keep the declaration they were assessed on."""
    require(permissions.can_manage_contributions(actor), NOT_SECRETARIAT)
    if organisation.membership_status != MembershipStatus.MEMBER:
        refuse(_("Only a member organisation has a declaration."))
    if tonnes is not None and Decimal(tonnes) < 0:
        refuse(_("Tonnes cannot be negative."), "declared_tonnes")
    membership, _new = Membership.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    membership.declared_tonnes = None if tonnes is None else Decimal(tonnes)
    membership.declared_tier = "" if tonnes is not None else tier
    if contact is not None:
        membership.contact = contact
    membership.full_clean()
    membership.save()
    audit.record(
        actor=actor,
        action="membership.declared",
        obj=organisation,
        payload={
            "declared_tonnes": membership.declared_tonnes,
            "declared_tier": membership.declared_tier,
            "contact": membership.contact_id,
        },
    )
    return membership


def paid_total(contribution: Contribution) -> Decimal:
    return sum((p.amount for p in contribution.payments.all()), Decimal(0))
