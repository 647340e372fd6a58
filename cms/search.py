"""Site-wide search: one query box over everything a person may read.

Each kind of result has a *readable* queryset built from the project's visibility
rules (public working groups, `consultations.visibility` for versions and clauses,
public comment periods and their comments, ballots past their draft, the member
directory, discussions as `can_read_thread` decides) widened by the groups whose
private content the reader reads. The search itself runs on Wagtail's search
backend (PostgreSQL full text) over `Model.objects.filter(pk__in=readable)`, so a
row the reader may not see never reaches the ranking, the count or a snippet.

Queries: the reader's private groups (one or two, none for anonymous readers), then
one search per kind shown (and a count per kind when one kind is paged) — the same
whatever the number of rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.search.backends import get_search_backend

from cms import localized as pages_in_language
from consultations import visibility
from consultations.models import Audience, Clause, Comment, Consultation, Message, Standard
from governance import permissions
from governance.models import Ballot, BallotStatus, Organisation, WorkingGroup, WorkingGroupStatus
from governance.models.organisations import MembershipStatus

from .models import DecisionPage

KINDS: dict[str, str] = {
    "decision": _("Decisions"),
    "standard": _("Standards"),
    "clause": _("Clauses"),
    "consultation": _("Comment periods"),
    "comment": _("Comments"),
    "ballot": _("Ballots"),
    "group": _("Working groups"),
    "organisation": _("Organisations"),
    "discussion": _("Discussions"),
}
SNIPPET_CHARS = 220


@dataclass(frozen=True)
class Reader:
    """Who searches: the ids of the groups whose private content they read."""

    private_group_ids: frozenset[int]

    @classmethod
    def for_user(cls, user) -> Reader:
        ids = permissions.groups_with_private_content_for(user).values_list("pk", flat=True)
        return cls(frozenset(ids))

    def group_q(self, path: str) -> Q:
        """Rows of a public group, or of a group whose private content the reader reads."""
        return ~Q(**{f"{path}status": WorkingGroupStatus.CLOSED}) | Q(
            **{f"{path}id__in": self.private_group_ids}
        )

    def private_q(self, path: str) -> Q:
        return Q(**{f"{path}id__in": self.private_group_ids})


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str
    snippet: SafeString
    context: str  # the working group, standard or thread it belongs to


# --- What each kind of result lets a reader see ---------------------------------------


def _in_group(queryset: QuerySet, path: str, group: WorkingGroup | None) -> QuerySet:
    return queryset if group is None else queryset.filter(**{f"{path}id": group.pk})


def readable(kind: str, reader: Reader, group: WorkingGroup | None = None) -> QuerySet:
    """The rows of `kind` the reader may read (in `group` when given)."""
    if kind == "decision":
        pages = DecisionPage.objects.live().public()
        pages = pages.filter(reader.group_q("decision__working_group__"))
        return _in_group(pages, "decision__working_group__", group)
    if kind == "standard":
        standards = Standard.objects.filter(reader.group_q("working_group__"))
        return _in_group(standards, "working_group__", group)
    if kind == "clause":
        path = "version__standard__working_group__"
        clauses = Clause.objects.filter(
            (visibility.public_version_q("version__") & reader.group_q(path))
            | reader.private_q(path)
        )
        return _in_group(clauses, path, group)
    if kind == "consultation":
        path = "version__standard__working_group__"
        periods = Consultation.objects.filter(
            (Q(audience=Audience.PUBLIC) & reader.group_q(path)) | reader.private_q(path)
        )
        return _in_group(periods, path, group)
    if kind == "comment":
        # Comments of public rounds only: the open-data API publishes the same ones.
        path = "consultation__version__standard__working_group__"
        comments = Comment.objects.active().filter(
            Q(consultation__audience=Audience.PUBLIC) & reader.group_q(path)
        )
        return _in_group(comments, path, group)
    if kind == "ballot":
        ballots = Ballot.objects.exclude(status=BallotStatus.DRAFT).filter(
            reader.group_q("working_group__")
        )
        return _in_group(ballots, "working_group__", group)
    if kind == "group":
        groups = WorkingGroup.objects.filter(reader.group_q(""))
        return groups if group is None else groups.filter(pk=group.pk)
    if kind == "organisation":
        members = Organisation.objects.filter(membership_status=MembershipStatus.MEMBER)
        return members if group is None else members.none()
    if kind == "discussion":
        # As can_read_thread: public rounds' threads for all; members' rooms, members-only
        # rounds and debates on ballots past their draft for the group's members.
        consultation_group = "thread__consultation__version__standard__working_group__"
        messages = Message.objects.visible().filter(deleted_at__isnull=True, hidden_at__isnull=True)
        messages = messages.filter(
            Q(thread__consultation__audience=Audience.PUBLIC) & reader.group_q(consultation_group)
            | reader.private_q(consultation_group)
            | (
                reader.private_q("thread__ballot__working_group__")
                & ~Q(thread__ballot__status=BallotStatus.DRAFT)
            )
            | reader.private_q("thread__working_group__")
        )
        if group is not None:
            messages = messages.filter(
                Q(**{f"{consultation_group}id": group.pk})
                | Q(thread__ballot__working_group_id=group.pk)
                | Q(thread__working_group_id=group.pk)
            )
        return messages
    raise KeyError(kind)


_RELATED = {
    "decision": ("decision__working_group",),
    "standard": ("working_group",),
    "clause": ("version__standard",),
    "consultation": ("version__standard__working_group",),
    "comment": ("consultation__version__standard", "clause"),
    "ballot": ("working_group",),
    "group": (),
    "organisation": (),
    "discussion": (
        "thread__consultation__version__standard",
        "thread__clause",
        "thread__ballot",
        "thread__working_group",
    ),
}


def search(kind: str, query: str, reader: Reader, group: WorkingGroup | None = None):
    """Search results (lazy, sliceable, countable) of `kind` for `query`, best first."""
    model = readable(kind, reader).model
    rows = readable(kind, reader, group).values("pk")
    queryset = model.objects.filter(pk__in=rows).select_related(*_RELATED[kind])
    return get_search_backend().search(query, queryset, operator="and")


# --- Showing a result ------------------------------------------------------------------


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"\W+", query) if len(t) > 1]


def snippet(text: str, query: str) -> SafeString:
    """A short extract of `text` around the first term found, terms marked."""
    text = re.sub(r"<[^>]+>", " ", text or "")  # rich text (a group's mandate)
    text = re.sub(r"\s+", " ", text).strip()
    terms = _terms(query)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    found = pattern.search(text) if pattern else None
    start = max(0, (found.start() if found else 0) - SNIPPET_CHARS // 3)
    extract = text[start : start + SNIPPET_CHARS]
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_CHARS < len(text) else ""
    if not pattern:
        return mark_safe(escape(prefix + extract + suffix))  # noqa: S308 - escaped
    marked, last = [], 0
    for match in pattern.finditer(extract):
        marked.append(escape(extract[last : match.start()]))
        marked.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    marked.append(escape(extract[last:]))
    return mark_safe(escape(prefix) + "".join(marked) + escape(suffix))  # noqa: S308 - escaped


class Links:
    """URLs of results; the working-group index page is looked up once."""

    def __init__(self, request):
        self.request = request

    def group(self, group: WorkingGroup) -> str:
        # In the reader's language, so a result does not lead out of it.
        index = pages_in_language.groups_index(self.request)
        return index.url_for_group(self.request, group) if index else ""

    def page(self, page) -> str:
        return pages_in_language.localized(page, self.request).get_url(self.request)


def hit(kind: str, row, query: str, links: Links) -> Hit:
    if kind == "decision":
        decision = row.decision
        text = " ".join([decision.motion, decision.objections])
        return Hit(
            kind,
            row.title,
            links.page(row),
            snippet(text, query),
            decision.working_group.name,
        )
    if kind == "standard":
        url = reverse("consultations:standard", args=[row.slug])
        return Hit(kind, row.title, url, snippet(row.summary, query), row.working_group.name)
    if kind == "clause":
        standard = row.version.standard
        url = reverse("consultations:clause_history", args=[standard.slug, row.key])
        return Hit(
            kind, str(row), url, snippet(row.body, query), f"{standard.title} {row.version.label}"
        )
    if kind == "consultation":
        url = reverse("consultations:detail", args=[row.pk])
        text = " ".join([row.instructions, row.report_summary])
        return Hit(
            kind, str(row), url, snippet(text, query), row.version.standard.working_group.name
        )
    if kind == "comment":
        url = reverse("consultations:detail", args=[row.consultation_id])
        title = str(row.clause) if row.clause_id else str(_("General comment"))
        text = " ".join([row.body, row.proposed_change])
        return Hit(kind, title, url, snippet(text, query), str(row.consultation))
    if kind == "ballot":
        url = reverse("ballots:detail", args=[row.pk])
        return Hit(kind, row.title, url, snippet(row.motion, query), row.working_group.name)
    if kind == "group":
        return Hit(kind, row.name, links.group(row), snippet(row.mandate, query), "")
    if kind == "organisation":
        url = reverse("membership:profile", args=[row.slug])
        return Hit(kind, row.name, url, snippet(row.description, query), "")
    if kind == "discussion":
        url = reverse("discussions:thread", args=[row.thread_id]) + f"#message-{row.sequence}"
        return Hit(kind, str(row.thread), url, snippet(row.body, query), "")
    raise KeyError(kind)
