"""Seats, who holds them, and roles in working groups."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import audit, permissions
from ..composition import Rules, SeatState, broken_rules, shortfalls
from ..models import (
    GroupRole,
    MembershipStatus,
    Organisation,
    Seat,
    SeatAssignment,
    SeatRole,
    User,
    WorkingGroup,
    WorkingGroupRole,
)
from ..models.assignments import today
from ._base import changes, refuse, require

NOT_YOUR_GROUP = gettext_lazy("You do not manage the seats of this working group.")


# --- Composition ------------------------------------------------------------


def composition_shortfalls(
    group: WorkingGroup,
    *,
    on: datetime.date | None = None,
    extra_seat: Seat | None = None,
    without_seat: Seat | None = None,
    holder_override: tuple[int, Organisation | None] | None = None,
) -> dict[str, int]:
    """Shortfalls of `group`'s rules on `on`, optionally with one hypothetical change."""
    on = on or today()
    seats = list(
        Seat.objects.filter(working_group_id=group.pk, is_active=True).select_related("chamber")
    )
    if without_seat is not None:
        seats = [s for s in seats if s.pk != without_seat.pk]
    if extra_seat is not None:
        seats = [s for s in seats if s.pk != extra_seat.pk] + [extra_seat]
    holders = {
        a.seat_id: a.organisation
        for a in SeatAssignment.objects.current(on)
        .filter(seat__working_group_id=group.pk, role=SeatRole.HOLDER)
        .select_related("organisation")
    }
    if holder_override is not None:
        holders[holder_override[0]] = holder_override[1]
    states = [
        SeatState(s.pk, frozenset({s.chamber_id, s.chamber.parent_id} - {None}), holders.get(s.pk))
        for s in seats
    ]
    rules = Rules(
        max_seats=group.max_seats,
        chamber_minimums=tuple(
            (str(q), q.chamber_id, q.min_seats) for q in group.chamber_quotas.all()
        ),
        reservations=tuple(group.reserved_seat_rules.all()),
    )
    return shortfalls(states, rules)


def _refuse_if_broken(group: WorkingGroup, before: dict, after: dict) -> None:
    broken = broken_rules(before, after)
    if broken:
        refuse(
            _("Refused: this would break the composition rule “%(rule)s” of %(group)s.")
            % {"rule": broken[0], "group": group}
        )


# --- Seats --------------------------------------------------------------------


@transaction.atomic
def seat_save(*, actor, seat: Seat, now=None) -> Seat:
    """Create a seat or change its label, chamber, weight, facilitator or order."""
    created = seat._state.adding
    if not created:
        stored = Seat.objects.select_for_update().get(pk=seat.pk)
        if stored.working_group_id != seat.working_group_id:
            refuse(
                _("A seat cannot move to another working group. Retire it and create a new one."),
                "working_group",
            )
        if not stored.is_active:
            refuse(_("This seat is retired."))
    group = WorkingGroup.objects.select_for_update().get(pk=seat.working_group_id)
    require(permissions.can_manage_seats(actor, group), NOT_YOUR_GROUP)
    seat.full_clean()
    diff = changes(seat)
    if not diff:
        return seat
    if not created and "is_active" in diff:
        # Otherwise a seat could be switched off past seat_retire's checks.
        refuse(
            _("Retire the seat instead: that checks its assignments and the group's rules."),
            "is_active",
        )
    if created or "chamber" in diff:
        _refuse_if_broken(
            group, composition_shortfalls(group), composition_shortfalls(group, extra_seat=seat)
        )
    seat.save()
    audit.record(
        at=now,
        actor=actor,
        action="seat.created" if created else "seat.updated",
        obj=seat,
        working_group=group,
        payload={"changes": diff},
        public=True,
    )
    return seat


@transaction.atomic
def seat_retire(*, actor, seat: Seat) -> Seat:
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    group = WorkingGroup.objects.select_for_update().get(pk=seat.working_group_id)
    require(permissions.can_manage_seats(actor, group), NOT_YOUR_GROUP)
    if not seat.is_active:
        refuse(_("This seat is already retired."))
    if SeatAssignment.objects.filter(seat=seat).overlapping(today(), None).exists():
        refuse(_("End this seat's current and future assignments before retiring it."))
    _refuse_if_broken(
        group, composition_shortfalls(group), composition_shortfalls(group, without_seat=seat)
    )
    seat.is_active = False
    seat.save(update_fields=["is_active"])
    audit.record(actor=actor, action="seat.retired", obj=seat, working_group=group, public=True)
    return seat


# --- Seat assignments ---------------------------------------------------------


@transaction.atomic
def seat_assignment_start(
    *,
    actor,
    seat: Seat,
    person: User,
    role: str,
    organisation: Organisation,
    start: datetime.date,
    end: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> SeatAssignment:
    """Put a person on a seat (as holder or alternate) for a term."""
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    group = WorkingGroup.objects.select_for_update().get(pk=seat.working_group_id)
    require(permissions.can_manage_seats(actor, group), NOT_YOUR_GROUP)
    if role not in SeatRole.values:
        refuse(_("Unknown role on a seat: %(role)s.") % {"role": role}, "role")
    if not seat.is_active:
        refuse(_("This seat is retired."), "seat")
    if end is not None and end < start:
        refuse(_("The term cannot end before it starts."), "end")
    if organisation.membership_status != MembershipStatus.MEMBER:
        refuse(
            _("%(org)s is not a member organisation, so it cannot be represented on a seat.")
            % {"org": organisation},
            "organisation",
        )
    if not person.is_active:
        refuse(_("This person's account is inactive."), "person")
    same_seat = SeatAssignment.objects.filter(seat=seat).overlapping(start, end)
    if same_seat.filter(role=role).exists():
        refuse(
            _("This seat already has a %(role)s for part of that term. End that assignment first.")
            % {"role": SeatRole(role).label.lower()},
            "start",
        )
    if same_seat.filter(person=person).exists():
        refuse(
            _("This person already sits on this seat in another role for part of that term."),
            "person",
        )
    if role == SeatRole.HOLDER and (
        SeatAssignment.objects.overlapping(start, end)
        .filter(person=person, role=SeatRole.HOLDER, seat__working_group=group)
        .exists()
    ):
        refuse(
            _(
                "This person already holds another seat in this working group for part of that term."
            ),
            "person",
        )
    if role == SeatRole.HOLDER:
        _refuse_if_broken(
            group,
            composition_shortfalls(group, on=start),
            composition_shortfalls(group, on=start, holder_override=(seat.pk, organisation)),
        )
    assignment = SeatAssignment(
        seat=seat, person=person, role=role, organisation=organisation, start=start, end=end
    )
    assignment.full_clean()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        refuse(
            _("This seat already has a %(role)s for part of that term.")
            % {"role": SeatRole(role).label.lower()}
        )
    audit.record(
        at=now,
        actor=actor,
        action="seat_assignment.started",
        obj=assignment,
        working_group=group,
        public=True,
        payload={
            "seat": seat.pk,
            "person": person.public_name,
            "person_id": person.pk,
            "role": role,
            "organisation": organisation.name,
            "start": start,
            "end": end,
        },
    )
    permissions.sync_user_group(person, group)
    return assignment


@transaction.atomic
def seat_assignment_end(*, actor, assignment: SeatAssignment, end: datetime.date) -> SeatAssignment:
    """Set the last day of a term (ending it early, or fixing the end of a running one)."""
    assignment = (
        SeatAssignment.objects.select_for_update()
        .select_related("seat", "person")
        .get(pk=assignment.pk)
    )
    group = WorkingGroup.objects.select_for_update().get(pk=assignment.seat.working_group_id)
    require(permissions.can_manage_seats(actor, group), NOT_YOUR_GROUP)
    if end < assignment.start:
        refuse(
            _("The term cannot end before it starts (%(start)s).") % {"start": assignment.start},
            "end",
        )
    if assignment.end is not None and assignment.end < today():
        refuse(_("This term is already over; its history cannot change."), "end")
    # No composition check: a vacancy never breaks a rule (reservations count vacant seats).
    old_end = assignment.end
    if old_end == end:
        return assignment
    if old_end is not None and end > old_end:
        # A longer term must not run into a later one (on PostgreSQL the exclusion
        # constraint would refuse it with a server error; on SQLite nothing would).
        added = SeatAssignment.objects.exclude(pk=assignment.pk).overlapping(
            old_end + datetime.timedelta(days=1), end
        )
        if added.filter(seat=assignment.seat, role=assignment.role).exists():
            refuse(
                _("This seat already has a %(role)s for part of that term.")
                % {"role": assignment.get_role_display().lower()},
                "end",
            )
        if added.filter(seat=assignment.seat, person=assignment.person).exists():
            refuse(
                _("This person already sits on this seat in another role for part of that term."),
                "end",
            )
        if (
            assignment.role == SeatRole.HOLDER
            and added.filter(
                person=assignment.person, role=SeatRole.HOLDER, seat__working_group=group
            ).exists()
        ):
            refuse(
                _(
                    "This person already holds another seat in this working group for part of that term."
                ),
                "end",
            )
    assignment.end = end
    assignment.save(update_fields=["end"])
    audit.record(
        actor=actor,
        action="seat_assignment.ended",
        obj=assignment,
        working_group=group,
        public=True,
        payload={
            "seat": assignment.seat_id,
            "person": assignment.person.public_name,
            "role": assignment.role,
            "end": [old_end, end],
        },
    )
    permissions.sync_user_group(assignment.person, group)
    return assignment


# --- Roles --------------------------------------------------------------------------


@transaction.atomic
def role_grant(
    *,
    actor,
    group: WorkingGroup,
    person: User,
    role: str,
    start: datetime.date,
    end: datetime.date | None = None,
) -> WorkingGroupRole:
    group = WorkingGroup.objects.select_for_update().get(pk=group.pk)
    if role not in GroupRole.values:
        refuse(_("Unknown role: %(role)s.") % {"role": role}, "role")
    require(
        permissions.can_grant_role(actor, group, role),
        _("You may not grant this role in this working group."),
    )
    if end is not None and end < start:
        refuse(_("The role cannot end before it starts."), "end")
    if not person.is_active:
        refuse(_("This person's account is inactive."), "person")
    if (
        WorkingGroupRole.objects.filter(working_group=group, person=person, role=role)
        .overlapping(start, end)
        .exists()
    ):
        refuse(_("This person already has this role for part of that period."), "start")
    grant = WorkingGroupRole(working_group=group, person=person, role=role, start=start, end=end)
    grant.full_clean()
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        refuse(_("This person already has this role for part of that period."))
    audit.record(
        actor=actor,
        action="role.granted",
        obj=grant,
        working_group=group,
        payload={
            "person": person.public_name,
            "person_id": person.pk,
            "role": role,
            "start": start,
            "end": end,
        },
    )
    permissions.sync_user_group(person, group)
    return grant


@transaction.atomic
def role_end(*, actor, grant: WorkingGroupRole, end: datetime.date) -> WorkingGroupRole:
    grant = (
        WorkingGroupRole.objects.select_for_update()
        .select_related("person", "working_group")
        .get(pk=grant.pk)
    )
    require(
        permissions.can_grant_role(actor, grant.working_group, grant.role),
        _("You may not change this role."),
    )
    if end < grant.start:
        refuse(
            _("The role cannot end before it starts (%(start)s).") % {"start": grant.start}, "end"
        )
    if grant.end is not None and grant.end < today():
        refuse(_("This role is already over; its history cannot change."), "end")
    old_end = grant.end
    if old_end == end:
        return grant
    if (
        old_end is not None
        and end > old_end
        and (
            WorkingGroupRole.objects.filter(
                working_group=grant.working_group, person=grant.person, role=grant.role
            )
            .exclude(pk=grant.pk)
            .overlapping(old_end + datetime.timedelta(days=1), end)
            .exists()
        )
    ):
        refuse(_("This person already has this role for part of that period."), "end")
    grant.end = end
    grant.save(update_fields=["end"])
    audit.record(
        actor=actor,
        action="role.ended",
        obj=grant,
        working_group=grant.working_group,
        payload={"person": grant.person.public_name, "role": grant.role, "end": [old_end, end]},
    )
    permissions.sync_user_group(grant.person, grant.working_group)
    return grant
