"""Scheduling comment periods, and extending or reopening them."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance.services._base import refuse, require

from .. import notifications
from ..models import Audience, Consultation, DraftVersion, PeriodState, VersionStatus

# Scheduling a period a few minutes "in the past" is a slow form, not back-dating.
CLOCK_SLACK = datetime.timedelta(minutes=5)


def minimum_length_met(group, audience: str, opens_at, closes_at) -> bool:
    if audience != Audience.PUBLIC:
        return True
    return closes_at - opens_at >= datetime.timedelta(days=group.min_public_consultation_days)


@transaction.atomic
def consultation_schedule(
    *,
    actor,
    version: DraftVersion,
    audience: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    instructions: str = "",
    short_round_justification: str = "",
    now: datetime.datetime | None = None,
) -> Consultation:
    """Put a draft out for comment. `now` replays history (demo, earlier rounds, tests);
    views never pass it."""
    now = now or timezone.now()
    version = (
        DraftVersion.objects.select_for_update()
        .select_related("standard__working_group")
        .get(pk=version.pk)
    )
    group = version.standard.working_group
    require(
        permissions.can_manage_consultations(actor, group),
        _("You do not run comment periods for this working group."),
    )
    if audience not in Audience.values:
        refuse(_("Unknown audience."), "audience")
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        refuse(_("Opening and closing times need a time zone."))
    if closes_at <= opens_at:
        refuse(_("The period must close after it opens."), "closes_at")
    if opens_at < now - CLOCK_SLACK:
        refuse(_("A period cannot open in the past."), "opens_at")
    if version.status in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED):
        refuse(_("Version %(label)s is no longer a draft.") % {"label": version.label}, "version")
    if not version.clauses.exists():
        refuse(_("This version has no clauses to comment on."), "version")
    justification = short_round_justification.strip()
    if not minimum_length_met(group, audience, opens_at, closes_at) and not justification:
        refuse(
            _(
                "Public rounds last at least %(days)s days in this working group; a shorter round needs a recorded justification."
            )
            % {"days": group.min_public_consultation_days},
            "short_round_justification",
        )
    busy = [
        c
        for c in version.consultations.all()
        if c.state(now) in (PeriodState.SCHEDULED, PeriodState.OPEN)
    ]
    if busy:
        refuse(_("This version already has a scheduled or open comment period."), "version")
    last_round = max((c.round_number for c in version.consultations.all()), default=0)
    earlier_rounds = Consultation.objects.filter(version__standard=version.standard).count()
    consultation = Consultation.objects.create(
        version=version,
        round_number=max(last_round, earlier_rounds) + 1,
        audience=audience,
        opens_at=opens_at,
        closes_at=closes_at,
        instructions=instructions,
        short_round_justification=justification,
    )
    version.status = VersionStatus.CONSULTATION
    version.save(update_fields=["status"])
    audit.record(
        at=now,
        actor=actor,
        action="consultation.scheduled",
        obj=consultation,
        working_group=group,
        public=True,
        payload={
            "version": version.label,
            "round": consultation.round_number,
            "audience": audience,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "justification": justification,
        },
    )
    return consultation


@transaction.atomic
def consultation_extend(
    *,
    actor,
    consultation: Consultation,
    closes_at: datetime.datetime,
    reason: str,
    now: datetime.datetime | None = None,
) -> Consultation:
    """Move the closing instant later; on a closed period this reopens it. Participants are told."""
    now = now or timezone.now()
    consultation = (
        Consultation.objects.select_for_update()
        .select_related("version__standard__working_group")
        .get(pk=consultation.pk)
    )
    group = consultation.version.standard.working_group
    require(
        permissions.can_manage_consultations(actor, group),
        _("You do not run comment periods for this working group."),
    )
    state = consultation.state(now)
    if state == PeriodState.REPORT_PUBLISHED:
        refuse(_("The report of this period is published; it cannot reopen."))
    if not reason.strip():
        refuse(_("Give the reason for extending or reopening the period."), "reason")
    if timezone.is_naive(closes_at):
        refuse(_("The closing time needs a time zone."), "closes_at")
    if closes_at <= consultation.closes_at or closes_at <= now:
        refuse(
            _("The new closing time must be later than the current one and in the future."),
            "closes_at",
        )
    old = consultation.closes_at
    consultation.closes_at = closes_at
    consultation.save(update_fields=["closes_at"])
    # Reminders are due again before the new close.
    consultation.reminders.filter(kind__in=["7d", "1d"]).delete()
    action = "consultation.reopened" if state == PeriodState.CLOSED else "consultation.extended"
    audit.record(
        at=now,
        actor=actor,
        action=action,
        obj=consultation,
        working_group=group,
        public=True,
        payload={"closes_at": [old, closes_at], "reason": reason.strip()},
    )
    notifications.period_extended(
        consultation, reopened=state == PeriodState.CLOSED, reason=reason.strip()
    )
    return consultation
