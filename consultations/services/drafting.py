"""Standards, their versions and clauses: the secretariat's drafting table."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import audit, permissions
from governance.services._base import changes, refuse, require, save_audited

from ..draft_import import ParsedClause, renumber
from ..models import Clause, DraftVersion, Standard, VersionStatus

NOT_YOUR_GROUP = gettext_lazy("You do not draft standards for this working group.")


def _require_drafting(actor, standard: Standard) -> None:
    require(permissions.can_manage_consultations(actor, standard.working_group), NOT_YOUR_GROUP)


def _require_editable(version: DraftVersion) -> None:
    if not version.is_editable:
        refuse(
            _("Version %(label)s is %(status)s: only a version being drafted can change.")
            % {"label": version.label, "status": version.get_status_display().lower()}
        )


def _editable_draft(actor, version_id: int) -> DraftVersion:
    """The version, row-locked, once the actor may draft it and it is still a draft."""
    version = (
        DraftVersion.objects.select_for_update()
        .select_related("standard__working_group")
        .get(pk=version_id)
    )
    _require_drafting(actor, version.standard)
    _require_editable(version)
    return version


@transaction.atomic
def standard_save(*, actor, standard: Standard, now: datetime.datetime | None = None) -> Standard:
    if standard.pk:
        stored = Standard.objects.select_related("working_group").get(pk=standard.pk)
        if stored.working_group_id != standard.working_group_id:
            refuse(_("A standard cannot move to another working group."), "working_group")
    _require_drafting(actor, standard)
    if not standard.slug:
        standard.slug = slugify(standard.title)[:200]
    return save_audited(
        actor=actor,
        instance=standard,
        kind="standard",
        working_group=standard.working_group,
        now=now,
    )


@transaction.atomic
def version_start(
    *,
    actor,
    standard: Standard,
    label: str,
    based_on: DraftVersion | None = None,
    now: datetime.datetime | None = None,
) -> DraftVersion:
    """A new draft; when based on a previous version, its clauses are copied with their keys.
    `now`: when it was started (the demo replaying history); else now."""
    _require_drafting(actor, standard)
    if based_on is not None and based_on.standard_id != standard.pk:
        refuse(_("A version can only be based on a version of the same standard."), "based_on")
    if DraftVersion.objects.filter(standard=standard, label=label).exists():
        refuse(_("This standard already has a version %(label)s.") % {"label": label}, "label")
    version = DraftVersion(standard=standard, label=label, based_on=based_on)
    version.full_clean()
    version.save()
    if now is not None:  # created_at is set on insert; history keeps its own date
        version.created_at = now
        version.save(update_fields=["created_at"])
    if based_on is not None:
        _supersede_draft(based_on)
        Clause.objects.bulk_create(
            Clause(
                version=version,
                key=c.key,
                number=c.number,
                heading=c.heading,
                body=c.body,
                level=c.level,
                order=c.order,
            )
            for c in based_on.clauses.all()
        )
    audit.record(
        at=now,
        actor=actor,
        action="version.started",
        obj=version,
        working_group=standard.working_group,
        payload={"label": label, "based_on": based_on.label if based_on else None},
        public=True,
    )
    return version


def _supersede_draft(version: DraftVersion) -> None:
    """A draft whose comment rounds are over gives way to the version based on it;
    a published version stays in force until its successor is published."""
    if version.status in (VersionStatus.DRAFTING, VersionStatus.CONSULTATION) and not any(
        c.state() in ("scheduled", "open") for c in version.consultations.all()
    ):
        version.status = VersionStatus.SUPERSEDED
        version.save(update_fields=["status"])


@transaction.atomic
def version_import(
    *,
    actor,
    standard: Standard,
    label: str,
    clauses: list[ParsedClause],
    based_on: DraftVersion | None = None,
    source: str = "",
) -> DraftVersion:
    """A new draft from a parsed Markdown or Word file. Clauses whose number or heading
    match one of `based_on` keep that clause's key, so redlines and histories follow them."""
    if not clauses:
        refuse(_("The file holds no clauses."))
    version = version_start(actor=actor, standard=standard, label=label)
    keys_by_number, keys_by_heading = {}, {}
    if based_on is not None:
        if based_on.standard_id != standard.pk:
            refuse(_("A version can only be based on a version of the same standard."), "based_on")
        version.based_on = based_on
        version.save(update_fields=["based_on"])
        _supersede_draft(based_on)
        for c in based_on.clauses.all():
            keys_by_heading.setdefault(c.heading.strip().lower(), c.key)
            keys_by_number.setdefault(c.number, c.key)
    # Headings first, then numbers: a renumbered clause keeps its key even when a new
    # clause now holds its old number.
    keys: list[str | None] = [None] * len(clauses)
    used: set[str] = set()
    for lookup, field in ((keys_by_heading, "heading"), (keys_by_number, "number")):
        for i, parsed in enumerate(clauses):
            value = parsed.heading.strip().lower() if field == "heading" else parsed.number
            key = lookup.get(value)
            if keys[i] is None and key is not None and key not in used:
                keys[i] = key
                used.add(key)
    rows = []
    for order, (parsed, key) in enumerate(zip(clauses, keys, strict=True)):
        rows.append(
            Clause(
                version=version,
                key=key or Clause._meta.get_field("key").default(),
                number=parsed.number,
                heading=parsed.heading[:300],
                body=parsed.body,
                # 0 is the preamble, which renumbering leaves as "0".
                level=max(parsed.level, 0),
                order=order,
            )
        )
    Clause.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="version.imported",
        obj=version,
        working_group=standard.working_group,
        payload={"clauses": len(rows), "source": source},
        public=False,
    )
    return version


@transaction.atomic
def clause_save(*, actor, clause: Clause) -> Clause:
    version = _editable_draft(actor, clause.version_id)
    if clause.pk and Clause.objects.filter(pk=clause.pk).exclude(version=version).exists():
        refuse(_("A clause cannot move to another version."))
    if Clause.objects.filter(version=version, number=clause.number).exclude(pk=clause.pk).exists():
        refuse(
            _("Version %(label)s already has a clause %(number)s.")
            % {"label": version.label, "number": clause.number},
            "number",
        )
    if clause._state.adding and not clause.order:
        last = version.clauses.order_by("-order").values_list("order", flat=True).first()
        clause.order = (last or 0) + 1
    clause.full_clean()
    created, diff = clause._state.adding, changes(clause)
    if not diff:
        return clause
    clause.save()
    audit.record(
        actor=actor,
        action="clause.created" if created else "clause.updated",
        obj=clause,
        working_group=version.standard.working_group,
        payload={"version": version.label, "changes": diff},
    )
    return clause


@transaction.atomic
def clause_delete(*, actor, clause: Clause) -> None:
    version = _editable_draft(actor, clause.version_id)
    audit.record(
        actor=actor,
        action="clause.deleted",
        obj=clause,
        working_group=version.standard.working_group,
        payload={
            "version": version.label,
            "number": clause.number,
            "heading": clause.heading,
            "key": clause.key,
        },
    )
    clause.delete()


@transaction.atomic
def clauses_reorder(*, actor, version: DraftVersion, keys: list[str]) -> None:
    """Put the clauses in the order of `keys`, which must name every clause once."""
    version = _editable_draft(actor, version.pk)
    clauses = {c.key: c for c in version.clauses.all()}
    if sorted(keys) != sorted(clauses):
        refuse(_("The new order must list every clause of the version exactly once."))
    for order, key in enumerate(keys):
        clauses[key].order = order
    Clause.objects.bulk_update(clauses.values(), ["order"])
    audit.record(
        actor=actor,
        action="clauses.reordered",
        obj=version,
        working_group=version.standard.working_group,
        payload={"keys": keys},
    )


@transaction.atomic
def version_renumber(*, actor, version: DraftVersion) -> None:
    """Number the clauses 1, 1.1, 1.2, 2, … from their order and levels."""
    version = _editable_draft(actor, version.pk)
    clauses = list(version.clauses.order_by("order"))
    for clause, number in zip(clauses, renumber([c.level for c in clauses]), strict=True):
        clause.number = number
    Clause.objects.bulk_update(clauses, ["number"])
    audit.record(
        actor=actor,
        action="version.renumbered",
        obj=version,
        working_group=version.standard.working_group,
        payload={"clauses": len(clauses)},
    )


@transaction.atomic
def version_publish(*, actor, version: DraftVersion) -> DraftVersion:
    """Put a version in force; the version in force before it is superseded."""
    version = (
        DraftVersion.objects.select_for_update()
        .select_related("standard__working_group")
        .get(pk=version.pk)
    )
    require(
        permissions.can_certify_results(actor, version.standard.working_group)
        or permissions.can_manage_consultations(actor, version.standard.working_group),
        NOT_YOUR_GROUP,
    )
    if version.status in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED):
        refuse(_("Version %(label)s was already published.") % {"label": version.label})
    if not version.clauses.exists():
        refuse(_("A version without clauses cannot be published."))
    open_rounds = [c for c in version.consultations.all() if c.state() in ("scheduled", "open")]
    if open_rounds:
        refuse(_("A comment period on this version is still scheduled or open."))
    DraftVersion.objects.filter(standard=version.standard).exclude(pk=version.pk).filter(
        status__in=[VersionStatus.PUBLISHED, VersionStatus.CONSULTATION]
    ).update(status=VersionStatus.SUPERSEDED)
    version.status, version.published_at = VersionStatus.PUBLISHED, timezone.now()
    version.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        action="version.published",
        obj=version,
        working_group=version.standard.working_group,
        payload={"label": version.label},
        public=True,
    )
    return version
