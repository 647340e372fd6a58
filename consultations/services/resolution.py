"""Disposing of comments and publishing the period's report (the synopsis)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance.services._base import refuse, require

from .. import notifications
from ..models import Clause, Comment, Consultation, Disposition, DispositionDecision, PeriodState
from ..resolution_matrix import MatrixImportError, RowError
from ..text import plain_text

MAX_RESPONSE_LENGTH = 5000


def _check_disposition(consultation: Consultation, decision: str, response: str, resulting_clause):
    if decision not in DispositionDecision.values:
        refuse(
            _(
                "Choose a decision: accepted, accepted in part, not accepted, noted or out of scope."
            ),
            "decision",
        )
    response = plain_text(response)
    if not response:
        refuse(_("Write the group's response to the comment."), "response")
    if len(response) > MAX_RESPONSE_LENGTH:
        refuse(
            _("A response may be at most %(n)s characters long.") % {"n": MAX_RESPONSE_LENGTH},
            "response",
        )
    if resulting_clause is not None:
        version = consultation.version
        later = resulting_clause.version
        if (
            later.standard_id != version.standard_id
            or later.pk == version.pk
            or later.created_at <= version.created_at
        ):
            refuse(
                _("The resulting clause must belong to a later version of the same standard."),
                "resulting_clause",
            )
    return response


def _dispose(
    actor, comment: Comment, consultation, decision, response, resulting_clause, now
) -> Disposition:
    previous = getattr(comment, "disposition", None) if comment.pk else None
    disposition = previous or Disposition(comment=comment)
    disposition.decision, disposition.response = decision, response
    disposition.resulting_clause, disposition.decided_by, disposition.decided_at = (
        resulting_clause,
        actor,
        now,
    )
    disposition.save()
    audit.record(
        at=now,
        actor=actor,
        action="comment.disposed" if previous is None else "comment.disposition_changed",
        obj=comment,
        working_group=consultation.version.standard.working_group,
        payload={
            "decision": decision,
            "resulting_clause": resulting_clause.number if resulting_clause else None,
        },
    )
    notifications.comment_disposed(disposition)
    return disposition


def decision_names() -> dict[str, str]:
    """Every way a decision is written in the matrix's observations: its code and its
    label in each site language (the matrix is exported in the reader's language)."""
    from django.conf import settings

    names = {}
    for code, _label in DispositionDecision.choices:
        names[code.casefold()] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names[str(DispositionDecision(code).label).casefold()] = code
    return names


def parse_observations(text: str) -> tuple[str, str] | None:
    """ "Accepted: we will add the clause." -> ("accepted", "we will add the clause.");
    None when the text does not start with a decision."""
    head, colon, response = text.partition(":")
    code = decision_names().get(" ".join(head.split()).casefold())
    if not colon or code is None:
        return None
    return code, response.strip()


def dispositions_from_rows(*, actor, consultation: Consultation, matched, now) -> list:
    """Dispose of comments from the observations column of an imported matrix: each
    (row, comment) whose observations read "Decision: response". A disposition already
    stored as written is left alone. Every row's problem is reported at once; the
    caller's transaction makes it all or nothing."""
    wanted = [(row, comment) for row, comment in matched if row.observations.strip()]
    if not wanted:
        return []
    require(
        permissions.can_manage_consultations(actor, consultation.version.standard.working_group),
        _("You do not resolve comments for this working group."),
    )
    if consultation.report_published_at:
        refuse(_("The report of this period is published; its dispositions are final."))
    errors, parsed = [], []
    for row, comment in wanted:
        found = parse_observations(row.observations)
        if found is None:
            message = _(
                "The observations must start with a decision (accepted, accepted in part, "
                "not accepted, noted or out of scope), then a colon and the response."
            )
            errors.append(RowError(row.line, "observations", message))
            continue
        decision, response = found
        try:
            response = _check_disposition(consultation, decision, response, None)
        except ValidationError as refusal:
            errors += [RowError(row.line, "observations", m) for m in refusal.messages]
            continue
        parsed.append((comment, decision, response))
    if errors:
        raise MatrixImportError(errors)
    disposed = []
    for comment, decision, response in parsed:
        comment = Comment.objects.select_related("disposition").get(pk=comment.pk)
        stored = getattr(comment, "disposition", None)
        if stored and (stored.decision, stored.response) == (decision, response):
            continue
        disposed.append(_dispose(actor, comment, consultation, decision, response, None, now))
    return disposed


def _locked(consultation: Consultation, actor) -> Consultation:
    consultation = (
        Consultation.objects.select_for_update()
        .select_related("version__standard__working_group")
        .get(pk=consultation.pk)
    )
    require(
        permissions.can_manage_consultations(actor, consultation.version.standard.working_group),
        _("You do not resolve comments for this working group."),
    )
    if consultation.report_published_at:
        refuse(_("The report of this period is published; its dispositions are final."))
    return consultation


@transaction.atomic
def comment_dispose(
    *,
    actor,
    comment: Comment,
    decision: str,
    response: str,
    resulting_clause: Clause | None = None,
    now: datetime.datetime | None = None,
) -> Disposition:
    now = now or timezone.now()
    comment = Comment.objects.select_related("disposition").get(pk=comment.pk)
    consultation = _locked(comment.consultation, actor)
    if comment.withdrawn_at:
        refuse(_("This comment was withdrawn by its author."))
    response = _check_disposition(consultation, decision, response, resulting_clause)
    return _dispose(actor, comment, consultation, decision, response, resulting_clause, now)


@transaction.atomic
def comments_dispose_bulk(
    *,
    actor,
    consultation: Consultation,
    comment_ids: list[int],
    decision: str,
    response: str,
    now: datetime.datetime | None = None,
) -> list[Disposition]:
    """One decision and response for many comments of one period, all or none."""
    now = now or timezone.now()
    consultation = _locked(consultation, actor)
    response = _check_disposition(consultation, decision, response, None)
    comments = list(
        Comment.objects.active()
        .filter(consultation=consultation, pk__in=comment_ids)
        .select_related("disposition")
    )
    if not comments or len(comments) != len(set(comment_ids)):
        refuse(_("Some of the selected comments are not active comments of this period."))
    return [_dispose(actor, c, consultation, decision, response, None, now) for c in comments]


@transaction.atomic
def report_publish(
    *, actor, consultation: Consultation, summary: str = "", now: datetime.datetime | None = None
) -> Consultation:
    """Publish the synopsis: refused while the period is open or any comment has no disposition."""
    now = now or timezone.now()
    consultation = _locked(consultation, actor)
    if consultation.state(now) != PeriodState.CLOSED:
        refuse(_("The report can be published once the period has closed."))
    waiting = (
        Comment.objects.active().filter(consultation=consultation, disposition__isnull=True).count()
    )
    if waiting:
        refuse(
            _(
                "%(n)s comment(s) still have no disposition; every comment needs one before the report is published."
            )
            % {"n": waiting}
        )
    consultation.report_published_at, consultation.report_summary = now, plain_text(summary)
    consultation.save(update_fields=["report_published_at", "report_summary"])
    audit.record(
        at=now,
        actor=actor,
        action="consultation.report_published",
        obj=consultation,
        working_group=consultation.version.standard.working_group,
        public=True,
        payload={"comments": Comment.objects.active().filter(consultation=consultation).count()},
    )
    notifications.report_published(consultation)
    return consultation
