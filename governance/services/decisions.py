"""Decisions reached without a ballot: a consensus the chair records, objections noted;
and the publication of a decision's page, which enters the audit chain.

A ballot's decision is recorded by `ballot_certify`; both send
`signals.decision_recorded` inside their transaction, so the public site drafts the
decision's page in the same commit. The site calls `decision_publication_record` in
the transaction that publishes the page (cms.models.DecisionPage.publish), whatever
the road: the chair's approval in the workflow, a platform admin, a scheduled
publication.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import audit, notices, permissions, signals
from ..models import AuditEvent, Decision, WorkingGroup, WorkingGroupStatus
from ._base import refuse, require

MAX_TITLE = Decision._meta.get_field("title").max_length
MAX_TEXT = 10_000


def consensus_explanations(objections_noted: bool) -> dict[str, str]:
    """The plain-language explanation in every site language, as a tally would give it."""
    explanations = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            parts = [
                _("Adopted."),
                _("Consensus was reached in the working group without a ballot."),
            ]
            if objections_noted:
                parts.append(_("Objections were noted; none was sustained."))
            explanations[code] = " ".join(parts)
    return explanations


@transaction.atomic
def decision_record_consensus(
    *,
    actor,
    group: WorkingGroup,
    title: str,
    motion: str,
    objections_noted: str = "",
    objections_resolution: str = "",
    now: datetime.datetime | None = None,
) -> Decision:
    """Record that `group` adopted `motion` by consensus, without a ballot, with the
    objections heard and how they were resolved. The chair or the secretariat."""
    now = now or timezone.now()
    group = WorkingGroup.objects.get(pk=group.pk)  # its current status
    require(
        permissions.can_record_consensus(actor, group),
        _("Only the chair or the secretariat records a decision of this working group."),
    )
    if group.status == WorkingGroupStatus.CLOSED:
        refuse(_("This working group is closed; it takes no more decisions."))
    title, motion = (title or "").strip(), (motion or "").strip()
    objections = (objections_noted or "").strip()
    resolution = (objections_resolution or "").strip()
    if not title:
        refuse(_("Give the decision a title."), "title")
    if len(title) > MAX_TITLE:
        refuse(_("A title may be at most %(n)s characters long.") % {"n": MAX_TITLE}, "title")
    if not motion:
        refuse(_("State what was decided."), "motion")
    if resolution and not objections:
        refuse(_("Say which objections were heard before how they were resolved."), "objections")
    texts = (
        ("motion", motion),
        ("objections_noted", objections),
        ("objections_resolution", resolution),
    )
    for field, text in texts:
        if len(text) > MAX_TEXT:
            refuse(_("This text may be at most %(n)s characters long.") % {"n": MAX_TEXT}, field)
    decision = Decision.objects.create(
        working_group=group,
        ballot=None,
        kind=Decision.Kind.CONSENSUS,
        title=title,
        motion=motion,
        outcome="adopted",
        tally=None,
        explanations=consensus_explanations(bool(objections)),
        objections=objections,
        objections_resolution=resolution,
        certified_by=actor,
        decided_at=now,
    )
    audit.record(
        at=now,
        actor=actor,
        action="decision.recorded",
        obj=decision,
        working_group=group,
        public=True,
        payload={
            "kind": decision.kind,
            "outcome": decision.outcome,
            "title": title,
            "motion": motion,
            "objections_noted": objections,
            "objections_resolution": resolution,
            "decided_at": now,
        },
    )
    signals.decision_recorded.send(sender=Decision, decision=decision)
    return decision


@transaction.atomic
def decision_publication_record(
    *,
    actor,
    decision: Decision,
    page_id: int,
    revision_id: int | None,
    language: str,
    url: str,
    now: datetime.datetime | None = None,
) -> None:
    """Record in the audit chain that a decision's page went live (or a new revision of
    it did). Only the group's chair (approving) or a platform admin publishes; a
    scheduled publication has no actor. Call inside the publishing transaction: a
    refusal here undoes the publication."""
    group = decision.working_group
    require(
        actor is None
        or permissions.can_certify_results(actor, group)
        or permissions.is_platform_admin(actor),
        _("Only the chair publishes a decision of this working group."),
    )
    first = not AuditEvent.objects.filter(
        action="decision.published",
        object_type=Decision._meta.label_lower,
        object_id=str(decision.pk),
    ).exists()
    audit.record(
        at=now,
        actor=actor,
        action="decision.published",
        obj=decision,
        working_group=group,
        public=True,
        payload={
            "page": page_id,
            "revision": revision_id,
            "language": language,
            "url": url,
            "published_at": now or timezone.now(),
        },
    )
    if first:  # a new revision or translation is not news
        notices.notify(
            "decision_published", decision, notices.members_of(group), actor=actor, at=now
        )
