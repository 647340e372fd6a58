"""Who may do what: roles and seat assignments → object permissions on working groups.

This is the one module that talks to django-guardian. Everyone else calls the
named predicates below (`can_manage_seats(user, group)`, …).
"""

import datetime

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from . import events
from .models import (
    Ballot,
    BallotStatus,
    GroupRole,
    SeatAssignment,
    TermSync,
    User,
    WorkingGroup,
    WorkingGroupRole,
    WorkingGroupStatus,
)
from .models.assignments import today

APP = "governance"

# What each role on a working group may do there (codenames of WorkingGroup.Meta.permissions).
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    GroupRole.OBSERVER: frozenset({"view_private_content"}),
    GroupRole.MEMBER: frozenset(
        {"view_private_content", "comment_members_only", "post_discussion"}
    ),
    GroupRole.FACILITATOR: frozenset(
        {"view_private_content", "post_discussion", "record_assisted_votes"}
    ),
    GroupRole.TRANSLATOR: frozenset({"translate_texts"}),
    GroupRole.SECRETARIAT: frozenset(
        {
            "translate_texts",
            "approve_translations",
            "view_private_content",
            "comment_members_only",
            "post_discussion",
            "manage_seats",
            "manage_consultations",
            "moderate",
            "run_ballots",
        }
    ),
    GroupRole.CHAIR: frozenset(
        {
            "view_private_content",
            "comment_members_only",
            "post_discussion",
            "manage_consultations",
            "moderate",
            "run_ballots",
            "certify_results",
        }
    ),
}
# Holding a seat (as holder or alternate) makes one a member of its group.
SEAT_PERMISSIONS = ROLE_PERMISSIONS[GroupRole.MEMBER]
MANAGED_CODENAMES = frozenset().union(*ROLE_PERMISSIONS.values())

# Roles only a superuser may grant: they carry management rights.
PRIVILEGED_ROLES = frozenset({GroupRole.CHAIR, GroupRole.SECRETARIAT})

# Staff who run groups get into the Wagtail admin through this Django group.
ADMIN_GROUP_NAME = "Working-group secretariats"
ADMIN_GROUP_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    *[
        (APP, f"{verb}_{model}")
        for model in ("seat", "seatassignment", "workinggrouprole")
        for verb in ("add", "change", "view")
    ],
    (APP, "change_workinggroup"),
    (APP, "view_workinggroup"),
    (APP, "view_organisation"),
    (APP, "view_chamber"),
]


# --- Predicates ------------------------------------------------------------


def _has(user, codename: str, group: WorkingGroup) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.has_perm(f"{APP}.{codename}", group)


def can_view_private(user, group: WorkingGroup) -> bool:
    return _has(user, "view_private_content", group)


def can_comment_members_only(user, group: WorkingGroup) -> bool:
    return _has(user, "comment_members_only", group)


def can_post_discussion(user, group: WorkingGroup) -> bool:
    return _has(user, "post_discussion", group)


def can_manage_seats(user, group: WorkingGroup) -> bool:
    return _has(user, "manage_seats", group)


def can_manage_consultations(user, group: WorkingGroup) -> bool:
    return _has(user, "manage_consultations", group)


def can_moderate(user, group: WorkingGroup) -> bool:
    return _has(user, "moderate", group)


def can_run_ballots(user, group: WorkingGroup) -> bool:
    return _has(user, "run_ballots", group)


def can_certify_results(user, group: WorkingGroup) -> bool:
    return _has(user, "certify_results", group)


def can_record_consensus(user, group: WorkingGroup) -> bool:
    """A decision reached without a ballot: the chair or the secretariat records it."""
    return can_certify_results(user, group) or can_run_ballots(user, group)


def can_record_assisted_votes(user, group: WorkingGroup) -> bool:
    return _has(user, "record_assisted_votes", group)


AUDITOR_PERMISSION = f"{APP}.view_assistedvoteattestation"


def can_open_every_scan(user, group: WorkingGroup) -> bool:
    """The group's secretariat (who manage its seats) and auditors (the model permission
    "view assisted vote attestation", given to an auditors' Django group; platform
    admins hold every permission) may open any scan of the group's paper ballots."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return can_manage_seats(user, group) or user.has_perm(AUDITOR_PERMISSION)


def can_open_attestation_scan(user, attestation) -> bool:
    """The scan of a paper ballot shows the choice next to the seat: only the
    facilitator who recorded it and those of `can_open_every_scan`."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    participation = attestation.participation
    return participation.cast_by_id == user.pk or can_open_every_scan(
        user, participation.ballot.working_group
    )


def can_edit_decision_pages(user, group: WorkingGroup) -> bool:
    """The decision pages of `group` on the public site: its secretariat writes their
    rationale and submits them, its chair reviews them (approving is the chair's
    alone: can_certify_results). Nobody edits another group's decisions."""
    return can_run_ballots(user, group) or can_certify_results(user, group)


def groups_with_decision_pages_editable_by(user) -> QuerySet[WorkingGroup]:
    if is_platform_admin(user):
        return WorkingGroup.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return WorkingGroup.objects.none()
    return get_objects_for_user(
        user,
        [f"{APP}.run_ballots", f"{APP}.certify_results"],
        klass=WorkingGroup,
        any_perm=True,
        accept_global_perms=False,
    )


def groups_with_private_content_for(user) -> QuerySet[WorkingGroup]:
    """The groups whose private content `user` reads (can_view_private, as a queryset):
    what site-wide search widens the public view with."""
    if is_platform_admin(user):
        return WorkingGroup.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return WorkingGroup.objects.none()
    return get_objects_for_user(
        user, f"{APP}.view_private_content", klass=WorkingGroup, accept_global_perms=False
    )


def groups_with_consultations_run_by(user) -> QuerySet[WorkingGroup]:
    """The groups whose comment periods `user` runs (can_manage_consultations, as a
    queryset): chairs as well as secretariats."""
    if is_platform_admin(user):
        return WorkingGroup.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return WorkingGroup.objects.none()
    return get_objects_for_user(
        user, f"{APP}.manage_consultations", klass=WorkingGroup, accept_global_perms=False
    )


def groups_with_ballots_run_by(user) -> QuerySet[WorkingGroup]:
    """The groups whose ballots `user` runs (can_run_ballots, as a queryset)."""
    if is_platform_admin(user):
        return WorkingGroup.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return WorkingGroup.objects.none()
    return get_objects_for_user(
        user, f"{APP}.run_ballots", klass=WorkingGroup, accept_global_perms=False
    )


def can_translate(user, group: WorkingGroup | None) -> bool:
    """Translators of the group (and its secretariat) write draft translations; texts
    of no group (chambers, organisations) are open to any translator."""
    if group is not None:
        return _has(user, "translate_texts", group)
    return is_platform_admin(user) or (
        bool(user and user.is_authenticated and user.is_active)
        and WorkingGroupRole.objects.current(today())
        .filter(person=user, role__in=(GroupRole.TRANSLATOR, GroupRole.SECRETARIAT))
        .exists()
    )


def can_approve_translations(user, group: WorkingGroup | None) -> bool:
    """Only the secretariat approves (of the group, or any, for texts of no group)."""
    if group is not None:
        return _has(user, "approve_translations", group)
    return is_secretariat(user)


def can_view_group(user, group: WorkingGroup) -> bool:
    """Public working groups (every group but a closed one, as the CMS lists them):
    anyone; otherwise those who may read the group's private content."""
    return group.status != WorkingGroupStatus.CLOSED or can_view_private(user, group)


def can_view_ballot(user, ballot: Ballot) -> bool:
    """Drafts are for those who run the group's ballots; the rest as the group.
    The ballot pages and the live turnout socket both ask this."""
    if ballot.status == BallotStatus.DRAFT:
        return can_run_ballots(user, ballot.working_group)
    return can_view_group(user, ballot.working_group)


def can_grant_role(user, group: WorkingGroup, role: str) -> bool:
    if role in PRIVILEGED_ROLES:
        return is_platform_admin(user)
    return can_manage_seats(user, group)


def is_platform_admin(user) -> bool:
    """Superusers run the registry itself: chambers, organisations, new groups."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def group_ids_by_permission(user) -> dict[str, set[int]]:
    """For each managed codename, the ids of the working groups where `user` holds it
    today (one query; platform admins hold every codename in every group). The
    personal dashboard asks this once instead of one predicate per group."""
    result: dict[str, set[int]] = {codename: set() for codename in MANAGED_CODENAMES}
    if not (user and user.is_authenticated and user.is_active):
        return result
    if is_platform_admin(user):
        ids = set(WorkingGroup.objects.values_list("pk", flat=True))
        return {codename: set(ids) for codename in MANAGED_CODENAMES}
    ct = ContentType.objects.get_for_model(WorkingGroup)
    for codename, object_pk in UserObjectPermission.objects.filter(
        user=user, content_type=ct, permission__codename__in=MANAGED_CODENAMES
    ).values_list("permission__codename", "object_pk"):
        result[codename].add(int(object_pk))
    return result


def is_secretariat_anywhere(user) -> bool:
    """Runs the seats of at least one working group today (or is a platform admin)."""
    if is_platform_admin(user):
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    return (
        WorkingGroupRole.objects.current().filter(person=user, role=GroupRole.SECRETARIAT).exists()
    )


def can_unlock_address(user) -> bool:
    """Clearing an address's failed logins helps everyone behind it (a cyber café):
    any secretariat may."""
    return is_secretariat_anywhere(user)


def can_unlock_account(user, person) -> bool:
    """A person's own secretariat unlocks them: one who manages the seats of a group
    where they hold a current role or seat. Platform admins unlock anyone."""
    if is_platform_admin(user):
        return True
    if person is None or not is_secretariat_anywhere(user):
        return False
    managed = working_groups_managed_by(user).values("pk")
    return (
        WorkingGroupRole.objects.current().filter(person=person, working_group__in=managed).exists()
        or SeatAssignment.objects.current()
        .filter(person=person, seat__working_group__in=managed)
        .exists()
    )


def can_reset_two_factor(user, person) -> bool:
    """Who may clear a person's lost authenticator: as for unlocking their account,
    but only a platform admin resets another platform admin."""
    if person is None or (person.is_superuser and not is_platform_admin(user)):
        return False
    return can_unlock_account(user, person)


# Roles whose holders sign in with a second factor (governance/two_factor.py).
SECOND_FACTOR_ROLES = frozenset({GroupRole.CHAIR, GroupRole.SECRETARIAT, GroupRole.FACILITATOR})


def second_factor_filter(user_field: str = "pk"):
    """As a condition on people (an Exists() per fact, for one query): platform admins,
    anyone with a current chair, secretariat or facilitator role, the facilitator of a
    seat, and anyone let into the Wagtail admin."""
    from django.db.models import Exists, OuterRef, Q

    from .models import Seat

    person = OuterRef(user_field)
    admin_access = Q(codename="access_admin", content_type__app_label="wagtailadmin")
    return (
        Q(is_superuser=True)
        | Exists(
            WorkingGroupRole.objects.current().filter(person=person, role__in=SECOND_FACTOR_ROLES)
        )
        | Exists(Seat.objects.filter(facilitator=person, is_active=True))
        | Exists(Permission.objects.filter(admin_access, group__user=person))
        | Exists(Permission.objects.filter(admin_access, user=person))
    )


def needs_second_factor(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    return User.objects.filter(second_factor_filter(), pk=user.pk).exists()


can_manage_organisations = is_platform_admin


def is_secretariat(user) -> bool:
    """The alliance's secretariat: platform admins, and whoever holds a current
    secretariat role in a working group. It keeps the alliance's membership."""
    if is_platform_admin(user):
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    return (
        WorkingGroupRole.objects.current(today())
        .filter(person=user, role=GroupRole.SECRETARIAT)
        .exists()
    )


# Joining and contributions: the secretariat reviews applications, admits members
# (or a working group does, by a certified ballot), keeps the contribution schedule,
# records payments and sends invoices.
can_review_applications = is_secretariat
can_admit_members = is_secretariat
can_manage_contributions = is_secretariat
can_manage_chambers = is_platform_admin
can_create_working_group = is_platform_admin


def working_groups_managed_by(user) -> QuerySet[WorkingGroup]:
    if is_platform_admin(user):
        return WorkingGroup.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return WorkingGroup.objects.none()
    return get_objects_for_user(
        user, f"{APP}.manage_seats", klass=WorkingGroup, accept_global_perms=False
    )


# --- Keeping guardian rows in step -----------------------------------------


def desired_codenames(user: User, group: WorkingGroup, on: datetime.date) -> set[str]:
    """What the person's current roles and seat assignments in `group` grant on `on`."""
    granted: set[str] = set()
    for role in (
        WorkingGroupRole.objects.current(on)
        .filter(person=user, working_group=group)
        .values_list("role", flat=True)
    ):
        granted |= ROLE_PERMISSIONS[role]
    if SeatAssignment.objects.current(on).filter(person=user, seat__working_group=group).exists():
        granted |= SEAT_PERMISSIONS
    return granted


def _permission_ids() -> dict[str, int]:
    ct = ContentType.objects.get_for_model(WorkingGroup)
    return dict(
        Permission.objects.filter(content_type=ct, codename__in=MANAGED_CODENAMES).values_list(
            "codename", "id"
        )
    )


@transaction.atomic
def sync_user_group(user: User, group: WorkingGroup, on: datetime.date | None = None) -> bool:
    """Make the guardian rows for (user, group) match their roles today. True if changed."""
    on = on or today()
    ids = _permission_ids()
    ct = ContentType.objects.get_for_model(WorkingGroup)
    existing = UserObjectPermission.objects.filter(
        user=user, content_type=ct, object_pk=str(group.pk), permission_id__in=ids.values()
    )
    have = set(existing.values_list("permission__codename", flat=True))
    want = desired_codenames(user, group, on)
    changed = have != want
    if have - want:
        existing.filter(permission__codename__in=have - want).delete()
    UserObjectPermission.objects.bulk_create(
        UserObjectPermission(
            user=user, content_type=ct, object_pk=str(group.pk), permission_id=ids[c]
        )
        for c in want - have
    )
    sync_admin_access(user, on)
    if changed:
        events.access_changed(user.pk)  # open sockets re-check now
    return changed


def sync_admin_access(user: User, on: datetime.date | None = None) -> None:
    """Secretariats and chairs get into the Wagtail admin; others lose access."""
    on = on or today()
    runs_a_group = (
        WorkingGroupRole.objects.current(on).filter(person=user, role__in=PRIVILEGED_ROLES).exists()
    )
    group = admin_group()
    if runs_a_group:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    translates = (
        WorkingGroupRole.objects.current(on).filter(person=user, role=GroupRole.TRANSLATOR).exists()
    )
    (user.groups.add if translates else user.groups.remove)(translators_group())


TRANSLATORS_GROUP_NAME = "Translators"


def translators_group() -> Group:
    """Translators reach the Wagtail admin for the translation screen, and nothing else
    (pages and records stay with the secretariat's group)."""
    group, created = Group.objects.get_or_create(name=TRANSLATORS_GROUP_NAME)
    if created:
        group.permissions.set(
            [
                Permission.objects.get(
                    content_type__app_label="wagtailadmin", codename="access_admin"
                )
            ]
        )
    return group


def admin_group() -> Group:
    group, created = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    if created:
        perms = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in ADMIN_GROUP_PERMISSIONS
        ]
        group.permissions.set(perms)
    return group


def sync_all(on: datetime.date | None = None) -> int:
    """Re-sync every (person, group) pair that has or had rights. Returns pairs changed."""
    ct = ContentType.objects.get_for_model(WorkingGroup)
    pairs = set(WorkingGroupRole.objects.values_list("person_id", "working_group_id"))
    pairs |= set(SeatAssignment.objects.values_list("person_id", "seat__working_group_id"))
    pairs |= {
        (user_id, int(pk))
        for user_id, pk in UserObjectPermission.objects.filter(content_type=ct).values_list(
            "user_id", "object_pk"
        )
    }
    return _sync_pairs(pairs, on)


def _sync_pairs(pairs: set[tuple[int, int]], on: datetime.date | None) -> int:
    users = User.objects.in_bulk({u for u, _ in pairs})
    groups = WorkingGroup.objects.in_bulk({g for _, g in pairs})
    return sum(
        sync_user_group(users[u], groups[g], on)
        for u, g in sorted(pairs)
        if u in users and g in groups
    )


def sync_due_terms(now: datetime.datetime | None = None) -> int:
    """Apply the role and seat terms that started or ended since the last run. Terms are
    whole days of the site's zone, so they start and end at its midnight: run every
    minute (`manage.py run_scheduled`), rights follow within a minute, and the people
    concerned have their open sockets re-checked at once (`sync_user_group`).

    The last day applied is kept in the one TermSync row, locked while syncing, so
    overlapping runs apply each day once; most runs find it current and stop there.
    The first run ever reconciles everyone (`sync_all`). Returns pairs changed."""
    on = today(now)
    with transaction.atomic():
        TermSync.objects.get_or_create(pk=1)
        mark = TermSync.objects.select_for_update().get(pk=1)
        last = mark.synced_through
        if last is not None and last >= on:
            return 0
        if last is None:
            changed = sync_all(on)
        else:
            # Started since: start in (last, on]. Ended since: the last day of the term
            # (`end`) in [last, on), so its rights lapsed at a midnight after `last`.
            due = Q(start__gt=last, start__lte=on) | Q(end__gte=last, end__lt=on)
            pairs = set(
                WorkingGroupRole.objects.filter(due).values_list("person_id", "working_group_id")
            )
            pairs |= set(
                SeatAssignment.objects.filter(due).values_list(
                    "person_id", "seat__working_group_id"
                )
            )
            changed = _sync_pairs(pairs, on)
        mark.synced_through = on
        mark.save(update_fields=["synced_through"])
    return changed


# --- Comment periods (the period's window is checked by its own service) ------


def can_comment(user, group: WorkingGroup, *, members_only: bool) -> bool:
    """Public rounds: any registered person with a verified email address.
    Members-only rounds: members of the group (roles or seats)."""
    if members_only:
        return can_comment_members_only(user, group)
    return bool(
        user and user.is_authenticated and user.is_active and getattr(user, "email_verified", False)
    )


def can_read_consultation(user, group: WorkingGroup, *, members_only: bool) -> bool:
    return not members_only or can_view_private(user, group)
