"""Decisions on the public site: drafting their pages, what a page and the register show.

- Drafting: when governance records a decision (`decision_recorded`, sent inside its
  transaction) a DecisionPage is drafted, unpublished, under the decision register. No
  register yet: nothing is drafted (the demo and `draft_missing_pages` catch up later).
- Publishing: the register carries the "Decision approval" workflow (ChairApprovalTask);
  the secretariats' Django group may add and edit pages there, never publish, and only
  the pages of its members' own working groups (cms.models.DecisionPagePermissionTester).
- Showing: a page shows the decision's *stored* result. `public_rows` is the one place
  that turns a stored result into the chamber rows a reader may see: for a secret
  ballot, chambers below the rule's `min_cell` are withheld by tally.public_breakdown.
"""

import dataclasses
import datetime
import logging

from django import forms
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.models import (
    GroupPagePermission,
    Locale,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from consultations.models import DraftVersion, Standard
from governance import ballot_counting, permissions, selectors
from governance.models import Ballot, Decision, WorkingGroup, WorkingGroupStatus
from governance.services.decisions import decision_publication_record
from governance.tally import OUTCOME_LABELS, outcome_label

from . import charts
from .models import ChairApprovalTask, DecisionIndexPage, DecisionPage
from .models.decisions import PUBLISHER

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "Decision approval"
TASK_NAME = "Chair approval"
SECRETARIAT_PAGE_PERMISSIONS = ("add_page", "change_page")  # never publish_page
PER_PAGE = 20


# --- What a reader may see -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChamberRow:
    """A chamber's published row. `counts` None: withheld (a secret ballot's small cell)."""

    chamber: str
    eligible: int
    cast: int
    counts: dict[str, int] | None
    support_percent: float | None
    quorum_met: bool | None
    blocked: bool
    colour: str = "chamber-other"  # the chamber's colour class (see governance.selectors)

    @property
    def withheld(self) -> bool:
        return self.counts is None

    @property
    def turnout_percent(self) -> float | None:
        return round(100 * self.cast / self.eligible, 1) if self.eligible else None


def public_rows(result: dict | None, *, secret: bool, min_cell: int = 3) -> list[ChamberRow]:
    """A stored result's chamber rows as they may be published.

    For a secret ballot the rule of tally.public_breakdown is applied to the stored rows:
    it looks only at how many voted in each chamber, so it gives the same answer on a raw
    `Ballot.result` and on a `Decision.tally` already withheld at certification."""
    stored = list((result or {}).get("chambers") or [])
    if secret:
        stored = ballot_counting.public_chamber_rows(stored, min_cell)
    rows = []
    for row in stored:
        hidden = row.get("counts") is None
        rows.append(
            ChamberRow(
                chamber=row["chamber"],
                eligible=row.get("eligible", 0),
                cast=row.get("cast", 0),
                counts=None if hidden else dict(row["counts"]),
                support_percent=None if hidden else row.get("support_percent"),
                quorum_met=row.get("quorum_met"),
                blocked=bool(row.get("blocked")) and not hidden,
            )
        )
    return rows


def explanation_for(explanations: dict | None, language: str | None = None) -> str:
    """The stored explanation in the reader's language, else in English."""
    explanations = explanations or {}
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return (
        explanations.get(language)
        or explanations.get(language.split("-")[0])
        or explanations.get(settings.LANGUAGE_CODE, "")
    )


def option_labels(ballot: Ballot | None, result: dict | None = None) -> list[tuple[str, str]]:
    """(key, label) of the ballot's choices in order, in the reader's language."""
    if ballot is None:
        return []
    options = [(o.key, translation.gettext(o.label)) for o in ballot.options.all()]
    known = {key for key, _label in options}
    extra = sorted(set((result or {}).get("totals") or {}) - known)
    return options + [(key, key) for key in extra]


def _draft_version_type_id() -> int:
    return ContentType.objects.get_for_model(DraftVersion).pk  # cached after the first call


def versions_of(ballots) -> dict[int, DraftVersion]:
    """Ballot id → the standard version it concerns, in one query for all the ballots."""
    type_id = _draft_version_type_id()
    wanted = {b.pk: b.subject_id for b in ballots if b and b.subject_type_id == type_id}
    if not wanted:
        return {}
    found = DraftVersion.objects.select_related("standard").in_bulk(set(wanted.values()))
    return {pk: found[vid] for pk, vid in wanted.items() if vid in found}


def named_in_reader_language(rows: list[ChamberRow]) -> list[ChamberRow]:
    """The rows with each chamber's name in the reader's language and its colour (one
    query); a chamber renamed since the count keeps its stored name."""
    chambers = selectors.chambers_named(row.chamber for row in rows)
    return [
        dataclasses.replace(
            row,
            chamber=chambers[row.chamber].name if row.chamber in chambers else row.chamber,
            colour=selectors.chamber_colour_class(chambers.get(row.chamber)),
        )
        for row in rows
    ]


def decision_context(page: DecisionPage) -> dict:
    """Everything a decision page shows, from the stored decision (a fixed few queries)."""
    decision = Decision.objects.select_related("working_group", "ballot").get(pk=page.decision_id)
    ballot = decision.ballot
    result = decision.tally or {}
    options = option_labels(ballot, result)
    labels = dict(options)
    min_cell = (ballot.rule_snapshot or {}).get("min_cell", 3) if ballot else 3
    rows = public_rows(result, secret=bool(ballot and ballot.is_secret), min_cell=min_cell)
    rows = named_in_reader_language(rows)
    totals = result.get("totals") or {}
    version = versions_of([ballot]).get(ballot.pk) if ballot else None
    return {
        "decision": decision,
        "ballot": ballot,
        "outcome_label": outcome_label(decision.outcome),
        "explanation": explanation_for(decision.explanations),
        "options": options,
        "rows": [
            (row, None if row.withheld else [row.counts.get(key, 0) for key, _l in options])
            for row in rows
        ],
        "any_withheld": any(row.withheld for row in rows),
        "min_cell": min_cell,
        "totals": [(label, (totals.get(key) or {}).get("count", 0)) for key, label in options],
        "participation": result.get("participation"),
        "support_percent": result.get("support_percent"),
        "winner": labels.get(result.get("winner")),
        "chart": charts.chamber_chart(rows, options),
        "version": version,
        "standard_url": reverse("consultations:standard", args=[version.standard.slug])
        if version
        else "",
        "bulletin_url": reverse("ballots:bulletin", args=[ballot.pk]) if ballot else "",
        "objections": [line for line in decision.objections.splitlines() if line.strip()],
    }


# --- The register ------------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    group = forms.ChoiceField(label=_("Working group"), required=False)
    standard = forms.ChoiceField(label=_("Standard"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)

    def __init__(self, data, *, groups, standards, years):
        super().__init__(data)
        self.fields["group"].choices = [("", _("All working groups"))] + [
            (g.slug, g.name) for g in groups
        ]
        self.fields["standard"].choices = [("", _("All standards"))] + [
            (s.slug, s.title) for s in standards
        ]
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in years]
        self.fields["outcome"].choices = [("", _("All outcomes")), *OUTCOME_LABELS.items()]


def register_pages(
    index: DecisionIndexPage,
    *,
    group: WorkingGroup | None = None,
    standard: Standard | None = None,
    year: int | None = None,
    outcome: str = "",
):
    """Published decision pages of the register, filtered. Every filter is declared in
    DecisionPage.search_fields, so the result can still be searched."""
    pages = (
        DecisionPage.objects.live()
        .public()
        .child_of(index)
        .exclude(decision__working_group__status=WorkingGroupStatus.CLOSED)
        .select_related("decision__working_group", "decision__ballot")
    )
    if group is not None:
        pages = pages.filter(decision__working_group=group)
    if outcome:
        pages = pages.filter(decision__outcome=outcome)
    if year:
        start = datetime.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
        pages = pages.filter(
            decision__decided_at__gte=start, decision__decided_at__lt=start.replace(year=year + 1)
        )
    if standard is not None:
        pages = pages.filter(
            decision__ballot__subject_type_id=_draft_version_type_id(),
            decision__ballot__subject_id__in=standard.versions.values("pk"),
        )
    return pages


def register_context(index: DecisionIndexPage, request) -> dict:
    """The register's form, page of results and pagination. A fixed number of queries
    whatever the number of decisions: filter choices, count, one page, its versions."""
    groups = list(WorkingGroup.objects.public().order_by("name"))
    standards = list(Standard.objects.order_by("title"))
    years = [
        moment.year
        for moment in DecisionPage.objects.live()
        .child_of(index)
        .datetimes("decision__decided_at", "year", order="DESC")
    ]
    form = RegisterFilterForm(request.GET or None, groups=groups, standards=standards, years=years)
    form.is_valid()  # invalid fields show their error and filter nothing
    chosen = form.cleaned_data if form.is_bound else {}
    query = (chosen.get("q") or "").strip()
    pages = register_pages(
        index,
        group=next((g for g in groups if g.slug == chosen.get("group")), None),
        standard=next((s for s in standards if s.slug == chosen.get("standard")), None),
        year=chosen.get("year"),
        outcome=chosen.get("outcome") or "",
    )
    if query:
        results = pages.search(query, operator="and")
    else:
        results = pages.order_by("-decision__decided_at", "-pk")
    page_obj = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    found = list(page_obj.object_list)
    versions = versions_of([p.decision.ballot for p in found if p.decision.ballot_id])
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "form": form,
        "query": query,
        "filtered": any(chosen.get(name) for name in form.fields),
        "page_obj": page_obj,
        "entries": [
            {
                "page": p,
                "decision": p.decision,
                "outcome_label": outcome_label(p.decision.outcome),
                "version": versions.get(p.decision.ballot_id),
            }
            for p in found
        ],
        "pagination_query": params.urlencode(),
    }


# --- Drafting and wiring --------------------------------------------------------------------


def _slug_for(decision: Decision, index: DecisionIndexPage) -> str:
    base = slugify(decision.title)[:80].strip("-") or "decision"
    taken = DecisionPage.objects.child_of(index).filter(slug=base).exists()
    return f"{base}-{decision.pk}" if taken else base


def draft_page(decision: Decision) -> DecisionPage | None:
    """The decision's page: drafted (a revision, not published) under the register of the
    default language if it has none. None when no register exists. Idempotent: one page
    per decision (translations of it aside)."""
    existing = DecisionPage.objects.filter(decision=decision).order_by("path").first()
    if existing is not None:
        return existing
    registers = DecisionIndexPage.objects.order_by("path")
    index = registers.filter(locale=Locale.get_default()).first() or registers.first()
    if index is None:
        logger.info("No decision register: decision %s waits for its page.", decision.pk)
        return None
    # Lock the register so concurrent drafts get distinct tree paths.
    index = DecisionIndexPage.objects.select_for_update().get(pk=index.pk)
    page = DecisionPage(
        title=decision.title,
        slug=_slug_for(decision, index),
        decision=decision,
        live=False,
        has_unpublished_changes=True,
    )
    index.add_child(instance=page)
    page.save_revision(log_action=True)
    return page


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    """Receiver of Wagtail's `page_published` for decision pages: the publication enters
    the governance audit chain (governance.services.decision_publication_record),
    inside the publishing transaction where there is one (the chair's approval,
    DecisionPage.publish). The publisher is who called DecisionPage.publish, else the
    author of the revision (Wagtail's edit view saves it as the person publishing)."""
    actor = PUBLISHER.get(getattr(revision, "user", None))
    page = (
        DecisionPage.objects.filter(pk=instance.pk)
        .select_related("decision__working_group", "locale")
        .get()
    )
    with transaction.atomic():
        decision_publication_record(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            decision=page.decision,
            page_id=page.pk,
            revision_id=getattr(revision, "pk", None),
            language=page.locale.language_code,
            url=page.url or "",
            now=page.last_published_at,
        )


def on_decision_recorded(sender, decision: Decision, **kwargs) -> None:
    """Receiver of governance.signals.decision_recorded (inside the recording transaction).
    A failure to draft is logged and leaves the decision recorded: the page is derived
    and can be drafted again (draft_missing_pages); the record must not wait for it."""
    try:
        with transaction.atomic():
            draft_page(decision)
    except Exception:
        logger.exception("Could not draft the page of decision %s.", decision.pk)


def draft_missing_pages() -> list[DecisionPage]:
    """Draft the pages of decisions recorded while no register existed."""
    drafted = []
    for decision in Decision.objects.filter(pages__isnull=True).order_by("decided_at", "pk"):
        page = draft_page(decision)
        if page is not None:
            drafted.append(page)
    return drafted


def approval_workflow() -> Workflow:
    """The "Decision approval" workflow (made by migration cms 0002; remade if removed)."""
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME)
    if not workflow.workflow_tasks.exists():
        task = ChairApprovalTask.objects.filter(name=TASK_NAME).first()
        task = task or ChairApprovalTask.objects.create(name=TASK_NAME)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def wire_register(index: DecisionIndexPage) -> None:
    """Give a register its approval workflow (unless an editor chose another) and let the
    secretariats' group add and edit decision pages there. Idempotent."""
    if not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(page=index, workflow=approval_workflow())
    group = permissions.admin_group()
    for perm in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=SECRETARIAT_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=index, permission=perm)


def on_register_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if created and not raw:
        wire_register(instance)
