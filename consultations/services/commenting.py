"""Posting, editing and withdrawing comments, and importing them from spreadsheets."""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance.models import Organisation, SeatAssignment
from governance.ratelimit import RateLimit
from governance.services._base import refuse, require

from ..models import (
    MAX_COMMENT_LENGTH,
    Clause,
    Comment,
    CommentRevision,
    CommentSource,
    CommentType,
    Consultation,
    PeriodState,
)
from ..resolution_matrix import MatrixRow
from ..text import plain_text, written_language

COMMENTS = RateLimit("comment")
MAX_PROPOSAL_LENGTH = MAX_COMMENT_LENGTH


def _locked_period(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update()
        .select_related("version__standard__working_group")
        .get(pk=consultation.pk)
    )


def _require_open(consultation: Consultation, now) -> None:
    state = consultation.state(now)
    if state == PeriodState.SCHEDULED:
        refuse(_("This comment period has not opened yet."))
    if state != PeriodState.OPEN:
        refuse(_("This comment period is closed."))


def _require_commenter(actor, consultation: Consultation) -> None:
    group = consultation.version.standard.working_group
    members_only = consultation.audience == "members"
    if members_only:
        message = _("Only members of %(group)s may comment in this period.") % {"group": group}
    elif actor and actor.is_authenticated and not getattr(actor, "email_verified", False):
        message = _("Verify your email address before you comment.")
    else:
        message = _("Log in to comment.")
    require(permissions.can_comment(actor, group, members_only=members_only), message)


def _clean_fields(
    consultation: Consultation, clause, comment_type: str, body: str, proposed_change: str
):
    if clause is not None and clause.version_id != consultation.version_id:
        refuse(_("That clause is not part of the draft under comment."), "clause")
    if comment_type not in CommentType.values:
        refuse(_("Choose the type of comment: general, technical or editorial."), "comment_type")
    body, proposed_change = plain_text(body), plain_text(proposed_change)
    if not body:
        refuse(_("The comment is empty."), "body")
    if len(body) > MAX_COMMENT_LENGTH:
        refuse(
            _("A comment may be at most %(n)s characters long.") % {"n": MAX_COMMENT_LENGTH}, "body"
        )
    if len(proposed_change) > MAX_PROPOSAL_LENGTH:
        refuse(
            _("A proposed change may be at most %(n)s characters long.")
            % {"n": MAX_PROPOSAL_LENGTH},
            "proposed_change",
        )
    return body, proposed_change


def _affiliation(person, group):
    """The organisation and chamber a person speaks for in this group, today."""
    seat = (
        SeatAssignment.objects.current(timezone.localdate())
        .filter(person=person, seat__working_group=group)
        .select_related("organisation", "seat__chamber__parent")
        .order_by("role")
        .first()
    )
    if seat is not None:
        return seat.organisation, seat.seat.chamber.top_level
    organisation = person.organisation
    return organisation, (
        organisation.chamber.top_level if organisation and organisation.chamber_id else None
    )


@transaction.atomic
def comment_post(
    *,
    actor,
    consultation: Consultation,
    clause: Clause | None,
    comment_type: str,
    body: str,
    proposed_change: str = "",
    paragraph: str = "",
    idempotency_key: str = "",
    language: str = "",
    now: datetime.datetime | None = None,
) -> Comment:
    """Post a comment. The same idempotency key from the same person returns the first
    comment instead of making a second (double clicks, retried requests). It is tagged
    with the language it was written in: `language` if a site language, else the
    request's (see consultations.text.written_language)."""
    now = now or timezone.now()
    idempotency_key = (idempotency_key or "")[:64]
    if idempotency_key and actor.is_authenticated:
        existing = Comment.objects.filter(author=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    consultation = _locked_period(consultation)
    _require_commenter(actor, consultation)
    _require_open(consultation, now)
    body, proposed_change = _clean_fields(consultation, clause, comment_type, body, proposed_change)
    COMMENTS.check(
        str(actor.pk),
        _("You have posted many comments in a short time. Please wait a few minutes."),
    )
    group = consultation.version.standard.working_group
    organisation, chamber = _affiliation(actor, group)
    comment = Comment(
        consultation=consultation,
        clause=clause,
        paragraph=plain_text(paragraph)[:100],
        author=actor,
        organisation=organisation,
        organisation_name=organisation.name if organisation else "",
        chamber=chamber,
        comment_type=comment_type,
        body=body,
        proposed_change=proposed_change,
        language=written_language(language),
        idempotency_key=idempotency_key,
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        return Comment.objects.get(author=actor, idempotency_key=idempotency_key)
    COMMENTS.hit(str(actor.pk))
    audit.record(
        at=now,
        actor=actor,
        action="comment.posted",
        obj=comment,
        working_group=group,
        payload={
            "consultation": consultation.pk,
            "clause": clause.number if clause else None,
            "type": comment_type,
            "organisation": comment.organisation_name,
            "chamber": chamber.name if chamber else None,
        },
    )
    return comment


def _own_open_comment(actor, comment: Comment, now) -> tuple[Comment, Consultation]:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    consultation = _locked_period(comment.consultation)
    require(
        actor.is_authenticated and comment.author_id == actor.pk,
        _("Only the author may change a comment."),
    )
    if comment.source != CommentSource.WEB:
        refuse(_("An imported comment is changed by importing a corrected spreadsheet, not here."))
    if comment.withdrawn_at:
        refuse(_("This comment was withdrawn."))
    _require_open(consultation, now)
    return comment, consultation


def _keep_revision(comment: Comment, now) -> None:
    CommentRevision.objects.create(
        comment=comment,
        clause=comment.clause,
        comment_type=comment.comment_type,
        body=comment.body,
        proposed_change=comment.proposed_change,
        replaced_at=now,
    )


@transaction.atomic
def comment_edit(
    *,
    actor,
    comment: Comment,
    clause: Clause | None,
    comment_type: str,
    body: str,
    proposed_change: str = "",
    paragraph: str | None = None,
    now: datetime.datetime | None = None,
) -> Comment:
    """Change one's own comment while its period is open; `paragraph` None keeps the
    paragraph / figure / table it points at."""
    now = now or timezone.now()
    comment, consultation = _own_open_comment(actor, comment, now)
    body, proposed_change = _clean_fields(consultation, clause, comment_type, body, proposed_change)
    paragraph = comment.paragraph if paragraph is None else plain_text(paragraph)[:100]
    if (
        comment.clause_id,
        comment.comment_type,
        comment.body,
        comment.proposed_change,
        comment.paragraph,
    ) == (clause.pk if clause else None, comment_type, body, proposed_change, paragraph):
        return comment
    _keep_revision(comment, now)
    comment.clause, comment.comment_type, comment.body, comment.proposed_change = (
        clause,
        comment_type,
        body,
        proposed_change,
    )
    comment.paragraph = paragraph
    comment.updated_at = now
    comment.save()
    audit.record(
        at=now,
        actor=actor,
        action="comment.edited",
        obj=comment,
        working_group=consultation.version.standard.working_group,
        payload={"revision": comment.revisions.count()},
    )
    return comment


@transaction.atomic
def comment_withdraw(*, actor, comment: Comment, now: datetime.datetime | None = None) -> Comment:
    now = now or timezone.now()
    comment, consultation = _own_open_comment(actor, comment, now)
    _keep_revision(comment, now)
    comment.withdrawn_at = now
    comment.save(update_fields=["withdrawn_at"])
    audit.record(
        at=now,
        actor=actor,
        action="comment.withdrawn",
        obj=comment,
        working_group=consultation.version.standard.working_group,
    )
    return comment


@dataclass(frozen=True)
class CommentImport:
    created: list[Comment]
    repeated_lines: list[int]  # rows already in the period (a file sent twice): skipped
    disposed: list = field(default_factory=list)  # dispositions read from observations


def _same_comment_key(comment: Comment) -> tuple:
    """What makes two comments the same submission: where, what kind, what it says and
    for which organisation. Not who typed or imported it, nor how it arrived."""
    return (
        comment.clause_id,
        comment.paragraph,
        comment.organisation_name,
        comment.comment_type,
        comment.body,
        comment.proposed_change,
    )


@transaction.atomic
def comments_import(
    *,
    actor,
    consultation: Consultation,
    rows: list[MatrixRow],
    filename: str = "",
    now: datetime.datetime | None = None,
) -> CommentImport:
    """Comments sent as an ISO-template spreadsheet (CSV or XLSX), already parsed and
    validated row by row (resolution_matrix.parse_xlsx / parse_csv). All rows or none.

    A row that repeats a comment already in this period (the same file sent twice, the
    period's own matrix sent back, a row copied within the file) is not doubled. A row
    whose "Observations of the secretariat" column holds a disposition ("Accepted: we
    will…") disposes of its comment, new or already there: so the secretariat may
    export the matrix, fill in its observations and bring them back, even after the
    period closed. New comments need the period open. Problems in the observations are
    reported at once, by spreadsheet row (MatrixImportError)."""
    from .resolution import dispositions_from_rows

    now = now or timezone.now()
    consultation = _locked_period(consultation)
    group = consultation.version.standard.working_group
    require(
        permissions.can_manage_consultations(actor, group),
        _("Only the secretariat imports comments."),
    )
    if not rows:
        refuse(_("The spreadsheet has no comments."))
    clauses = {c.number: c for c in consultation.version.clauses.all()}
    organisations = {o.name.lower(): o for o in Organisation.objects.all()}
    existing = {_same_comment_key(c): c for c in consultation.comments.active()}
    repeated, matched, new_rows = [], [], []
    for row in rows:
        clause = clauses.get(row.clause) if row.clause else None
        if row.clause and clause is None:
            refuse(
                _("Row %(line)s: clause %(clause)s is not in this draft.")
                % {"line": row.line, "clause": row.clause}
            )
        body, proposed_change = _clean_fields(
            consultation, clause, row.type_code, row.comment, row.proposed_change
        )
        organisation = organisations.get((row.organisation or "").strip().lower())
        comment = Comment(
            consultation=consultation,
            clause=clause,
            paragraph=plain_text(row.paragraph)[:100],
            author=actor,
            submitted_by=actor,
            source=CommentSource.IMPORT,
            organisation=organisation,
            organisation_name=(organisation.name if organisation else plain_text(row.organisation))[
                :200
            ],
            commenter_name=plain_text(row.commenter)[:200] or actor.public_name,
            chamber=organisation.chamber.top_level
            if organisation and organisation.chamber_id
            else None,
            comment_type=row.type_code,
            body=body,
            proposed_change=proposed_change,
            created_at=now,
            updated_at=now,
        )
        key = _same_comment_key(comment)
        if key in existing:
            repeated.append(row.line)
            matched.append((row, existing[key]))
            continue
        existing[key] = comment
        new_rows.append((row, comment))
        matched.append((row, comment))
    if new_rows:
        _require_open(consultation, now)
    created = []
    for row, comment in new_rows:
        comment.save()
        audit.record(
            at=now,
            actor=actor,
            action="comment.imported",
            obj=comment,
            working_group=group,
            payload={
                "consultation": consultation.pk,
                "file": filename,
                "row": row.line,
                "commenter": plain_text(row.commenter)[:200],
                "organisation": comment.organisation_name,
            },
        )
        created.append(comment)
    disposed = dispositions_from_rows(
        actor=actor, consultation=consultation, matched=matched, now=now
    )
    return CommentImport(created, repeated, disposed)
