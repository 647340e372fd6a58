"""Organisations, chambers and working groups: the registry the platform admins keep."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import audit, permissions
from ..models import Chamber, Organisation, WorkingGroup
from ._base import changes, refuse, require, save_audited


def _fill_slug(instance, source: str) -> None:
    if not instance.slug:
        instance.slug = slugify(source)[:200]


@transaction.atomic
def organisation_save(*, actor, organisation: Organisation, now=None) -> Organisation:
    require(
        permissions.can_manage_organisations(actor),
        _("Only platform administrators manage organisations."),
    )
    _fill_slug(organisation, organisation.name)
    return save_audited(actor=actor, instance=organisation, kind="organisation", now=now)


@transaction.atomic
def chamber_save(*, actor, chamber: Chamber, now=None) -> Chamber:
    require(
        permissions.can_manage_chambers(actor), _("Only platform administrators manage chambers.")
    )
    _fill_slug(chamber, chamber.name)
    if chamber.parent_id and not Chamber.objects.filter(pk=chamber.parent_id).exists():
        refuse(_("The parent chamber does not exist."), "parent")
    if chamber.parent_id and chamber.parent.parent_id:
        refuse(_("A sub-chamber cannot have sub-chambers of its own."), "parent")
    if chamber.parent_id and chamber.pk and chamber.sub_chambers.exists():
        refuse(_("This chamber has sub-chambers, so it cannot become one."), "parent")
    if chamber.parent_id and chamber.parent_id == chamber.pk:
        refuse(_("A chamber cannot be its own parent."), "parent")
    return save_audited(actor=actor, instance=chamber, kind="chamber", now=now)


@transaction.atomic
def working_group_save(*, actor, group: WorkingGroup, now=None) -> WorkingGroup:
    """Create or update a group with its composition rules (modelcluster children in memory).

    A rule change is refused if the group's current seats already break it, so the
    rules never silently contradict the table.
    """
    if group._state.adding:
        require(
            permissions.can_create_working_group(actor),
            _("Only platform administrators create working groups."),
        )
    else:
        require(permissions.can_manage_seats(actor, group), _("You do not run this working group."))
    _fill_slug(group, group.name)
    group.full_clean()
    created = group._state.adding
    diff = changes(group)
    rules_before = [] if created else _rules_snapshot(WorkingGroup.objects.get(pk=group.pk))
    rules_after = _rules_snapshot(group)
    if rules_after != rules_before:
        diff["rules"] = [rules_before, rules_after]
        if not created:
            _check_rules_hold(group)
    if not diff:
        return group
    group.save()
    audit.record(
        at=now,
        actor=actor,
        action="working_group.created" if created else "working_group.updated",
        obj=group,
        working_group=group,
        payload={"changes": diff},
        public=True,
    )
    return group


def _rules_snapshot(group: WorkingGroup) -> list:
    quotas = sorted((q.chamber_id, q.min_seats) for q in group.chamber_quotas.all())
    reserved = sorted(
        (
            r.label,
            r.min_seats,
            r.require_non_profit,
            r.require_represents_artisanal_miners,
            str(r.country),
            r.chain_link,
        )
        for r in group.reserved_seat_rules.all()
    )
    return [group.max_seats, [list(q) for q in quotas], [list(r) for r in reserved]]


def _check_rules_hold(group: WorkingGroup) -> None:
    from .seats import composition_shortfalls

    seen = set()
    for quota in group.chamber_quotas.all():
        if quota.chamber_id in seen:
            refuse(_("Each chamber may have only one minimum."))
        seen.add(quota.chamber_id)
    stored = WorkingGroup.objects.get(pk=group.pk)
    before = composition_shortfalls(stored)
    after = composition_shortfalls(group)
    worse = [label for label, short in after.items() if short > before.get(label, 0)]
    if worse:
        refuse(
            _("The group's current seats already break this rule: %(rules)s.")
            % {"rules": "; ".join(worse)}
        )
