"""Reads that the consultation pages share, with their joins, so N+1 is fixed once.

Each function here costs a fixed number of queries whatever the number of
comments; tests/consultations/test_selectors.py and the page query-count tests
hold them to it.
"""

from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, Prefetch, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.shortcuts import get_object_or_404
from django.utils import timezone

from governance.models import Chamber
from governance.selectors import is_artisanal_miners

from . import visibility
from .models import (
    Audience,
    Clause,
    Comment,
    Consultation,
    Disposition,
    DraftVersion,
    Standard,
    VersionStatus,
)
from .redline import ClauseText
from .resolution_matrix import MatrixRow

# "disposed" / "undisposed": the resolution table's status filter.
DISPOSED, UNDISPOSED = "disposed", "undisposed"


def consultation_get(pk: int) -> Consultation:
    """One period with its version, standard and group (404 if there is none)."""
    return get_object_or_404(
        Consultation.objects.select_related("version__standard__working_group"), pk=pk
    )


def _active(consultation: Consultation):
    return Comment.objects.active().filter(consultation=consultation)


# --- the consultation page -----------------------------------------------------


@dataclass
class ConsultationPage:
    """The draft clause by clause for one period. Each clause carries
    `comment_count` (active comments in this period) and `own_comments` (the
    reader's own active comments on it)."""

    clauses: list[Clause]
    general_count: int
    own_general: list[Comment] = field(default_factory=list)
    own_count: int = 0


def consultation_page(consultation: Consultation, person=None) -> ConsultationPage:
    """Three queries: clauses with counts, the general count, the reader's own comments."""
    clauses = list(
        Clause.objects.filter(version_id=consultation.version_id)
        .annotate(
            comment_count=Count(
                "comments",
                filter=Q(comments__consultation=consultation, comments__withdrawn_at__isnull=True),
            )
        )
        .order_by("order", "id")
    )
    general_count = _active(consultation).filter(clause__isnull=True).count()
    own: list[Comment] = []
    if person is not None and person.is_authenticated:
        own = list(
            _active(consultation)
            .filter(author=person, source="web")
            .select_related("clause")
            .order_by("created_at", "id")
        )
    by_clause: dict[int | None, list[Comment]] = {}
    for comment in own:
        by_clause.setdefault(comment.clause_id, []).append(comment)
    for clause in clauses:
        clause.own_comments = by_clause.get(clause.pk, [])
    return ConsultationPage(
        clauses=clauses,
        general_count=general_count,
        own_general=by_clause.get(None, []),
        own_count=len(own),
    )


def public_comments(consultation: Consultation, clause: Clause | None):
    """Active comments on one clause (None: the general ones), for the public list.
    Author, organisation and chamber come along; emails are never read for pages."""
    return (
        _active(consultation)
        .filter(clause=clause)
        .select_related("author", "chamber", "clause")
        .order_by("created_at", "id")
    )


def comment_get(pk: int, consultation_pk: int | None = None) -> Comment:
    queryset = Comment.objects.select_related(
        "clause", "consultation__version__standard__working_group"
    )
    if consultation_pk is not None:
        queryset = queryset.filter(consultation_id=consultation_pk)
    return get_object_or_404(queryset, pk=pk)


# --- the resolution table ------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    resolved: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.resolved / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        return self.resolved == self.total


def resolution_progress(consultation: Consultation) -> Progress:
    counts = _active(consultation).aggregate(
        total=Count("id"), resolved=Count("id", filter=Q(disposition__isnull=False))
    )
    return Progress(resolved=counts["resolved"], total=counts["total"])


def resolution_comments(
    consultation: Consultation,
    *,
    clause: str = "",
    comment_type: str = "",
    chamber: int | None = None,
    status: str = "",
):
    """Active comments of a period for the secretariat, in clause order, filtered.

    `clause` is a clause pk as text, or "general" for comments on no clause.
    """
    queryset = _active(consultation).select_related(
        "clause", "author", "chamber", "disposition__resulting_clause__version"
    )
    if clause == "general":
        queryset = queryset.filter(clause__isnull=True)
    elif clause:
        queryset = queryset.filter(clause_id=clause)
    if comment_type:
        queryset = queryset.filter(comment_type=comment_type)
    if chamber:
        queryset = queryset.filter(chamber_id=chamber)
    if status == DISPOSED:
        queryset = queryset.filter(disposition__isnull=False)
    elif status == UNDISPOSED:
        queryset = queryset.filter(disposition__isnull=True)
    # General comments first, then clause order, then as they came in.
    return queryset.order_by(F("clause__order").asc(nulls_first=True), "created_at", "id")


def version_clauses(version: DraftVersion):
    return Clause.objects.filter(version=version).order_by("order", "id")


def resolution_chambers(consultation: Consultation):
    """The chambers that commented in this period (for the filter)."""
    return Chamber.objects.filter(
        pk__in=_active(consultation).filter(chamber__isnull=False).values("chamber_id")
    ).order_by("sort_order", "name")


def resulting_clause_choices(consultation: Consultation) -> list[Clause]:
    """Clauses of the versions of the same standard made after this one: where a
    comment's change can land."""
    version = consultation.version
    return list(
        Clause.objects.filter(
            version__standard_id=version.standard_id, version__created_at__gt=version.created_at
        )
        .exclude(version_id=version.pk)
        .select_related("version")
        .order_by("version__created_at", "order", "id")
    )


# --- the synopsis and the matrix -----------------------------------------------


@dataclass
class Synopsis:
    """The published report: clauses that drew comments (each with `period_comments`),
    and the general comments."""

    clauses: list[Clause]
    general: list[Comment]
    total: int


def _synopsis_comments(consultation: Consultation):
    return _active(consultation).select_related(
        "author", "chamber", "disposition__resulting_clause__version"
    )


def synopsis(consultation: Consultation) -> Synopsis:
    """Two queries for the clauses and their comments, one for the general comments."""
    comments = _synopsis_comments(consultation).order_by("created_at", "id")
    clauses = list(
        Clause.objects.filter(version_id=consultation.version_id)
        .prefetch_related(Prefetch("comments", queryset=comments, to_attr="period_comments"))
        .order_by("order", "id")
    )
    general = list(comments.filter(clause__isnull=True))
    commented = [clause for clause in clauses if clause.period_comments]
    total = len(general) + sum(len(clause.period_comments) for clause in commented)
    return Synopsis(clauses=commented, general=general, total=total)


def observations(comment: Comment) -> str:
    disposition = getattr(comment, "disposition", None)
    if disposition is None:
        return ""
    return f"{disposition.get_decision_display()}: {disposition.response}"


def matrix_rows(consultation: Consultation) -> list[MatrixRow]:
    """The period's active comments as rows of the ISO comment-resolution matrix."""
    comments = (
        _active(consultation)
        .select_related("author", "clause", "disposition")
        .order_by(F("clause__order").asc(nulls_first=True), "created_at", "id")
    )
    return [
        MatrixRow(
            commenter=comment.commenter,
            organisation=comment.organisation_name,
            clause=comment.clause.number if comment.clause else "",
            paragraph=comment.paragraph,
            type_code=comment.comment_type,
            comment=comment.body,
            proposed_change=comment.proposed_change,
            observations=observations(comment),
        )
        for comment in comments
    ]


# --- standards and the redline -------------------------------------------------


def standard_get(slug: str) -> Standard:
    return get_object_or_404(Standard.objects.select_related("working_group"), slug=slug)


def standard_versions(standard: Standard, reader, *, private=None) -> list[DraftVersion]:
    """The versions `reader` may read (consultations.visibility), oldest first, with
    their periods and clause counts."""
    return list(
        visibility.readable_versions(reader, standard, private=private)
        .annotate(clause_count=Count("clauses"))
        .prefetch_related(
            Prefetch(
                "consultations",
                queryset=Consultation.objects.order_by("round_number"),
            )
        )
        .order_by("created_at", "id")
    )


def clause_texts(version: DraftVersion) -> list[ClauseText]:
    return [
        ClauseText(key=key, number=number, heading=heading, body=body)
        for key, number, heading, body in version_clauses(version).values_list(
            "key", "number", "heading", "body"
        )
    ]


def clause_numbers(version: DraftVersion) -> set[str]:
    return set(Clause.objects.filter(version=version).values_list("number", flat=True))


# --- the public record of a standard: clause histories, downloads, balance ------------
# (Added with the standard pages; the functions above are unchanged.)

DOWNLOADABLE = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


def downloadable_version_get(standard: Standard, label: str, reader) -> DraftVersion:
    """A version that was adopted (in force or superseded) and that `reader` may read;
    drafts and versions still in consultation are not documents of record (404)."""
    return get_object_or_404(
        visibility.readable_versions(reader, standard).select_related("standard__working_group"),
        label=label,
        status__in=DOWNLOADABLE,
    )


@dataclass
class ClauseRound:
    """One public comment period on one version of a clause, with the active
    comments made on the clause in it. Each comment carries `public_disposition`:
    the group's answer once the period's report is published, else None."""

    consultation: Consultation
    comments: list[Comment]

    @property
    def report_published(self) -> bool:
        return bool(self.consultation.report_published_at)


@dataclass
class ClauseVersion:
    """The clause (by stable key) as one version reads, and the rounds held on it."""

    version: DraftVersion
    clause: Clause
    rounds: list[ClauseRound]


def clause_history(key: str, versions: list[DraftVersion]) -> list[ClauseVersion]:
    """The clause with stable `key` in each of `versions` that has it (oldest first),
    with the public rounds held on each version and, per round, the active comments
    on the clause; withdrawn comments and members-only rounds never come along, and
    a disposition only once its round's report is published.

    `versions` are the ones the reader may see, as `standard_versions` gives them
    (their consultations prefetched). Three queries whatever the number of versions
    and comments: the clauses, the comments, the published dispositions.
    """
    by_id = {version.pk: version for version in versions}
    clauses = list(
        Clause.objects.filter(version_id__in=by_id, key=key).order_by(
            "version__created_at", "version_id"
        )
    )
    if not clauses:
        return []
    clause_ids = [clause.pk for clause in clauses]
    public_rounds = Q(consultation__audience=Audience.PUBLIC) & Q(
        consultation__version_id__in=by_id
    )
    comments = list(
        Comment.objects.active()
        .filter(public_rounds, clause_id__in=clause_ids)
        .select_related("author", "chamber")
        .order_by("created_at", "id")
    )
    answers = {
        disposition.comment_id: disposition
        for disposition in Disposition.objects.filter(
            comment__in=Comment.objects.active().filter(
                public_rounds,
                clause_id__in=clause_ids,
                consultation__report_published_at__isnull=False,
            )
        ).select_related("resulting_clause__version")
    }
    by_round: dict[int, list[Comment]] = {}
    for row in comments:
        row.public_disposition = answers.get(row.pk)
        by_round.setdefault(row.consultation_id, []).append(row)
    history = []
    for clause in clauses:
        version = by_id[clause.version_id]
        clause.version = version  # already loaded: no query to follow it
        rounds = [
            ClauseRound(consultation, by_round.get(consultation.pk, []))
            for consultation in version.consultations.all()
            if consultation.audience == Audience.PUBLIC
        ]
        history.append(ClauseVersion(version=version, clause=clause, rounds=rounds))
    return history


def group_open_consultations(group, at=None):
    """The public comment periods of a working group open now, closing soonest first."""
    return (
        Consultation.objects.open(at)
        .filter(version__standard__working_group=group, audience=Audience.PUBLIC)
        .select_related("version__standard")
        .order_by("closes_at", "id")
    )


PAST_PERIODS_SHOWN = 10


@dataclass
class GroupPeriods:
    """A working group's comment periods for its page: open now, scheduled, and the
    newest past ones."""

    open: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    past: list = field(default_factory=list)
    more_past: bool = False


def group_consultations(group, *, members: bool = False, at=None) -> GroupPeriods:
    """Public rounds for everyone; members-only rounds too when `members` (the caller
    asked `permissions.can_view_private`). Two queries whatever the number of periods."""
    at = at or timezone.now()
    periods = Consultation.objects.filter(version__standard__working_group=group)
    if not members:
        periods = periods.filter(audience=Audience.PUBLIC)
    periods = periods.select_related("version__standard")
    found = GroupPeriods()
    for period in periods.filter(closes_at__gt=at, report_published_at__isnull=True).order_by(
        "closes_at", "id"
    ):
        (found.upcoming if period.opens_at > at else found.open).append(period)
    past = list(
        periods.filter(Q(closes_at__lte=at) | Q(report_published_at__isnull=False)).order_by(
            "-closes_at", "-id"
        )[: PAST_PERIODS_SHOWN + 1]
    )
    found.past, found.more_past = past[:PAST_PERIODS_SHOWN], len(past) > PAST_PERIODS_SHOWN
    return found


def schedulable_versions(standards) -> dict[int, DraftVersion]:
    """The newest version of each standard that may still go out for comment (drafting
    or in consultation), by standard id: one query."""
    newest: dict[int, DraftVersion] = {}
    for version in DraftVersion.objects.filter(
        standard__in=standards,
        status__in=(VersionStatus.DRAFTING, VersionStatus.CONSULTATION),
    ).order_by("standard_id", "-created_at", "-id"):
        newest.setdefault(version.standard_id, version)
    return newest


@dataclass
class ChamberComments:
    """Participation of one chamber in a comment period (None: chamber not stated)."""

    chamber: Chamber | None
    comments: int = 0
    commenters: int = 0

    @property
    def is_artisanal_miners(self) -> bool:
        return self.chamber is not None and is_artisanal_miners(self.chamber)


@dataclass
class CommentBalance:
    rows: list[ChamberComments]
    total_comments: int
    total_commenters: int

    @property
    def artisanal_miners(self) -> ChamberComments | None:
        return next((row for row in self.rows if row.is_artisanal_miners), None)


def comment_balance(consultation: Consultation) -> CommentBalance:
    """Active comments and distinct commenters per top-level chamber, every chamber
    listed (a silent chamber shows as 0), and comments whose chamber is not known as
    a row of their own. Counts only. Three queries whatever the number of comments.

    A commenter is an author, or, for an imported spreadsheet row, the person the
    row names (the importer is the author of every row of a file).
    """
    commenter = Concat(Cast("author_id", CharField()), Value("|"), "commenter_name")
    counted = (
        _active(consultation)
        .annotate(top=Coalesce("chamber__parent_id", "chamber_id"))
        .values("top")
        .annotate(comments=Count("id"), commenters=Count(commenter, distinct=True))
        .order_by()
    )
    counts = {row["top"]: row for row in counted}
    totals = _active(consultation).aggregate(
        comments=Count("id"), commenters=Count(commenter, distinct=True)
    )
    rows = [
        ChamberComments(
            chamber,
            counts.get(chamber.pk, {}).get("comments", 0),
            counts.get(chamber.pk, {}).get("commenters", 0),
        )
        for chamber in Chamber.objects.filter(parent__isnull=True).order_by("sort_order", "name")
    ]
    if None in counts:
        rows.append(ChamberComments(None, counts[None]["comments"], counts[None]["commenters"]))
    return CommentBalance(rows, totals["comments"], totals["commenters"])


def group_standards(group):
    """The standards a working group drafts, for its public page."""
    return Standard.objects.filter(working_group=group).order_by("title")
