"""The pre-competitive guardrails: the competition-law notice everyone acknowledges
before their first post, and the secretariat's sensitive terms that hold a message
for review."""

import datetime
import re

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance.models import WorkingGroup
from governance.services._base import refuse, require

from ...models import CompetitionNoticeAcknowledgement, SensitiveTerm
from ...text import plain_text

# Raise when the notice's wording changes: everyone acknowledges the new text once.
COMPETITION_NOTICE_VERSION = "2025-1"


class NoticeRequired(PermissionDenied):
    """The person has not acknowledged the competition-law notice yet."""


# --- Competition-law notice ---------------------------------------------------


def has_acknowledged_notice(person) -> bool:
    if not (person and person.is_authenticated):
        return False
    return CompetitionNoticeAcknowledgement.objects.filter(
        person=person, notice_version=COMPETITION_NOTICE_VERSION
    ).exists()


@transaction.atomic
def acknowledge_competition_notice(
    *, actor, now: datetime.datetime | None = None
) -> CompetitionNoticeAcknowledgement:
    """Record that `actor` read the current notice. Acknowledging again changes nothing."""
    require(bool(actor and actor.is_authenticated), _("Log in to take part in the discussion."))
    now = now or timezone.now()
    ack = CompetitionNoticeAcknowledgement.objects.select_for_update().filter(person=actor).first()
    if ack is not None and ack.notice_version == COMPETITION_NOTICE_VERSION:
        return ack
    if ack is None:
        ack = CompetitionNoticeAcknowledgement(person=actor)
    ack.notice_version = COMPETITION_NOTICE_VERSION
    ack.acknowledged_at = now
    ack.save()
    audit.record(
        at=now,
        actor=actor,
        action="discussion.competition_notice_acknowledged",
        obj=ack,
        payload={"notice_version": COMPETITION_NOTICE_VERSION},
    )
    return ack


# --- Sensitive terms -----------------------------------------------------------


def _term_pattern(term: str) -> re.Pattern:
    # Word boundaries that also hold for terms that start or end with punctuation.
    # Any run of spaces or line breaks between the words of a phrase.
    words = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(r"(?<!\w)" + words + r"(?!\w)", re.IGNORECASE)


def sensitive_terms_in(body: str, group: WorkingGroup | None) -> list[str]:
    """The secretariat's terms (the group's and everyone's) that `body` mentions."""
    scope = Q(working_group__isnull=True)
    if group is not None:
        scope |= Q(working_group=group)
    terms = SensitiveTerm.objects.filter(scope).order_by()
    found = {t for t in terms.values_list("term", flat=True) if _term_pattern(t).search(body)}
    return sorted(found, key=str.lower)


def can_manage_terms(user, group: WorkingGroup | None) -> bool:
    """The secretariat (moderators) keep their group's terms; platform admins everyone's."""
    if group is None:
        return permissions.is_platform_admin(user)
    return permissions.can_moderate(user, group)


@transaction.atomic
def sensitive_term_add(*, actor, term: str, working_group: WorkingGroup | None) -> SensitiveTerm:
    require(
        can_manage_terms(actor, working_group),
        _("Only the secretariat may change the list of sensitive terms."),
    )
    term = " ".join(plain_text(term).split())
    if not term:
        refuse(_("Enter a word or phrase."), "term")
    if len(term) > 100:
        refuse(_("A term may be at most 100 characters long."), "term")
    scope = SensitiveTerm.objects.filter(term__iexact=term, working_group=working_group)
    if scope.exists():
        refuse(_("That term is already on the list."), "term")
    item = SensitiveTerm(term=term, working_group=working_group, created_by=actor)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        refuse(_("That term is already on the list."), "term")
    audit.record(
        actor=actor,
        action="discussion.sensitive_term_added",
        obj=item,
        working_group=working_group,
        payload={"term": term},
    )
    return item


@transaction.atomic
def sensitive_term_remove(*, actor, term: SensitiveTerm) -> None:
    require(
        can_manage_terms(actor, term.working_group),
        _("Only the secretariat may change the list of sensitive terms."),
    )
    audit.record(
        actor=actor,
        action="discussion.sensitive_term_removed",
        obj=term,
        working_group=term.working_group,
        payload={"term": term.term},
    )
    term.delete()
